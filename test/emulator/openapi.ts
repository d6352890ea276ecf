/**
 * Loads the official OpenAI `openapi.yaml` (shared/openai/openapi.yaml) and compiles, with ajv, the
 * request and response schemas of the operations the emulator serves.
 *
 * Contract:
 * - `loadOpenApi(path)` parses the document once per process (memoized by path) and returns the
 *   operations named in {@link OPERATION_IDS}, each with its method, path template, a path matcher,
 *   and validators for its JSON or multipart body, its query and its 200 response, plus a
 *   validator for the `ErrorResponse` body every error must match.
 * - The document says `openapi: 3.1.0`, so schemas are compiled as JSON Schema 2020-12, but it
 *   still carries OpenAPI 3.0 idioms that 2020-12 does not know. {@link toJsonSchema} rewrites
 *   them (see its comment): `nullable: true`, boolean `exclusiveMinimum`, `example`, `x-*`,
 *   `discriminator`, and the misspelt `min_items`/`max_items`.
 * - Where the real API departs from the document, `patches.ts` edits the converted schemas; each
 *   patch is listed there and in test/emulator/README.md.
 * - ajv runs in strict mode: an unknown keyword or format in a schema we compile throws at load
 *   time instead of being silently ignored.
 */
import {readFileSync} from 'node:fs';
import {fileURLToPath} from 'node:url';
import {gunzipSync} from 'node:zlib';
import {Ajv2020, type ErrorObject, type ValidateFunction} from 'ajv/dist/2020.js';
import {parse as parseYaml} from 'yaml';
import {applyPatches} from './patches.js';

/**
 * The spec, vendored into the repository so a clean clone tests offline: the team's shared copy
 * (SPEC.md section 5: openai-openapi @ f85dbe2, sha256 db5d7478feae10b4d331834c60d9765a8aa042e3
 * 8419f9b1694288c11aa8ebc8 before compression), gzipped.
 */
export const DEFAULT_OPENAPI_PATH = fileURLToPath(
  new URL('../fixtures/openai/openapi.yaml.gz', import.meta.url),
);

/** The operations the emulator implements, by the document's operationId. */
export const OPERATION_IDS = [
  'createFile',
  'listFiles',
  'retrieveFile',
  'deleteFile',
  'downloadFile',
  'createFineTuningJob',
  'listPaginatedFineTuningJobs',
  'retrieveFineTuningJob',
  'cancelFineTuningJob',
  'pauseFineTuningJob',
  'resumeFineTuningJob',
  'listFineTuningEvents',
  'listFineTuningJobCheckpoints',
  'listModels',
  'retrieveModel',
  'deleteModel',
  'createChatCompletion',
  'createUpload',
  'addUploadPart',
  'completeUpload',
  'cancelUpload',
] as const;
export type OperationId = (typeof OPERATION_IDS)[number];

/** A compiled operation: routing data plus validators. */
export interface Operation {
  readonly id: OperationId;
  readonly method: string;
  /** The document's path template, e.g. `/fine_tuning/jobs/{fine_tuning_job_id}`. */
  readonly template: string;
  /** Matches a request path (without the `/v1` or `/openai` prefix); groups are the path params. */
  readonly pattern: RegExp;
  readonly pathParams: readonly string[];
  /** `application/json` or `multipart/form-data`, when the operation takes a body. */
  readonly bodyType?: string;
  readonly validateBody?: ValidateFunction;
  /** Top-level property names the body schema declares (the real API rejects others). */
  readonly bodyProperties?: ReadonlySet<string>;
  /** Validates the parsed query object (string values coerced to the declared types). */
  readonly validateQuery: ValidateFunction;
  readonly queryParams: ReadonlySet<string>;
  /** Validates a 200 body; absent for raw (non-JSON) responses such as file content. */
  readonly validateResponse?: ValidateFunction;
}

export interface OpenApi {
  readonly operations: readonly Operation[];
  readonly byId: ReadonlyMap<OperationId, Operation>;
  readonly validateError: ValidateFunction;
  /** The converted component schema by name (for tests and diagnostics). */
  schema(name: string): unknown;
}

type Json = null | boolean | number | string | Json[] | {[key: string]: Json};
type JsonObject = {[key: string]: Json};

const BASE_ID = 'https://emulator.invalid/openapi.json';
const cache = new Map<string, OpenApi>();

