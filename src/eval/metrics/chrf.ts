/**
 * chrF / chrF++ exactly as sacreBLEU v2.6.0 computes it (`sacrebleu/metrics/chrf.py`, `CHRF`
 * class and the `corpus_chrf` / `sentence_chrf` functions).
 */

import {allCharNgrams, type Counter, total, wordNgrams} from './ngrams.js';
import {booleanOption, checkOptionKeys, integerOption, numberOption} from './options.js';
import {codePoints, pyLower, pySplit} from './python-text.js';
import {type ReferenceEntry, referencesPerSegment, sentenceStreams} from './references.js';

/** chrF options: sacreBLEU's `CHRF(...)` arguments in camelCase, with the same defaults. */
export interface ChrfOptions {
  /** Character n-gram order, default 6. */
  charOrder?: number;
  /** Word n-gram order, default 0; 2 gives chrF++. */
  wordOrder?: number;
  /** Recall weight, default 2. */
  beta?: number;
  /** Lowercase before extracting n-grams. Default false. */
  lowercase?: boolean;
  /** Keep whitespace inside character n-grams. Default false. */
  whitespace?: boolean;
  /**
   * Epsilon smoothing as chrF++.py / NLTK / Moses (true), or sacreBLEU's default effective-order
   * averaging (false).
   */
  epsSmoothing?: boolean;
}

/** A chrF result. */
export interface ChrfScore {
  /** chrF (chrF++ when wordOrder = 2), full precision, 0-100. */
  score: number;
  /**
   * Sufficient statistics summed over segments: for each order (character orders first, then
   * word orders) `[hypothesis n-grams, reference n-grams, matches]` of the best reference.
   */
  statistics: number[];
  charOrder: number;
  wordOrder: number;
  beta: number;
}

interface ResolvedChrfOptions {
  charOrder: number;
  wordOrder: number;
  beta: number;
  lowercase: boolean;
  whitespace: boolean;
  epsSmoothing: boolean;
}

/** Python's `string.punctuation`, used by chrF++'s word splitting. */
const PUNCTUATION = new Set('!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~');

const EPS = 1e-16;

function resolveChrfOptions(metric: string, options: ChrfOptions): ResolvedChrfOptions {
  checkOptionKeys(metric, options, [
    'charOrder',
    'wordOrder',
    'beta',
    'lowercase',
    'whitespace',
    'epsSmoothing',
  ]);
  const charOrder = integerOption(metric, options, 'charOrder', 6, 0);
  const wordOrder = integerOption(metric, options, 'wordOrder', 0, 0);
  if (charOrder + wordOrder < 1) {
    throw new Error(`${metric}: charOrder + wordOrder must be at least 1`);
  }
  return {
    charOrder,
    wordOrder,
    beta: numberOption(metric, options, 'beta', 2, 0),
    lowercase: booleanOption(metric, options, 'lowercase', false),
    whitespace: booleanOption(metric, options, 'whitespace', false),
    epsSmoothing: booleanOption(metric, options, 'epsSmoothing', false),
  };
}

/**
 * sacreBLEU `CHRF._remove_punctuation`: whitespace split, then one leading or trailing
 * `string.punctuation` character of each multi-character word becomes its own token (the
 * trailing one wins, so '(hi)' gives '(hi' and ')', sacreBLEU issue #124).
 */
function removePunctuation(sent: string): string[] {
  const tokenized: string[] = [];
  for (const word of pySplit(sent)) {
    const chars = codePoints(word);
    if (chars.length === 1) {
      tokenized.push(word);
    } else if (PUNCTUATION.has(chars[chars.length - 1]!)) {
      tokenized.push(chars.slice(0, -1).join(''), chars[chars.length - 1]!);
    } else if (PUNCTUATION.has(chars[0]!)) {
      tokenized.push(chars[0]!, chars.slice(1).join(''));
    } else {
      tokenized.push(word);
    }
  }
  return tokenized;
}

/** Character n-grams then word n-grams of one (preprocessed) segment. */
function extractNgrams(sent: string, opts: ResolvedChrfOptions): Counter[] {
  const ngrams = allCharNgrams(sent, opts.charOrder, opts.whitespace);
  if (opts.wordOrder > 0) {
    const words = removePunctuation(sent);
    for (let n = 1; n <= opts.wordOrder; n++) {
      ngrams.push(wordNgrams(words, n));
    }
  }
  return ngrams;
}

/** sacreBLEU `CHRF._get_match_statistics`: `[hyp count (0 if no reference n-grams), ref count, matches]`. */
function matchStatistics(hyp: Counter, ref: Counter): [number, number, number] {
  let matchCount = 0;
  let hypCount = 0;
  for (const [ngram, count] of hyp) {
    hypCount += count;
    const refCount = ref.get(ngram);
    if (refCount !== undefined) {
      matchCount += Math.min(count, refCount);
    }
  }
  return [ref.size > 0 ? hypCount : 0, total(ref), matchCount];
}

