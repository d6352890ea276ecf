import {Ajv} from 'ajv';
import type {MetricType} from '../core/eval-types.js';

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
    new Ajv({strict: false}).compile(v as object);
    return undefined;
  } catch (e) {
    return `is not a usable JSON Schema: ${(e as Error).message}`;
  }
};
const rougeOptions = {use_stemmer: bool};

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
};

/** Options each type requires. */
export const REQUIRED_OPTIONS: Readonly<Partial<Record<MetricType, readonly string[]>>> = {
  regex: ['pattern'],
  json_schema: ['schema'],
};
