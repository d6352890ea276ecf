/**
 * The API's error shape (`ErrorResponse`: `{"error": {"message","type","param","code"}}`, all four
 * keys present) and how the emulator turns failed validations into it.
 *
 * A handler throws {@link ApiError}; the server turns it into the response. Messages mimic the live
 * API where SPEC.md records them; others are marked GUESS at their use.
 */
import type {ErrorObject} from 'ajv';

/** ajv keywords for numeric bounds (the live API words them "integer below minimum value"). */
const BOUNDS = new Set(['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum']);

export interface ErrorBody {
  readonly message: string;
  readonly type: string;
  readonly param: string | null;
  readonly code: string | null;
}

export class ApiError extends Error {
  readonly status: number;
  readonly body: ErrorBody;
  readonly headers: Readonly<Record<string, string>>;
  constructor(
    status: number,
    body: Partial<ErrorBody> & {message: string},
    headers: Record<string, string> = {},
  ) {
    super(body.message);
    this.status = status;
    this.body = {
      message: body.message,
      type: body.type ?? 'invalid_request_error',
      param: body.param ?? null,
      code: body.code ?? null,
    };
    this.headers = headers;
  }
}

export function invalid(message: string, param: string | null = null, code: string | null = null) {
  return new ApiError(400, {message, param, code});
}

export function notFound(message: string, param: string | null = null, code: string | null = null) {
  return new ApiError(404, {message, param, code});
}

/** The live API's answer to a path or method it does not serve. */
export function invalidUrl(method: string, path: string): ApiError {
  return new ApiError(404, {message: `Invalid URL (${method} ${path})`});
}

/** `/a/b/0` (ajv instancePath) → `a.b[0]`, the way the API names nested params. */
function paramName(path: string, extra?: string): string {
  const parts = path.split('/').filter(Boolean);
  if (extra) parts.push(extra);
  return parts.map((p, i) => (/^\d+$/.test(p) ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/**
 * One ajv error (the first, most specific one) as the API's 400. The messages follow the live
 * API's forms: "Missing required parameter: 'x'.", "Invalid type for 'x': expected ...",
 * "Invalid value: 'v'. Supported values are: ...", "Invalid 'x': integer below minimum value.
 * Expected a value >= 1, but got 0 instead.", "Invalid 'x': string too long. ...".
 */
export function fromAjv(
  errors: readonly ErrorObject[] | null | undefined,
  value: unknown,
): ApiError {
  const list = errors ?? [];
  const e =
    list.find((x) => x.keyword === 'required') ??
    list.find((x) => x.keyword === 'additionalProperties') ??
    list.find((x) => x.keyword === 'type' && !/anyOf|oneOf/.test(x.schemaPath)) ??
    list.find((x) => x.keyword === 'enum' && !/anyOf|oneOf/.test(x.schemaPath)) ??
    list.find((x) => BOUNDS.has(x.keyword) || x.keyword.endsWith('Length')) ??
    list.find((x) => x.keyword === 'enum') ??
    list[0];
  if (!e) return invalid('Invalid request.');
  const at = (v: unknown, path: string): unknown =>
    path
      .split('/')
      .filter(Boolean)
      .reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], v);
  if (e.keyword === 'required') {
    const name = paramName(e.instancePath, String(e.params.missingProperty));
    return invalid(`Missing required parameter: '${name}'.`, name, 'missing_required_parameter');
  }
  const name = paramName(e.instancePath) || null;
  if (e.keyword === 'additionalProperties') {
    const extra = paramName(e.instancePath, String(e.params.additionalProperty));
    return invalid(`Unrecognized request argument supplied: ${extra}`, extra, 'unknown_parameter');
  }
  if (e.keyword === 'type') {
    return invalid(
      `Invalid type for '${name}': expected ${e.params.type}, but got ${typeof at(value, e.instancePath)} instead.`,
      name,
      'invalid_type',
    );
  }
  if (e.keyword === 'enum') {
    const allowed = (e.params.allowedValues as unknown[]).map((v) => `'${v}'`).join(', ');
    return invalid(
      `Invalid value: '${String(at(value, e.instancePath))}'. Supported values are: ${allowed}.`,
      name,
      'invalid_value',
    );
  }
  const got = at(value, e.instancePath);
  if (e.keyword === 'minLength' || e.keyword === 'maxLength') {
    const short = e.keyword === 'minLength';
    return invalid(
      `Invalid '${name}': string too ${short ? 'short' : 'long'}. Expected a string with ${short ? 'minimum' : 'maximum'} length ${e.params.limit}, but got a string with length ${String(got).length} instead.`,
      name,
      short ? 'string_below_min_length' : 'string_above_max_length',
    );
  }
  if (BOUNDS.has(e.keyword)) {
    const kind = Number.isInteger(got) ? 'integer' : 'decimal';
    const below = e.keyword === 'minimum' || e.keyword === 'exclusiveMinimum';
    return invalid(
      `Invalid '${name}': ${kind} ${below ? 'below minimum' : 'above maximum'} value. Expected a value ${String(e.params.comparison)} ${String(e.params.limit)}, but got ${String(got)} instead.`,
      name,
      `${kind}_${below ? 'below_min' : 'above_max'}_value`,
    );
  }
  return invalid(
    `Invalid value for '${name ?? 'body'}': ${e.message ?? 'invalid'}.`,
    name,
    'invalid_value',
  );
}
