/**
 * A strict emulator of the OpenAI files + fine-tuning HTTP API (plus models and chat completions)
 * on 127.0.0.1, for tests and local development. See test/emulator/README.md.
 *
 * `startEmulator(options)` listens (port 0 = a free port) and returns an {@link Emulator}: its
 * `url`, the fault registry, the state, a tick control for jobs, and the records tests assert on
 * (`schemaViolations`, `internalErrors`, `requests`). OpenAI paths live under `/v1`, Azure paths
 * under `/openai` (with `api-version` and `api-key`), the control API under `/__emulator`.
 *
 * Every request goes through: request id → route → auth → faults → query/body validation against
 * openapi.yaml → handler → response validation against openapi.yaml → send. A response that fails
 * its schema is an emulator bug: the client gets a 500 saying so (with `x-should-retry: false`)
 * and the violation is recorded.
 */
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http';
import type {AddressInfo} from 'node:net';
import {ApiError, fromAjv, invalid, invalidUrl} from './errors.js';
import {type FaultRule, Faults, WIND_DOWN_MESSAGE} from './faults.js';
import {HANDLERS, type HandlerResult, type UploadedFile} from './handlers.js';
import {isFinal, tick} from './jobs.js';
import {describeErrors, loadOpenApi, type OpenApi, type Operation} from './openapi.js';
import {type Api, type JobObject, State} from './state.js';

export interface EmulatorOptions {
  /** Default 0 (a free port). */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Seeds ids and request ids (default "emulator"). */
  readonly seed?: string;
  /** The clock's start, unix seconds (default 1767225600, 2026-01-01T00:00:00Z). */
  readonly startTime?: number;
  /** The organization of keys not in `organizations` (default `org-emulator0000000000000000`). */
  readonly organizationId?: string;
  /**
   * API key → organization id. Each organization sees only its own files, uploads, jobs and
   * fine-tuned models (others get the API's 404), and every OpenAI-mode response names the key's
   * organization in `openai-organization`.
   */
  readonly organizations?: Readonly<Record<string, string>>;
  readonly orgSlug?: string;
  readonly stepsPerTick?: number;
  readonly advanceOnRetrieve?: boolean;
  readonly resultFileBase64?: boolean;
  readonly apiKey?: string;
  readonly openapiPath?: string;
}

export interface SchemaViolation {
  readonly operation: string;
  readonly status: number;
  readonly requestId: string;
  readonly errors: string;
  readonly body: unknown;
}

export interface RequestRecord {
  readonly requestId: string;
  readonly method: string;
  readonly path: string;
  readonly operation: string | undefined;
  /** The query string as sent (`?api-version=…`), or ''. */
  readonly query: string;
  /** The request's headers as sent (names in lower case); in memory only. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** `x-stainless-retry-count` as sent by the SDK (0 on a first attempt). */
  readonly retryCount: number | undefined;
  /** `performance.now()` when the request arrived (for ordering, not for timing assertions). */
  readonly at: number;
  status: number | 'dropped';
}

export interface Emulator {
  /** `http://127.0.0.1:PORT` (append `/v1` for the OpenAI SDK; pass as Azure `endpoint`). */
  readonly url: string;
  readonly port: number;
  readonly faults: Faults;
  readonly state: State;
  readonly schemaViolations: SchemaViolation[];
  readonly internalErrors: string[];
  readonly requests: RequestRecord[];
  /** Ticks one job (or every job) `ticks` times. */
  advance(jobId?: string, ticks?: number): void;
  /** Moves the emulator's clock `seconds` forward (an Upload expires 3600 s after creation). */
  advanceClock(seconds: number): void;
  /** Ticks a job until it is final or paused (at most 10000 ticks); returns it. */
  runJob(jobId: string): JobObject;
  /**
   * Deploys a model (a base or a fine-tuned one) under an Azure deployment name, so that
   * `/openai/deployments/{name}/chat/completions` answers with it.
   */
  deploy(name: string, model: string): void;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** URLSearchParams → object; `metadata[k]=v` (deepObject) → `metadata: {k: v}`; `metadata=null` → null. */
function parseQuery(params: URLSearchParams): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of params) {
    const deep = /^([^[\]]+)\[([^\]]*)\]$/.exec(key);
    if (deep) {
      const [, name = '', sub = ''] = deep;
      const obj = (typeof out[name] === 'object' && out[name] !== null ? out[name] : {}) as Record<
        string,
        string
      >;
      obj[sub] = value;
      out[name] = obj;
    } else if (key === 'metadata' && value === 'null') {
      out[key] = null;
    } else {
      out[key] = value;
    }
  }
  return out;
}

const NO_KEY_MESSAGE =
  "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username. You can obtain an API key from https://platform.openai.com/account/api-keys.";

