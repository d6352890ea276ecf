import type {Diagnostic} from '../core/diagnostic.js';
import {formatPath, type PathSegment} from '../core/path-syntax.js';
import {suggest} from '../core/suggest.js';
import {diagnosticAt, type RecipeText} from './recipe-text.js';
import {type JsonSchema, type SchemaError, validateRecipe} from './schema.js';

/**
 * Validates the recipe's data against the JSON Schema and turns every ajv error into a
 * Diagnostic at the right node: unknown keys point at the key, wrong types at the value,
 * missing keys at the parent.
 */
export function validateAgainstSchema(source: RecipeText, data: unknown): Diagnostic[] {
  if (validateRecipe(data)) return [];
  const all = validateRecipe.errors ?? [];
  // `x: <number> | "auto"` (OpenAI's hyperparameters) fails both branches of its oneOf: one
  // error says what number it must be, with `or "auto"`, instead of three.
  const orAuto = new Set(
    all
      .filter((e) => e.keyword === 'const' && e.params.allowedValue === 'auto')
      .map((e) => e.instancePath),
  );
  const offBranch = offBranchErrors(all, data);
  const errors = all.filter(
    (e, _, every) =>
      !offBranch.has(e) &&
      !isRedundant(e, every) &&
      !(orAuto.has(e.instancePath) && (e.keyword === 'oneOf' || e.keyword === 'const')),
  );
  const seen = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  for (const e of errors) {
    let d = toDiagnostic(source, e);
    if (orAuto.has(e.instancePath)) d = {...d, message: withAuto(d.message)};
    const id = `${d.location?.file}:${d.location?.line}:${d.location?.col}:${d.message}`;
    if (!seen.has(id)) {
      seen.add(id);
      diagnostics.push(d);
    }
  }
  return diagnostics;
}

/** "n_epochs must be an integer, got "x"" -> "n_epochs must be an integer or "auto", got "x"". */
function withAuto(message: string): string {
  const at = message.lastIndexOf(', got ');
  return at < 0
    ? `${message} (or "auto")`
    : `${message.slice(0, at)} or "auto"${message.slice(at)}`;
}

/**
 * A value that may be a string or an object (a metric name or `{id, type, options}`, a model id
 * or an endpoint) fails both branches of its oneOf; only the branch of the value's own kind
 * says something useful. For a string, errors that the value is not an object (and the oneOf
 * summary) go; for an object, the string branch's errors at the value itself go.
 */
function offBranchErrors(all: readonly SchemaError[], data: unknown): Set<SchemaError> {
  const off = new Set<SchemaError>();
  for (const summary of all.filter((e) => e.keyword === 'oneOf')) {
    const at = summary.instancePath;
    const value = pathOf(at).reduce<unknown>(
      (v, k) =>
        v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined,
      data,
    );
    const kind = typeof value === 'string' ? 'string' : isObject(value) ? 'object' : undefined;
    if (!kind) continue;
    const wrongKind = all.filter(
      (e) =>
        e.instancePath === at &&
        (kind === 'string'
          ? e.keyword === 'type' && e.params.type === 'object'
          : ['enum', 'pattern', 'minLength'].includes(e.keyword) ||
            (e.keyword === 'type' && e.params.type === 'string')),
    );
    // Only when the value's own branch has something to say.
    const remaining = all.filter(
      (e) => e !== summary && !wrongKind.includes(e) && e.instancePath.startsWith(at),
    );
    if (wrongKind.length === 0 || remaining.length === 0) continue;
    off.add(summary);
    for (const e of wrongKind) off.add(e);
  }
  return off;
}

const isObject = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);

/** ajv also reports the summary errors behind a precise one; keep only the precise one. */
function isRedundant(e: SchemaError, all: readonly SchemaError[]): boolean {
  if (e.keyword === 'propertyNames') return true; // the nested pattern error says it better
  // "must match exactly one schema in oneOf" says less than the branches' own errors.
  if (e.keyword === 'oneOf') {
    return all.some((o) => o !== e && o.instancePath.startsWith(e.instancePath));
  }
  if (e.keyword === 'discriminator') {
    // A missing or unknown `type` already has its own required/enum error.
    return all.some(
      (o) =>
        o !== e &&
        (o.instancePath === `${e.instancePath}/type` ||
          (o.instancePath === e.instancePath && o.keyword === 'required')),
    );
  }
  return false;
}

