import {isDeepStrictEqual} from 'node:util';
import type {FilterOptions, Predicate} from '../../recipe/recipe-types.js';
import {countChatTokens} from '../../tokens/index.js';
import type {Example} from '../records/example.js';
import {pathReader} from '../records/fields.js';
import {toTrainingExample} from '../records/formats.js';
import type {TransformContext, TransformStep} from './transform.js';

/**
 * Keeps the records that pass every condition, and counts the others per reason
 * (`where[0]`, `max_tokens`, ...). Token lengths are chat tokens by the OpenAI cookbook's rule
 * (countChatTokens) in the named encoding; preference pairs count their input and preferred
 * output. A record that is not a chat example cannot be measured: that is a data error.
 */
export function filterTransform(options: FilterOptions, ctx: TransformContext): TransformStep {
  const tests = (options.where ?? []).map((p, i) => ({reason: `where[${i}]`, test: compile(p)}));
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
        for (const {reason, test} of tests) {
          if (!test(example.record)) {
            drop(reason);
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
    summary: () => ({in: seen, out, dropped: {...dropped}}),
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

/** A predicate as a function; every test given must hold. */
export function compile(p: Predicate): (record: Record<string, unknown>) => boolean {
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
  const read = pathReader(p.field);
  return (record) => {
    const value = read(record);
    for (let i = 0; i < checks.length; i++) if (!checks[i]!(value)) return false;
    return true;
  };
}