/** The Azure 401 text (its `code` is the string "401"). */
const AZURE_401 =
  'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.';

/** Checks the key; returns it (OpenAI mode; undefined in Azure mode). */
function checkAuth(
  api: Api,
  req: IncomingMessage,
  expected: string | undefined,
): string | undefined {
  const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  if (api === 'openai') {
    if (!bearer) throw new ApiError(401, {message: NO_KEY_MESSAGE});
    if (expected !== undefined && bearer !== expected) {
      throw new ApiError(401, {
        message: `Incorrect API key provided: ${bearer.slice(0, 3)}***${bearer.slice(-4)}. You can find your API key at https://platform.openai.com/account/api-keys.`,
        code: 'invalid_api_key',
      });
    }
    return bearer;
  }
  const key = req.headers['api-key'];
  const given = typeof key === 'string' ? key : bearer;
  if (!given || (expected !== undefined && given !== expected)) {
    throw new ApiError(401, {message: AZURE_401, code: '401'});
  }
  return undefined;
}

const JSON_PARSE_MESSAGE =
  "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble figuring out how to fix this, please contact us through our help center at help.openai.com.)";

async function parseBody(op: Operation, req: IncomingMessage, raw: Buffer): Promise<unknown> {
  if (!op.bodyType || !op.validateBody) return undefined;
  const type = req.headers['content-type'] ?? '';
  if (op.bodyType === 'application/json') {
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      throw invalid(JSON_PARSE_MESSAGE);
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw invalid(JSON_PARSE_MESSAGE);
    for (const key of Object.keys(body)) {
      if (!op.bodyProperties?.has(key)) {
        throw invalid(`Unrecognized request argument supplied: ${key}`, key, 'unknown_parameter');
      }
    }
    if (!op.validateBody(body)) throw fromAjv(op.validateBody.errors, body);
    return body;
  }
  // multipart/form-data: parsed by the platform's own FormData reader.
  if (!type.startsWith('multipart/form-data')) {
    throw invalid(`Invalid Content-Type header (${type}), expected multipart/form-data.`);
  }
  let form: FormData;
  try {
    form = await new Request('http://emulator.invalid/', {
      method: 'POST',
      headers: {'content-type': type},
      body: raw,
    }).formData();
  } catch {
    throw invalid('Could not parse multipart form data.');
  }
  const fields: Record<string, unknown> = {};
  const binaries: Record<string, UploadedFile> = {};
  for (const [key, value] of form) {
    const deep = /^([^[\]]+)\[([^\]]*)\]$/.exec(key);
    if (typeof value !== 'string') {
      // The binary fields the operations take: `file` (createFile), `data` (addUploadPart).
      if (!op.bodyProperties?.has(key) || (key !== 'file' && key !== 'data'))
        throw invalid(`Unrecognized request argument supplied: ${key}`, key, 'unknown_parameter');
      binaries[key] = {filename: value.name, content: Buffer.from(await value.arrayBuffer())};
      fields[key] = '<binary>';
    } else if (deep) {
      const [, name = '', sub = ''] = deep;
      const obj = (fields[name] ?? {}) as Record<string, unknown>;
      obj[sub] = /^\d+$/.test(value) ? Number(value) : value;
      fields[name] = obj;
    } else {
      fields[key] = value;
    }
  }
  for (const key of Object.keys(fields)) {
    if (!op.bodyProperties?.has(key)) {
      throw invalid(`Unrecognized request argument supplied: ${key}`, key, 'unknown_parameter');
    }
  }
  if (!op.validateBody(fields)) throw fromAjv(op.validateBody.errors, fields);
  return {...fields, ...binaries};
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const spec: OpenApi = loadOpenApi(options.openapiPath);
  const state = new State(options.seed ?? 'emulator', options.startTime ?? 1767225600, {
    organizationId: options.organizationId ?? 'org-emulator0000000000000000',
    organizations: options.organizations ?? {},
    orgSlug: options.orgSlug ?? 'emulator-org',
    stepsPerTick: options.stepsPerTick,
    advanceOnRetrieve: options.advanceOnRetrieve ?? true,
    resultFileBase64: options.resultFileBase64 ?? false,
    apiKey: options.apiKey,
  });
  const faults = new Faults();
  const schemaViolations: SchemaViolation[] = [];
  const internalErrors: string[] = [];
  const requests: RequestRecord[] = [];

  function advance(jobId?: string, ticks = 1): void {
    const jobs = jobId === undefined ? [...state.jobs.values()] : [state.jobs.get(jobId)];
    for (const job of jobs) {
      if (!job) throw new Error(`advance: no job ${jobId}`);
      for (let i = 0; i < ticks; i++) tick(state, job);
    }
  }

  function runJob(jobId: string): JobObject {
    const job = state.jobs.get(jobId);
    if (!job) throw new Error(`runJob: no job ${jobId}`);
    for (let i = 0; i < 10000 && !isFinal(job) && job.json.status !== 'paused'; i++)
      tick(state, job);
    return job.json;
  }

  function send(
    res: ServerResponse,
    record: RequestRecord,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void {
    record.status = status;
    res.writeHead(status, {
      'content-type': 'application/json',
      'x-request-id': record.requestId,
      'openai-processing-ms': '1',
      ...headers,
    });
    res.end(JSON.stringify(body));
  }

  function sendChecked(
    res: ServerResponse,
    record: RequestRecord,
    status: number,
    body: unknown,
    validate: ((v: unknown) => boolean) & {errors?: unknown},
    headers: Record<string, string> = {},
  ): void {
    if (!validate(body)) {
      const errors = describeErrors(validate.errors as Parameters<typeof describeErrors>[0]);
      schemaViolations.push({
        operation: record.operation ?? '?',
        status,
        requestId: record.requestId,
        errors,
        body,
      });
      send(
        res,
        record,
        500,
        {
          error: {
            message: `EMULATOR BUG: the ${status} response of ${record.operation ?? record.path} violates openapi.yaml: ${errors}`,
            type: 'emulator_schema_violation',
            param: null,
            code: 'emulator_schema_violation',
          },
        },
        {'x-should-retry': 'false'},
      );
      return;
    }
    send(res, record, status, body, headers);
  }

  function sendError(res: ServerResponse, record: RequestRecord, err: ApiError): void {
    sendChecked(res, record, err.status, {error: err.body}, spec.validateError, err.headers);
  }

  async function control(
    req: IncomingMessage,
    res: ServerResponse,
    record: RequestRecord,
    path: string,
    raw: Buffer,
  ) {
    const body =
      raw.length > 0 ? (JSON.parse(raw.toString('utf8')) as Record<string, unknown>) : {};
    const method = req.method ?? 'GET';
    if (path === '/__emulator/faults' && method === 'POST') {
      const rules = (Array.isArray(body.faults) ? body.faults : [body]) as FaultRule[];
      return send(res, record, 200, {ids: rules.map((r) => faults.add(r))});
    }
    if (path === '/__emulator/faults' && method === 'DELETE') {
      faults.clear();
      return send(res, record, 200, {cleared: true});
    }
    if (path === '/__emulator/faults' && method === 'GET')
      return send(res, record, 200, {faults: faults.list()});
    if (path === '/__emulator/advance' && method === 'POST') {
      const id = typeof body.job_id === 'string' ? body.job_id : undefined;
      advance(id, typeof body.ticks === 'number' ? body.ticks : 1);
      const jobs = [...state.jobs.values()].map((j) => ({id: j.json.id, status: j.json.status}));
      return send(res, record, 200, {jobs});
    }
    if (path === '/__emulator/deployments' && method === 'POST') {
      if (typeof body.name !== 'string' || typeof body.model !== 'string') {
        return send(res, record, 400, {error: 'needs {"name", "model"}'});
      }
      state.deployments.set(body.name, body.model);
      return send(res, record, 200, {name: body.name, model: body.model});
    }
    if (path === '/__emulator/state' && method === 'GET') {
      return send(res, record, 200, {
        schema_violations: schemaViolations,
        internal_errors: internalErrors,
        requests: requests.length,
        jobs: [...state.jobs.values()].map((j) => j.json),
      });
    }
    throw invalidUrl(method, path);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const retry = req.headers['x-stainless-retry-count'];
    const record: RequestRecord = {
      requestId: state.ids.next('req_', 32, true),
      method,
      path: url.pathname,
      query: url.search,
      headers: req.headers,
      operation: undefined,
      retryCount: typeof retry === 'string' ? Number(retry) : undefined,
      at: performance.now(),
      status: 0,
    };
    requests.push(record);
    try {
      if (url.pathname.startsWith('/__emulator/'))
        return await control(req, res, record, url.pathname, raw);
      const api: Api | undefined = url.pathname.startsWith('/v1/')
        ? 'openai'
        : url.pathname.startsWith('/openai/')
          ? 'azure'
          : undefined;
      if (!api) throw invalidUrl(method, url.pathname);
      let rest = url.pathname.slice(api === 'openai' ? 3 : 7);
      let deployment: string | undefined;
      const dep = api === 'azure' ? /^\/deployments\/([^/]+)(\/.*)$/.exec(rest) : null;
      if (dep) {
        deployment = decodeURIComponent(dep[1] ?? '');
        rest = dep[2] ?? '';
      }
      const op = spec.operations.find((o) => o.method === method && o.pattern.test(rest));
      if (!op || (deployment !== undefined && op.id !== 'createChatCompletion')) {
        throw invalidUrl(method, url.pathname);
      }
      (record as {operation: string | undefined}).operation = op.id;
      const match = op.pattern.exec(rest) ?? [];
      const params = Object.fromEntries(
        op.pathParams.map((n, i) => [n, decodeURIComponent(match[i + 1] ?? '')]),
      );

      const org = state.orgOf(checkAuth(api, req, state.options.apiKey));
      // ASSUMPTION (not in SPEC.md): the OpenAI API names the key's organization in this header
      // on its answers; the emulator sends the organization's id. Azure sends no such header.
      if (api === 'openai') res.setHeader('openai-organization', org);
      const query = parseQuery(url.searchParams);
      if (api === 'azure') {
        // GUESS: Azure's exact answer to a missing api-version is not in SPEC.md.
        if (typeof query['api-version'] !== 'string' || query['api-version'] === '') {
          throw invalid(
            'Missing required query parameter: api-version',
            'api-version',
            'missing_api_version',
          );
        }
        delete query['api-version'];
      }

      const fired = faults.take({method, path: rest, operation: op.id});
      for (const f of fired) {
        if (f.kind === 'slow') await new Promise((r) => setTimeout(r, f.delayMs ?? 200));
      }
      for (const f of fired) {
        if (f.kind === 'drop_before') {
          record.status = 'dropped';
          req.socket.destroy();
          return;
        }
        if (f.kind === 'rate_limit') {
          const headers: Record<string, string> = {
            'retry-after': String(f.retryAfter ?? 1),
            'x-ratelimit-limit-requests': '1000',
            'x-ratelimit-remaining-requests': '0',
            'x-ratelimit-reset-requests': `${f.retryAfter ?? 1}s`,
          };
          if (f.retryAfterMs !== undefined) headers['retry-after-ms'] = String(f.retryAfterMs);
          throw new ApiError(
            429,
            f.error ?? {
              message: 'Rate limit reached for requests. Please try again later.',
              type: 'requests',
              code: 'rate_limit_exceeded',
            },
            headers,
          );
        }
        if (f.kind === 'server_error') {
          throw new ApiError(
            500,
            f.error ?? {
              message: 'The server had an error while processing your request. Sorry about that!',
              type: 'server_error',
            },
          );
        }
        if (f.kind === 'refuse') {
          throw new ApiError(
            403,
            f.error ?? {
              message: WIND_DOWN_MESSAGE,
              type: 'invalid_request_error',
              code: 'fine_tuning_unavailable',
            },
          );
        }
        if (f.kind === 'http_error') {
          throw new ApiError(
            f.status ?? 500,
            f.error ?? {message: `Injected HTTP ${f.status ?? 500}`, type: 'server_error'},
          );
        }
      }

      for (const key of Object.keys(query)) {
        if (!op.queryParams.has(key))
          throw invalid(`Unrecognized request argument supplied: ${key}`, key, 'unknown_parameter');
      }
      if (!op.validateQuery(query)) throw fromAjv(op.validateQuery.errors, query);
      const body = await parseBody(op, req, raw);
      const modifiers = fired.filter((f) => f.kind === 'list_lag' || f.kind === 'fail_job');
      const result: HandlerResult = HANDLERS[op.id](state, {
        api,
        params,
        query,
        body,
        deployment,
        modifiers,
        org,
      });

      if (fired.some((f) => f.kind === 'drop_after')) {
        record.status = 'dropped';
        req.socket.destroy();
        return;
      }
      if ('raw' in result) {
        record.status = 200;
        res.writeHead(200, {'content-type': result.contentType, 'x-request-id': record.requestId});
        res.end(result.raw);
        return;
      }
      if (!op.validateResponse) throw new Error(`no response schema for ${op.id}`);
      sendChecked(res, record, 200, result.json, op.validateResponse);
    } catch (err) {
      if (err instanceof ApiError) return sendError(res, record, err);
      const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
      internalErrors.push(`${method} ${url.pathname}: ${message}`);
      send(
        res,
        record,
        500,
        {
          error: {
            message: `EMULATOR BUG: ${message}`,
            type: 'emulator_internal_error',
            param: null,
            code: null,
          },
        },
        {'x-should-retry': 'false'},
      );
    }
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      internalErrors.push(String(err));
      res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    port,
    faults,
    state,
    schemaViolations,
    internalErrors,
    requests,
    advance,
    advanceClock: (seconds: number) => state.clock.advance(seconds),
    runJob,
    deploy: (name: string, model: string) => void state.deployments.set(name, model),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
