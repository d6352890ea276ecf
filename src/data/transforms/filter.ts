import {isDeepStrictEqual} from 'node:util';
import type {NormalizedTransform} from '../../recipe/normalized.js';
import type {Predicate} from '../../recipe/recipe-types.js';
import {countChatTokens} from '../../tokens/index.js';
import type {Example} from '../records/example.js';
import {fieldReader} from '../records/fields.js';
import {toTrainingExample} from '../records/formats.js';
import {MissingFields} from './missing-fields.js';
import type {TransformContext, TransformStep} from './transform.js';

export type FilterOptions = Extract<NormalizedTransform, {filter: unknown}>['filter'];

/**
 * Keeps the records that pass every condition, and counts the others per reason
 * (`where[0]`, `max_tokens`, ...). The `where` conditions are checked in order and checking
 * stops at the first that fails, so an `exists` condition guards those after it. A record that
 * lacks a condition's field is handled by `missing` (missing-fields.ts), except by conditions
 * that test `exists`, for which absence is an answer. Token lengths are chat tokens by the
 * OpenAI cookbook's rule (countChatTokens) in the named encoding; preference pairs count their
 * input and preferred output. A record that is not a chat example cannot be measured: that is a
 * data error.
 */
export function filterTransform(
  options: FilterOptions,
  ctx: TransformContext,
  index = 0,
): TransformStep {
  const tests = (options.where ?? []).map((p, i) => ({
    label: `where[${i}].field`,
    field: p.field,
    read: fieldReader(p.field),
    // `exists` decides what absence means; the other tests need a value.
    optional: p.exists !== undefined,
    test: compileTests(p),
  }));
  const missing = new MissingFields('filter', index, options.missing, () => ctx.problems);
  const dropped: Record<string, number> = {};
  let seen = 0;
  let out = 0;
  const measure = options.max_tokens !== undefined || options.min_tokens !== undefined;
  const drop = (reason: string) => {
    dropped[reason] = (dropped[reason] ?? 0) + 1;
  };
  return {
    name: 'filter',
    process(batch) {
      const kept: Example[] = [];
      next: for (const example of batch) {
        seen++;
        for (let i = 0; i < tests.length; i++) {
          const t = tests[i]!;
          const value = t.read(example);
          const outcome = missing.check(example, t.label, t.field, value, {optional: t.optional});
          if (outcome === 'drop') continue next;
          if (outcome === 'keep' && !t.optional) continue; // counts as passed
          if (!t.test(value)) {
            drop(`where[${i}]`);
            continue next;
          }
        }
        if (measure) {
          const tokens = chatTokens(example.record, options.encoding ?? 'o200k_base');
          if (tokens === undefined) {
            ctx.problems.add(
              example.origin,
              'filter: max_tokens/min_tokens need chat examples (messages)',
            );
            continue;
          }
          if (options.max_tokens !== undefined && tokens > options.max_tokens) {
            drop('max_tokens');
            continue;
          }
          if (options.min_tokens !== undefined && tokens < options.min_tokens) {
            drop('min_tokens');
            continue;
          }
        }
        kept.push(example);
      }
      out += kept.length;
      return kept;
    },
    summary: () => ({
      in: seen,
      out,
      dropped: {...dropped, ...missing.dropped()},
      ...missing.summary(),
    }),
  };
}

function chatTokens(
  record: Record<string, unknown>,
  encoding: 'cl100k_base' | 'o200k_base',
): number | undefined {
  const normal = toTrainingExample(record);
  if (Array.isArray(normal.messages)) {
    return countChatTokens({messages: normal.messages as Record<string, unknown>[]}, encoding);
  }
  const input = (normal.input as {messages?: unknown} | undefined)?.messages;
  const preferred = normal.preferred_output;
  if (Array.isArray(input) && Array.isArray(preferred)) {
    return countChatTokens(
      {messages: [...input, ...preferred] as Record<string, unknown>[]},
      encoding,
    );
  }
  return undefined;
}

/** A predicate's tests on the field's value (undefined when absent); every one must hold. */
export function compileTests(p: Predicate): (value: unknown) => boolean {
  const checks: ((v: unknown) => boolean)[] = [];
  if ('equals' in p) checks.push((v) => isDeepStrictEqual(v, p.equals));
  if ('not_equals' in p) checks.push((v) => !isDeepStrictEqual(v, p.not_equals));
  if (p.in) checks.push((v) => p.in!.some((x) => isDeepStrictEqual(v, x)));
  if (p.not_in) checks.push((v) => !p.not_in!.some((x) => isDeepStrictEqual(v, x)));
  if (p.gt !== undefined) checks.push((v) => typeof v === 'number' && v > p.gt!);
  if (p.gte !== undefined) checks.push((v) => typeof v === 'number' && v >= p.gte!);
  if (p.lt !== undefined) checks.push((v) => typeof v === 'number' && v < p.lt!);
  if (p.lte !== undefined) checks.push((v) => typeof v === 'number' && v <= p.lte!);
  if (p.matches !== undefined) {
    const regex = new RegExp(p.matches, 'u');
    checks.push((v) => typeof v === 'string' && regex.test(v));
  }
  if (p.exists !== undefined) checks.push((v) => (v !== undefined && v !== null) === p.exists);
  const lengthOf = (v: unknown) =>
    typeof v === 'string' || Array.isArray(v) ? v.length : undefined;
  if (p.min_length !== undefined) {
    checks.push((v) => (lengthOf(v) ?? Number.NEGATIVE_INFINITY) >= p.min_length!);
  }
  if (p.max_length !== undefined) {
    checks.push((v) => (lengthOf(v) ?? Number.POSITIVE_INFINITY) <= p.max_length!);
  }
  return (value) => {
    for (let i = 0; i < checks.length; i++) if (!checks[i]!(value)) return false;
    return true;
  };
}
