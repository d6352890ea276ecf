/**
 * n-gram counting shared by BLEU, chrF and ROUGE, mirroring Python's `collections.Counter`
 * usage in sacreBLEU (`metrics/helpers.py`) and rouge-score (`rouge_scorer._create_ngrams`).
 */

import {codePoints, pySplit} from './python-text.js';

/** A multiset of strings (Python `collections.Counter`). */
export type Counter = Map<string, number>;

/** Increments `key` in `counter` by `by` (default 1). */
export function increment(counter: Counter, key: string, by = 1): void {
  counter.set(key, (counter.get(key) ?? 0) + by);
}

/** Sum of all counts (Python `sum(counter.values())`). */
export function total(counter: Counter): number {
  let sum = 0;
  for (const count of counter.values()) {
    sum += count;
  }
  return sum;
}

/** Size of the multiset intersection (Python `sum((a & b).values())`). */
export function intersectionSize(a: Counter, b: Counter): number {
  let sum = 0;
  for (const [key, count] of a) {
    const other = b.get(key);
    if (other !== undefined) {
      sum += Math.min(count, other);
    }
  }
  return sum;
}

/** Counts the n-grams of order `n` over `tokens`, joined with a single space. */
export function wordNgrams(tokens: readonly string[], n: number): Counter {
  const counter: Counter = new Map();
  for (let i = 0; i + n <= tokens.length; i++) {
    increment(counter, tokens.slice(i, i + n).join(' '));
  }
  return counter;
}

/**
 * sacreBLEU `extract_all_word_ngrams(line, 1, maxOrder)`: whitespace-tokenizes `line` and returns
 * one counter per order (index 0 = unigrams) plus the token count.
 */
export function allWordNgrams(line: string, maxOrder: number): {ngrams: Counter[]; length: number} {
  const tokens = pySplit(line);
  const ngrams: Counter[] = [];
  for (let n = 1; n <= maxOrder; n++) {
    ngrams.push(wordNgrams(tokens, n));
  }
  return {ngrams, length: tokens.length};
}

/**
 * sacreBLEU `extract_all_char_ngrams(line, maxOrder, includeWhitespace)`: character (code point)
 * n-grams of orders 1..maxOrder; whitespace is removed first unless `includeWhitespace`.
 */
export function allCharNgrams(
  line: string,
  maxOrder: number,
  includeWhitespace: boolean,
): Counter[] {
  const text = includeWhitespace ? line : pySplit(line).join('');
  const chars = codePoints(text);
  const counters: Counter[] = [];
  for (let n = 1; n <= maxOrder; n++) {
    const counter: Counter = new Map();
    for (let i = 0; i + n <= chars.length; i++) {
      increment(counter, chars.slice(i, i + n).join(''));
    }
    counters.push(counter);
  }
  return counters;
}