export function loadOpenApi(path: string = DEFAULT_OPENAPI_PATH): OpenApi {
  const hit = cache.get(path);
  if (hit) return hit;
  const bytes = readFileSync(path);
  const text = (path.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
  const doc = parseYaml(text, {maxAliasCount: -1}) as JsonObject;
  const api = build(doc);
  cache.set(path, api);
  return api;
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Keywords that are annotations in OpenAPI but unknown to JSON Schema 2020-12: dropped. */
const DROPPED = new Set(['example', 'discriminator', 'min_items', 'max_items']);

/**
 * Converts one OpenAPI schema node to JSON Schema 2020-12:
 * - `$ref: '#/components/schemas/X'` becomes `#/$defs/X` (all schemas live in one wrapper);
 * - `nullable: true` (OpenAPI 3.0, used 22 times in the closure we compile) adds `null` to `type`
 *   and `enum`, or wraps the schema in `anyOf [schema, {type: null}]` when it has no `type`;
 * - boolean `exclusiveMinimum`/`exclusiveMaximum` (3.0 style) becomes the numeric 2020-12 form;
 * - `example`, `discriminator`, `x-*` extensions are dropped (annotations only; the discriminated
 *   unions are also plain `oneOf`s, which ajv checks anyway);
 * - `min_items`/`max_items` are misspellings in the document that no validator honours: dropped.
 */
export function toJsonSchema(node: Json): Json {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (!isObject(node)) return node;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith('x-') || DROPPED.has(key) || key === 'nullable') continue;
    if (key === '$ref' && typeof value === 'string') {
      out.$ref = value.replace('#/components/schemas/', '#/$defs/');
    } else if (key === 'properties' || key === '$defs' || key === 'patternProperties') {
      out[key] = Object.fromEntries(
        Object.entries(value as JsonObject).map(([k, v]) => [k, toJsonSchema(v)]),
      );
    } else {
      out[key] = toJsonSchema(value);
    }
  }
  for (const [flag, bound] of [
    ['exclusiveMinimum', 'minimum'],
    ['exclusiveMaximum', 'maximum'],
  ] as const) {
    if (typeof out[flag] === 'boolean') {
      if (out[flag] === true && typeof out[bound] === 'number') {
        out[flag] = out[bound];
        delete out[bound];
      } else delete out[flag];
    }
  }
  if (node.nullable === true) {
    if (typeof out.type === 'string') {
      out.type = [out.type, 'null'];
      if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
      return out;
    }
    return {anyOf: [out, {type: 'null'}]};
  }
  return out;
}

/** Names of the component schemas reachable from `roots` (the closure ajv must see). */
function closure(schemas: JsonObject, roots: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const visit = (node: Json): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    if (!isObject(node)) return;
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') {
        const name = value.replace('#/components/schemas/', '');
        if (!seen.has(name) && schemas[name] !== undefined) {
          seen.add(name);
          visit(schemas[name]);
        }
      } else if (!key.startsWith('x-')) visit(value);
    }
  };
  for (const r of roots) visit({$ref: `#/components/schemas/${r}`});
  return seen;
}

function refOf(schema: Json | undefined): string | undefined {
  return isObject(schema) && typeof schema.$ref === 'string'
    ? schema.$ref.replace('#/components/schemas/', '')
    : undefined;
}

function newAjv(coerce: boolean): Ajv2020 {
  const ajv = new Ajv2020({
    strict: true,
    strictTypes: false,
    strictTuples: false,
    strictRequired: false,
    allowUnionTypes: true,
    allErrors: true,
    coerceTypes: coerce,
  });
  // Formats the compiled closure uses. Unknown formats throw (strict), so a new one is noticed.
  ajv.addFormat('unixtime', {type: 'number', validate: (n: number) => Number.isInteger(n)});
  ajv.addFormat('int64', {type: 'number', validate: (n: number) => Number.isInteger(n)});
  ajv.addFormat('double', {type: 'number', validate: () => true});
  ajv.addFormat('float', {type: 'number', validate: () => true});
  ajv.addFormat('binary', true);
  ajv.addFormat('uri', (s: string) => URL.canParse(s));
  ajv.addFormat('date', /^\d{4}-\d{2}-\d{2}$/);
  return ajv;
}

