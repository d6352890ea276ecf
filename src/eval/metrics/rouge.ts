/**
 * ROUGE-N, ROUGE-L and ROUGE-Lsum exactly as Google's rouge-score 0.1.2 computes them
 * (`rouge_score/rouge_scorer.py`, `RougeScorer.score` / `score_multi`).
 */

import {type Counter, increment, total} from './ngrams.js';
import {booleanOption, checkOptionKeys, describe} from './options.js';
import {rougeTokenize} from './rouge-tokenizer.js';

/** Precision, recall and F1 on a 0-1 scale (rouge-score `Score`). */
export interface RougeScoreValue {
  precision: number;
  recall: number;
  fmeasure: number;
}

/** Options of {@link rougeScore} (rouge-score `RougeScorer(...)` arguments in camelCase). */
export interface RougeOptions {
  /** ROUGE types: 'rouge1'..'rouge9', 'rougeL', 'rougeLsum'. */
  types: readonly string[];
  /** Porter-stem tokens longer than 3 characters (NLTK PorterStemmer). Default false. */
  useStemmer?: boolean;
  /**
   * rougeLsum sentence splitting with NLTK's punkt model. Not available in ft (it needs the
   * trained punkt model); pass newline-separated sentences instead (the default, false).
   */
  splitSummaries?: boolean;
}

const ROUGE_N = /^rouge([0-9])$/u;

/** rouge-score `scoring.fmeasure`. */
function fmeasure(precision: number, recall: number): number {
  if (precision + recall > 0) {
    return (2 * precision * recall) / (precision + recall);
  }
  return 0.0;
}

/** rouge-score `_create_ngrams`. */
function createNgrams(tokens: readonly string[], n: number): Counter {
  const ngrams: Counter = new Map();
  for (let i = 0; i + n <= tokens.length; i++) {
    increment(ngrams, tokens.slice(i, i + n).join(' '));
  }
  return ngrams;
}

/** rouge-score `_score_ngrams`: clipped overlap over target n-grams. */
function scoreNgrams(targetNgrams: Counter, predictionNgrams: Counter): RougeScoreValue {
  let intersection = 0;
  for (const [ngram, count] of targetNgrams) {
    intersection += Math.min(count, predictionNgrams.get(ngram) ?? 0);
  }
  const targetCount = total(targetNgrams);
  const predictionCount = total(predictionNgrams);
  const precision = intersection / Math.max(predictionCount, 1);
  const recall = intersection / Math.max(targetCount, 1);
  return {precision, recall, fmeasure: fmeasure(precision, recall)};
}

/** Scratch buffer for LCS tables, grown on demand (tables are only used one at a time). */
let tableBuffer = new Int32Array(1024);

/**
 * rouge-score `_lcs_table` (rows = ref, cols = can) as a flat row-major array of
 * (ref.length + 1) x (can.length + 1) cells, in a shared scratch buffer.
 */
function lcsTable(ref: readonly string[], can: readonly string[]): Int32Array {
  const rows = ref.length;
  const width = can.length + 1;
  const size = (rows + 1) * width;
  if (tableBuffer.length < size) {
    tableBuffer = new Int32Array(Math.max(size, tableBuffer.length * 2));
  }
  const table = tableBuffer;
  table.fill(0, 0, size);
  for (let i = 1; i <= rows; i++) {
    const row = i * width;
    const above = row - width;
    const word = ref[i - 1];
    for (let j = 1; j < width; j++) {
      table[row + j] =
        word === can[j - 1]
          ? table[above + j - 1]! + 1
          : Math.max(table[above + j]!, table[row + j - 1]!);
    }
  }
  return table;
}

/** Length of the LCS (the last cell of `_lcs_table`), computed with two rows. */
function lcsLength(ref: readonly string[], can: readonly string[]): number {
  let above = new Int32Array(can.length + 1);
  let row = new Int32Array(can.length + 1);
  for (let i = 1; i <= ref.length; i++) {
    for (let j = 1; j <= can.length; j++) {
      row[j] = ref[i - 1] === can[j - 1] ? above[j - 1]! + 1 : Math.max(above[j]!, row[j - 1]!);
    }
    [above, row] = [row, above];
  }
  return above[can.length]!;
}

/** rouge-score `_score_lcs` (rougeL). */
function scoreLcs(
  targetTokens: readonly string[],
  predictionTokens: readonly string[],
): RougeScoreValue {
  if (targetTokens.length === 0 || predictionTokens.length === 0) {
    return {precision: 0, recall: 0, fmeasure: 0};
  }
  const length = lcsLength(targetTokens, predictionTokens);
  const precision = length / predictionTokens.length;
  const recall = length / targetTokens.length;
  return {precision, recall, fmeasure: fmeasure(precision, recall)};
}

/** rouge-score `lcs_ind` + `_backtrack_norec`: indices into `ref` of one longest LCS. */
function lcsIndices(ref: readonly string[], can: readonly string[]): number[] {
  const t = lcsTable(ref, can);
  const width = can.length + 1;
  let i = ref.length;
  let j = can.length;
  const lcs: number[] = [];
  while (i > 0 && j > 0) {
    if (ref[i - 1] === can[j - 1]) {
      lcs.push(i - 1);
      i -= 1;
      j -= 1;
    } else if (t[i * width + j - 1]! > t[(i - 1) * width + j]!) {
      j -= 1;
    } else {
      i -= 1;
    }
  }
  return lcs.reverse();
}

/** rouge-score `_union_lcs`: tokens of `ref` in the union of its LCS with every candidate sentence. */
function unionLcs(ref: readonly string[], candidates: readonly (readonly string[])[]): string[] {
  const union = new Set<number>();
  for (const can of candidates) {
    for (const index of lcsIndices(ref, can)) {
      union.add(index);
    }
  }
  return [...union].sort((a, b) => a - b).map((index) => ref[index]!);
}

