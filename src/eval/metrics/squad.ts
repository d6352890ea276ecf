/**
 * Exact match and token F1 as in the official SQuAD v1.1 evaluation script
 * (`evaluate-v1.1.py`: `normalize_answer`, `exact_match_score`, `f1_score`,
 * `metric_max_over_ground_truths`).
 */

import {pyLower, pySplit} from './python-text.js';

/** Python `string.punctuation`: the 32 ASCII punctuation characters (nothing else). */
const PUNCTUATION = /[!-/:-@[-`{-~]/gu;

/**
 * Python `re.sub(r'\b(a|an|the)\b', ' ', text)` on a `str`: `\b` is Unicode-aware, a word
 * character being a letter, a number or '_' (CPython's `str.isalnum() or '_'`).
 */
const ARTICLES = /(?<![\p{L}\p{N}_])(a|an|the)(?![\p{L}\p{N}_])/gu;

/**
 * SQuAD v1.1 `normalize_answer`: lowercase (full Unicode), delete ASCII punctuation (without
 * inserting spaces), replace the articles a/an/the by spaces, collapse whitespace.
 */
export function normalizeAnswer(text: string): string {
  const lowered = pyLower(text);
  const noPunct = lowered.replace(PUNCTUATION, '');
  const noArticles = noPunct.replace(ARTICLES, ' ');
  return pySplit(noArticles).join(' ');
}

function exactMatchOne(prediction: string, groundTruth: string): 0 | 1 {
  return normalizeAnswer(prediction) === normalizeAnswer(groundTruth) ? 1 : 0;
}

function f1One(prediction: string, groundTruth: string): number {
  const predictionTokens = pySplit(normalizeAnswer(prediction));
  const groundTruthTokens = pySplit(normalizeAnswer(groundTruth));
  const goldCounts = new Map<string, number>();
  for (const token of groundTruthTokens) {
    goldCounts.set(token, (goldCounts.get(token) ?? 0) + 1);
  }
  // sum((Counter(pred) & Counter(gold)).values())
  let numSame = 0;
  for (const token of predictionTokens) {
    const remaining = goldCounts.get(token) ?? 0;
    if (remaining > 0) {
      numSame += 1;
      goldCounts.set(token, remaining - 1);
    }
  }
  if (numSame === 0) {
    return 0;
  }
  const precision = (1.0 * numSame) / predictionTokens.length;
  const recall = (1.0 * numSame) / groundTruthTokens.length;
  return (2 * precision * recall) / (precision + recall);
}

function maxOverGroundTruths<T extends number>(
  name: string,
  metric: (prediction: string, groundTruth: string) => T,
  prediction: string,
  groundTruths: readonly string[],
): T {
  if (typeof prediction !== 'string') {
    throw new Error(`${name}: the prediction must be a string`);
  }
  if (!Array.isArray(groundTruths) || groundTruths.length === 0) {
    throw new Error(`${name}: at least one ground truth answer is required`);
  }
  let best: T | undefined;
  for (const groundTruth of groundTruths) {
    if (typeof groundTruth !== 'string') {
      throw new Error(`${name}: ground truth answers must be strings`);
    }
    const score = metric(prediction, groundTruth);
    if (best === undefined || score > best) {
      best = score;
    }
  }
  return best!;
}

/**
 * SQuAD v1.1 exact match: 1 if the normalized prediction equals some normalized ground truth.
 * Two answers that both normalize to the empty string match (EM 1).
 */
export function exactMatch(prediction: string, groundTruths: readonly string[]): 0 | 1 {
  return maxOverGroundTruths('exactMatch', exactMatchOne, prediction, groundTruths);
}

/**
 * SQuAD v1.1 token F1 (bag-of-tokens overlap of normalized answers), maximised over the ground
 * truths. As in v1.1 (unlike v2.0), an empty answer scores 0 even against an empty ground truth.
 */
export function tokenF1(prediction: string, groundTruths: readonly string[]): number {
  return maxOverGroundTruths('tokenF1', f1One, prediction, groundTruths);
}
