import type {MetricType} from '../core/eval-types.js';
import {compileJsonSchema} from '../core/json-schema.js';

type OptionCheck = (value: unknown) => string | undefined;

const bool: OptionCheck = (v) => (typeof v === 'boolean' ? undefined : 'must be true or false');
const text: OptionCheck = (v) =>
  typeof v === 'string' && v !== '' ? undefined : 'must be a non-empty string';
const count: OptionCheck = (v) =>
  Number.isSafeInteger(v) && (v as number) >= 0 ? undefined : 'must be an integer >= 0';
const positive: OptionCheck = (v) =>
  typeof v === 'number' && v > 0 ? undefined : 'must be a number > 0';
const oneOf =
  (...values: string[]): OptionCheck =>
  (v) =>
    values.includes(v as string) ? undefined : `must be one of ${values.join(', ')}`;
const pattern: OptionCheck = (v) => {
  if (typeof v !== 'string') return 'must be a regular expression (a string)';
  try {
    new RegExp(v, 'u');
    return undefined;
  } catch (e) {
    return `is not a valid regular expression: ${(e as Error).message}`;
  }
};
const schema: OptionCheck = (v) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    return 'must be a JSON Schema (an object)';
  }
  try {
    compileJsonSchema(v as object);
    return undefined;
  } catch (e) {
    return `is not a usable JSON Schema: ${(e as Error).message}`;
  }
};
const rougeOptions = {use_stemmer: bool};
const ENDPOINT_KEYS = [
  'name',
  'model',
  'base_url',
  'api_key_env',
  'api_key_header',
  'headers',
  'revision',
];
/** An HTTP header name (RFC 9110's token). */
export const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** A judge: a model's name or id (resolved by the recipe rules), or an endpoint object. */
const judge: OptionCheck = (v) => {
  if (typeof v === 'string') return v === '' ? 'must not be empty' : undefined;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    return 'must be a model (a name in eval.models, an OpenAI model id) or an endpoint {name, base_url, model, ...}';
  }
  const e = v as Record<string, unknown>;
  const extra = Object.keys(e).filter((k) => !ENDPOINT_KEYS.includes(k));
  if (extra.length > 0) {
    return `is an endpoint, which takes no '${extra[0]}' (it takes ${ENDPOINT_KEYS.join(', ')})`;
  }
  for (const k of ['name', 'model']) {
    if (typeof e[k] !== 'string' || e[k] === '') return `is an endpoint and needs ${k} (a string)`;
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(e.name as string)) {
    return 'name must be letters, digits, ., _ and - (it names the judge in messages)';
  }
  if (
    e.base_url !== undefined &&
    !(typeof e.base_url === 'string' && /^https?:\/\//.test(e.base_url))
  ) {
    return 'base_url must be an http(s) URL';
  }
  if (
    e.api_key_env !== undefined &&
    !(typeof e.api_key_env === 'string' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(e.api_key_env))
  ) {
    return 'api_key_env must be the name of an environment variable';
  }
  if (
    e.api_key_header !== undefined &&
    !(typeof e.api_key_header === 'string' && HEADER_NAME.test(e.api_key_header))
  ) {
    return 'api_key_header must be an HTTP header name (e.g. api-key, or authorization)';
  }
  if (
    e.headers !== undefined &&
    (typeof e.headers !== 'object' ||
      e.headers === null ||
      Object.values(e.headers).some((h) => typeof h !== 'string'))
  ) {
    return 'headers must map names to strings';
  }
  if (e.revision !== undefined && !(typeof e.revision === 'string' && e.revision !== '')) {
    return 'revision must be a non-empty string';
  }
  return undefined;
};
const judgeScale: OptionCheck = (v) => {
  const s = v as {min?: unknown; max?: unknown} | null;
  if (
    typeof s !== 'object' ||
    s === null ||
    Array.isArray(s) ||
    Object.keys(s).some((k) => k !== 'min' && k !== 'max') ||
    typeof s.min !== 'number' ||
    typeof s.max !== 'number' ||
    !Number.isFinite(s.min) ||
    !Number.isFinite(s.max)
  ) {
    return 'must be {min, max}, two numbers';
  }
  return s.min < s.max ? undefined : `min (${s.min}) must be below max (${s.max})`;
};
/** The placeholders a judge prompt may use (eval/judge.ts fills them). */
export const JUDGE_PLACEHOLDERS = ['rubric', 'input', 'answer', 'reference', 'min', 'max'];
const judgePrompt: OptionCheck = (v) => {
  if (typeof v !== 'string' || v === '') return 'must be a non-empty string';
  const unknown = [...v.matchAll(/\{\{\s*([^}\s]*)\s*\}\}/g)]
    .map((m) => m[1]!)
    .find((name) => !JUDGE_PLACEHOLDERS.includes(name));
  if (unknown !== undefined) {
    return `has the placeholder {{${unknown}}}; a judge prompt knows ${JUDGE_PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')}`;
  }
  return /\{\{\s*answer\s*\}\}/.test(v) ? undefined : 'must show the judge the answer: {{answer}}';
};
const tokens: OptionCheck = (v) =>
  Number.isSafeInteger(v) && (v as number) >= 1 ? undefined : 'must be an integer >= 1';

/**
 * The options each type takes, with their checks: a recipe's `{type, options}` is checked
 * against these (messages at the option) before anything runs.
 */
export const METRIC_OPTIONS: Readonly<Record<MetricType, Readonly<Record<string, OptionCheck>>>> = {
  exact_match: {},
  f1: {},
  contains: {value: text, ignore_case: bool},
  regex: {pattern, ignore_case: bool},
  json_valid: {},
  json_schema: {schema},
  length: {unit: oneOf('characters', 'words')},
  bleu: {tokenize: oneOf('13a', 'none', 'intl', 'char', 'zh'), lowercase: bool},
  chrf: {char_order: count, word_order: count, beta: positive, lowercase: bool},
  rouge1: rougeOptions,
  rouge2: rougeOptions,
  rougeL: rougeOptions,
  rougeLsum: rougeOptions,
  llm_judge: {judge, rubric: text, scale: judgeScale, prompt: judgePrompt, max_tokens: tokens},
  latency: {statistic: oneOf('median', 'p95')},
};

/** Options each type requires. */
export const REQUIRED_OPTIONS: Readonly<Partial<Record<MetricType, readonly string[]>>> = {
  regex: ['pattern'],
  json_schema: ['schema'],
  llm_judge: ['judge', 'rubric'],
};