/** rouge-score `_summary_level_lcs` (rougeLsum), with ROUGE-1.5.5's double-counting guard. */
function summaryLevelLcs(
  refSents: readonly (readonly string[])[],
  canSents: readonly (readonly string[])[],
): RougeScoreValue {
  if (refSents.length === 0 || canSents.length === 0) {
    return {precision: 0, recall: 0, fmeasure: 0};
  }
  const m = refSents.reduce((sum, sent) => sum + sent.length, 0);
  const n = canSents.reduce((sum, sent) => sum + sent.length, 0);
  if (n === 0 || m === 0) {
    return {precision: 0, recall: 0, fmeasure: 0};
  }

  // get token counts to prevent double counting
  const tokenCountsR: Counter = new Map();
  const tokenCountsC: Counter = new Map();
  for (const sent of refSents) {
    for (const token of sent) {
      increment(tokenCountsR, token);
    }
  }
  for (const sent of canSents) {
    for (const token of sent) {
      increment(tokenCountsC, token);
    }
  }

  let hits = 0;
  for (const ref of refSents) {
    for (const token of unionLcs(ref, canSents)) {
      const c = tokenCountsC.get(token) ?? 0;
      const r = tokenCountsR.get(token) ?? 0;
      if (c > 0 && r > 0) {
        hits += 1;
        tokenCountsC.set(token, c - 1);
        tokenCountsR.set(token, r - 1);
      }
    }
  }

  const recall = hits / m;
  const precision = hits / n;
  return {precision, recall, fmeasure: fmeasure(precision, recall)};
}

/** rougeLsum sentences: `text.split('\n')` without empty strings (split_summaries=False). */
function newlineSentences(text: string): string[] {
  return text.split('\n').filter((sent) => sent.length > 0);
}

function validateTypes(types: unknown): string[] {
  if (!Array.isArray(types) || types.some((t) => typeof t !== 'string')) {
    throw new Error("rougeScore: option 'types' must be an array of ROUGE type names");
  }
  for (const type of types as string[]) {
    const match = ROUGE_N.exec(type);
    if (match !== null) {
      if (Number(match[1]) <= 0) {
        throw new Error(`rougeScore: rougen requires positive n: ${type}`);
      }
    } else if (type !== 'rougeL' && type !== 'rougeLsum') {
      throw new Error(
        `rougeScore: invalid rouge type: ${describe(type)} (expected rouge1..rouge9, rougeL or rougeLsum)`,
      );
    }
  }
  return types as string[];
}

/** rouge-score `RougeScorer.score(target, prediction)` for already validated types. */
function scoreOne(
  target: string,
  prediction: string,
  types: readonly string[],
  useStemmer: boolean,
): Record<string, RougeScoreValue> {
  const tokenize = (text: string): string[] => rougeTokenize(text, {useStemmer});
  const targetTokens = tokenize(target);
  const predictionTokens = tokenize(prediction);
  const result: Record<string, RougeScoreValue> = {};
  for (const type of types) {
    if (type === 'rougeL') {
      result[type] = scoreLcs(targetTokens, predictionTokens);
    } else if (type === 'rougeLsum') {
      result[type] = summaryLevelLcs(
        newlineSentences(target).map(tokenize),
        newlineSentences(prediction).map(tokenize),
      );
    } else {
      const n = Number(type.slice(5));
      result[type] = scoreNgrams(createNgrams(targetTokens, n), createNgrams(predictionTokens, n));
    }
  }
  return result;
}

/**
 * ROUGE scores identical to rouge-score 0.1.2's `RougeScorer(types, use_stemmer).score(target,
 * prediction)`, or `.score_multi(targets, prediction)` when `target` is an array (per type, the
 * target with the highest F-measure; the first one on ties, as `np.argmax`).
 *
 * Note the argument order of rouge-score: the reference (target) first, the prediction second.
 * rougeLsum treats each line ('\n'-separated) as a sentence.
 *
 * @returns `{[type]: {precision, recall, fmeasure}}` on a 0-1 scale.
 */
export function rougeScore(
  target: string | readonly string[],
  prediction: string,
  options: RougeOptions,
): Record<string, RougeScoreValue> {
  checkOptionKeys('rougeScore', options, ['types', 'useStemmer', 'splitSummaries']);
  const types = validateTypes(options.types);
  const useStemmer = booleanOption('rougeScore', options, 'useStemmer', false);
  if (booleanOption('rougeScore', options, 'splitSummaries', false)) {
    throw new Error(
      "rougeScore: splitSummaries is not available in ft: rouge-score splits with NLTK's punkt " +
        'sentence tokenizer model; put one sentence per line and use splitSummaries: false',
    );
  }
  if (typeof prediction !== 'string') {
    throw new Error('rougeScore: the prediction must be a string');
  }
  if (typeof target === 'string') {
    return scoreOne(target, prediction, types, useStemmer);
  }
  if (!Array.isArray(target) || target.some((t) => typeof t !== 'string')) {
    throw new Error('rougeScore: the target must be a string or an array of strings');
  }
  const scores = target.map((t) => scoreOne(t, prediction, types, useStemmer));
  const best: Record<string, RougeScoreValue> = {};
  for (const type of types) {
    if (scores.length === 0) {
      throw new Error('rougeScore: at least one target is required');
    }
    let bestIndex = 0;
    scores.forEach((score, index) => {
      if (score[type]!.fmeasure > scores[bestIndex]![type]!.fmeasure) {
        bestIndex = index;
      }
    });
    best[type] = scores[bestIndex]![type]!;
  }
  return best;
}