/** sacreBLEU `CHRF._compute_f_score` on flattened `[hyp, ref, match]` triples. */
function computeFScore(statistics: readonly number[], opts: ResolvedChrfOptions): number {
  const order = opts.charOrder + opts.wordOrder;
  // Python `beta ** 2` (libm pow, correctly rounded for squares) equals the rounded product
  const factor = opts.beta * opts.beta;
  let score = 0.0;
  let effectiveOrder = 0;
  let avgPrec = 0.0;
  let avgRec = 0.0;

  for (let i = 0; i < order; i++) {
    const nHyp = statistics[3 * i]!;
    const nRef = statistics[3 * i + 1]!;
    const nMatch = statistics[3 * i + 2]!;

    // chrF++.py style EPS smoothing (also used by Moses and NLTK)
    const prec = nHyp > 0 ? nMatch / nHyp : EPS;
    const rec = nRef > 0 ? nMatch / nRef : EPS;

    const denom = factor * prec + rec;
    score += denom > 0 ? ((1 + factor) * prec * rec) / denom : EPS;

    // sacreBLEU <2.0.0 style effective order smoothing
    if (nHyp > 0 && nRef > 0) {
      avgPrec += prec;
      avgRec += rec;
      effectiveOrder += 1;
    }
  }

  if (opts.epsSmoothing) {
    return (100 * score) / order;
  }

  if (effectiveOrder === 0) {
    avgPrec = 0.0;
    avgRec = 0.0;
  } else {
    avgPrec /= effectiveOrder;
    avgRec /= effectiveOrder;
  }

  if (avgPrec + avgRec) {
    let fScore = (1 + factor) * avgPrec * avgRec;
    fScore /= factor * avgPrec + avgRec;
    return 100 * fScore;
  }
  return 0.0;
}

function chrfFromStreams(
  metric: string,
  hypotheses: readonly string[],
  streams: readonly (readonly ReferenceEntry[])[],
  opts: ResolvedChrfOptions,
): ChrfScore {
  const segmentRefs = referencesPerSegment(metric, hypotheses, streams);
  const preprocess = (sent: string): string => (opts.lowercase ? pyLower(sent) : sent);
  const summed = new Array<number>(3 * (opts.charOrder + opts.wordOrder)).fill(0);

  hypotheses.forEach((hypothesis, i) => {
    const refNgrams = segmentRefs[i]!.map((ref) => extractNgrams(preprocess(ref), opts));
    const hypNgrams = extractNgrams(preprocess(hypothesis), opts);

    // `_compute_segment_statistics`: keep the reference with the best F score (first on ties)
    let bestStats: number[] = [];
    let bestFScore = -1.0;
    for (const ref of refNgrams) {
      const stats: number[] = [];
      hypNgrams.forEach((hyp, n) => {
        stats.push(...matchStatistics(hyp, ref[n]!));
      });
      const fScore = computeFScore(stats, opts);
      if (fScore > bestFScore) {
        bestFScore = fScore;
        bestStats = stats;
      }
    }
    bestStats.forEach((value, k) => {
      summed[k] = summed[k]! + value;
    });
  });

  return {
    score: computeFScore(summed, opts),
    statistics: summed,
    charOrder: opts.charOrder,
    wordOrder: opts.wordOrder,
    beta: opts.beta,
  };
}

/**
 * Corpus-level chrF, identical to sacreBLEU's `corpus_chrf` / `CHRF().corpus_score`: statistics
 * of the best reference per segment are summed over the corpus, then turned into one F-beta.
 *
 * @param references sacreBLEU reference streams (`references[k][i]` is the k-th reference of
 *   hypothesis i; `null`/`undefined` entries allowed).
 */
export function corpusChrf(
  hypotheses: readonly string[],
  references: readonly (readonly ReferenceEntry[])[],
  options: ChrfOptions = {},
): ChrfScore {
  const opts = resolveChrfOptions('corpusChrf', options);
  return chrfFromStreams('corpusChrf', hypotheses, references, opts);
}

/**
 * Sentence-level chrF, identical to sacreBLEU's `sentence_chrf` / `CHRF().sentence_score`.
 *
 * @param references the references of this hypothesis (not streams).
 */
export function sentenceChrf(
  hypothesis: string,
  references: readonly ReferenceEntry[],
  options: ChrfOptions = {},
): ChrfScore {
  const opts = resolveChrfOptions('sentenceChrf', options);
  const {hypotheses, streams} = sentenceStreams('sentenceChrf', hypothesis, references);
  return chrfFromStreams('sentenceChrf', hypotheses, streams, opts);
}

/**
 * chrF from sufficient statistics summed over segments (as `ChrfScore.statistics`), with the
 * same options: what a bootstrap over segments needs, without extracting n-grams again.
 */
export function chrfFromStatistics(
  statistics: readonly number[],
  options: ChrfOptions = {},
): number {
  return computeFScore(statistics, resolveChrfOptions('chrfFromStatistics', options));
}