function pathOf(pointer: string): PathSegment[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function toDiagnostic(source: RecipeText, e: SchemaError): Diagnostic {
  const path = pathOf(e.instancePath);
  const where = formatPath(path);
  const parent = e.parentSchema as JsonSchema | undefined;
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(e.params.additionalProperty);
      const allowed = Object.keys(parent?.properties ?? {});
      const isTransform = isTransformStep(path);
      const hint = suggestion(key, allowed);
      const message = isTransform
        ? `unknown transform '${key}' (known: ${allowed.join(', ')})`
        : where === ''
          ? `unknown top-level key '${key}'`
          : `unknown key '${key}' in ${where}`;
      return diagnosticAt(source, 'unknown-key', path, message, {
        key,
        ...(hint ? {hint} : {}),
      });
    }
    case 'required': {
      const missing = String(e.params.missingProperty);
      const message =
        where === ''
          ? `missing required top-level key '${missing}'`
          : `${where} is missing required key '${missing}'`;
      return diagnosticAt(source, 'schema', path, message, {at: 'key'});
    }
    case 'type':
      return diagnosticAt(
        source,
        'schema',
        path,
        `${where} must be ${article(String(e.params.type))}, got ${describe(e.data)}`,
      );
    case 'const':
      return diagnosticAt(
        source,
        'schema',
        path,
        `${where} must be ${JSON.stringify(e.params.allowedValue)}, got ${describe(e.data)}`,
      );
    case 'enum': {
      const allowed = (e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v));
      const hint =
        typeof e.data === 'string'
          ? suggestion(
              e.data,
              (e.params.allowedValues as unknown[]).filter((v) => typeof v === 'string'),
            )
          : undefined;
      return diagnosticAt(
        source,
        'schema',
        path,
        `${where} must be one of ${allowed.join(', ')}, got ${describe(e.data)}`,
        hint ? {hint} : {},
      );
    }
    case 'maxProperties':
    case 'minProperties':
      if (isTransformStep(path)) {
        const keys = Object.keys((e.data as object) ?? {});
        const message =
          keys.length === 0
            ? `${where} is an empty transform step; write {<transform>: {options}}`
            : `${where} has ${keys.length} keys (${keys.join(', ')}); a transform step has exactly one, the transform's name`;
        return diagnosticAt(source, 'schema', path, message);
      }
      return diagnosticAt(source, 'schema', path, `${where} ${e.message ?? 'is invalid'}`);
    case 'pattern':
      if (e.propertyName !== undefined) {
        return diagnosticAt(
          source,
          'schema',
          path,
          `'${e.propertyName}' is not a valid name in ${where}: use letters, digits, '_' and '-', starting with a letter or '_'`,
          {key: e.propertyName},
        );
      }
      return diagnosticAt(
        source,
        'schema',
        path,
        `${where} ${describe(e.data)} must match ${String(e.params.pattern)}`,
      );
    case 'discriminator':
      return diagnosticAt(source, 'schema', path, `${where}.type is not a known backend type`);
    default:
      return diagnosticAt(
        source,
        'schema',
        path,
        `${where === '' ? 'recipe' : where} ${e.message ?? 'is invalid'}`,
      );
  }
}

/** `transforms[i]` itself: a one-key map whose key names the transform. */
function isTransformStep(path: readonly PathSegment[]): boolean {
  return path.length === 2 && path[0] === 'transforms' && typeof path[1] === 'number';
}

function suggestion(word: string, candidates: readonly string[]): string | undefined {
  const s = suggest(word, candidates);
  return s ? `did you mean '${s}'?` : undefined;
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

/** A short rendering of the offending value for messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