function build(doc: JsonObject): OpenApi {
  const components = (doc.components as JsonObject).schemas as JsonObject;
  const paths = doc.paths as JsonObject;
  const found: {id: OperationId; method: string; template: string; op: JsonObject}[] = [];
  for (const [template, item] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(item as JsonObject)) {
      if (!isObject(op)) continue;
      const id = op.operationId as OperationId;
      if ((OPERATION_IDS as readonly string[]).includes(id)) {
        found.push({id, method: method.toUpperCase(), template, op});
      }
    }
  }
  const missing = OPERATION_IDS.filter((id) => !found.some((f) => f.id === id));
  if (missing.length > 0) throw new Error(`openapi.yaml lacks operations: ${missing.join(', ')}`);

  const roots = new Set<string>(['ErrorResponse']);
  for (const {op} of found) {
    const body = ((op.requestBody as JsonObject | undefined)?.content ?? {}) as JsonObject;
    for (const media of Object.values(body)) {
      const r = refOf((media as JsonObject).schema);
      if (r) roots.add(r);
    }
    const ok = ((op.responses as JsonObject)['200'] as JsonObject | undefined)?.content as
      | JsonObject
      | undefined;
    const r = refOf((ok?.['application/json'] as JsonObject | undefined)?.schema);
    if (r) roots.add(r);
  }
  const names = closure(components, [...roots]);
  const defs: JsonObject = {};
  for (const name of names) defs[name] = toJsonSchema(components[name] as Json);
  applyPatches(defs);

  const ajv = newAjv(false);
  ajv.addSchema({$id: BASE_ID, $defs: defs});
  const compileRef = (name: string): ValidateFunction =>
    ajv.compile({$ref: `${BASE_ID}#/$defs/${name}`});
  const queryAjv = newAjv(true);

  const operations: Operation[] = found.map(({id, method, template, op}) => {
    const params = ((op.parameters as Json[] | undefined) ?? []).filter(isObject);
    const pathParams = params.filter((p) => p.in === 'path').map((p) => String(p.name));
    const query = params.filter((p) => p.in === 'query');
    const querySchema = {
      type: 'object',
      properties: Object.fromEntries(
        query.map((p) => [String(p.name), toJsonSchema(p.schema ?? {})]),
      ),
      required: query.filter((p) => p.required === true).map((p) => String(p.name)),
    };
    const content = ((op.requestBody as JsonObject | undefined)?.content ?? {}) as JsonObject;
    const [bodyType, media] = Object.entries(content)[0] ?? [];
    const bodyRef = refOf((media as JsonObject | undefined)?.schema);
    const ok = ((op.responses as JsonObject)['200'] as JsonObject | undefined)?.content as
      | JsonObject
      | undefined;
    const responseRef = refOf((ok?.['application/json'] as JsonObject | undefined)?.schema);
    const pattern = new RegExp(
      `^${template
        .split('/')
        .map((seg) => (/^\{.+\}$/.test(seg) ? '([^/]+)' : seg.replace(/[.*+?^$()|[\]\\]/g, '\\$&')))
        .join('/')}$`,
    );
    return {
      id,
      method,
      template,
      pattern,
      pathParams,
      ...(bodyType && bodyRef
        ? {
            bodyType,
            validateBody: compileRef(bodyRef),
            bodyProperties: topLevelProperties(defs, defs[bodyRef] as Json),
          }
        : {}),
      validateQuery: queryAjv.compile(querySchema),
      queryParams: new Set(query.map((p) => String(p.name))),
      ...(responseRef ? {validateResponse: compileRef(responseRef)} : {}),
    };
  });
  return {
    operations,
    byId: new Map(operations.map((o) => [o.id, o])),
    validateError: compileRef('ErrorResponse'),
    schema: (name) => defs[name],
  };
}

/** The property names an object schema declares at its top level, following `allOf` and `$ref`. */
function topLevelProperties(defs: JsonObject, schema: Json): Set<string> {
  const out = new Set<string>();
  const visit = (s: Json | undefined): void => {
    if (!isObject(s)) return;
    if (typeof s.$ref === 'string') visit(defs[s.$ref.replace('#/$defs/', '')]);
    if (isObject(s.properties)) for (const k of Object.keys(s.properties)) out.add(k);
    if (Array.isArray(s.allOf)) s.allOf.forEach(visit);
  };
  visit(schema);
  return out;
}

/** One line per ajv error, for logs and for the 500 an emulator bug produces. */
export function describeErrors(errors: readonly ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .map((e) => `${e.instancePath || '(root)'} ${e.message ?? ''} ${JSON.stringify(e.params)}`)
    .join('; ');
}
