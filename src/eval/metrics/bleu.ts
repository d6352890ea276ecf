/**
 * BLEU exactly as sacreBLEU v2.6.0 computes it (`sacrebleu/metrics/bleu.py`, `BLEU` class and
 * the `corpus_bleu` / `sentence_bleu` compatibility functions).
 */

import {allWordNgrams, type Counter} from './ngrams.js';
import {booleanOption, checkOptionKeys, describe, integerOption} from './options.js';
import {preciseExp, preciseLog} from './precise-math.js';
import {pyLower, pyRstrip} from './python-text.js';
import {type ReferenceEntry, referencesPerSegment, sentenceStreams} from './references.js';
import {type BleuTokenizer, getBleuTokenizer} from './tokenizers/index.js';

/** sacreBLEU smoothing methods (Chen & Cherry 2014): none, floor (1), add-k (2), exp (3, mteval). */
export type SmoothMethod = 'exp' | 'floor' | 'add-k' | 'none';

/** sacreBLEU `BLEU.SMOOTH_DEFAULTS`. */
const SMOOTH_DEFAULTS: Record<SmoothMethod, number | null> = {
  none: null,
  floor: 0.1,
  'add-k': 1,
  exp: null,
};

const SMOOTH_METHODS = Object.keys(SMOOTH_DEFAULTS) as SmoothMethod[];

/**
 * BLEU options: sacreBLEU's `BLEU(...)` / `corpus_bleu(...)` arguments in camelCase, with the
 * same defaults.
 */
export interface BleuOptions {
  /** Tokenizer: '13a' (default), 'none', 'intl', 'char', 'zh'. Model-based ones throw. */
  tokenize?: string | null;
  /** Smoothing method, default 'exp' (mteval-v13a). */
  smoothMethod?: SmoothMethod;
  /** Value for 'floor' (default 0.1) and 'add-k' (default 1); null/undefined = default. */
  smoothValue?: number | null;
  /** Lowercase hypotheses and references before tokenizing. Default false. */
  lowercase?: boolean;
  /** Stop at the highest n-gram order the hypothesis has. Default false (corpus), true (sentence). */
  useEffectiveOrder?: boolean;
  /** Maximum n-gram order, default 4. */
  maxNgramOrder?: number;
  /** Accepted for compatibility; only silences sacreBLEU's "already tokenized" warning. */
  force?: boolean;
  /** Target language; only used to pick the tokenizer when `tokenize` is not given (as sacreBLEU). */
  trgLang?: string;
}

/** A BLEU result, with sacreBLEU's `BLEUScore` fields (scores and precisions on a 0-100 scale). */
export interface BleuScore {
  /** BLEU, full precision (not rounded), 0-100. */
  score: number;
  /** Modified n-gram precisions (with smoothing applied), 0-100, one per order. */
  precisions: number[];
  /** Brevity penalty. */
  bp: number;
  /** Total hypothesis length in tokens. */
  sysLen: number;
  /** Total closest-reference length in tokens. */
  refLen: number;
  /** Matched n-grams per order (raw sufficient statistics, before add-k smoothing). */
  counts: number[];
  /** Hypothesis n-grams per order (raw sufficient statistics, before add-k smoothing). */
  totals: number[];
}

/** Options of {@link computeBleu} (sacreBLEU `BLEU.compute_bleu` keyword arguments). */
export interface ComputeBleuOptions {
  /** Default 'none', as `compute_bleu`. */
  smoothMethod?: SmoothMethod;
  smoothValue?: number | null;
  /** Default false. */
  effectiveOrder?: boolean;
  /** Default: the length of `correct`. */
  maxNgramOrder?: number;
}

const BLEU_OPTION_KEYS = [
  'tokenize',
  'smoothMethod',
  'smoothValue',
  'lowercase',
  'useEffectiveOrder',
  'maxNgramOrder',
  'force',
  'trgLang',
] as const;

interface ResolvedBleuOptions {
  tokenizer: BleuTokenizer;
  smoothMethod: SmoothMethod;
  smoothValue: number | null;
  lowercase: boolean;
  effectiveOrder: boolean;
  maxNgramOrder: number;
}

/** sacreBLEU `utils.my_log`: log with log(0) replaced by a huge negative number. */
function myLog(value: number): number {
  return value === 0 ? -9999999999 : preciseLog(value);
}

function smoothMethodOption(metric: string, value: unknown, fallback: SmoothMethod): SmoothMethod {
  if (value === undefined) {
    return fallback;
  }
  if (typeof value !== 'string' || !(SMOOTH_METHODS as string[]).includes(value)) {
    throw new Error(
      `${metric}: unknown smoothMethod ${describe(value)} (expected one of ${SMOOTH_METHODS.join(', ')})`,
    );
  }
  return value as SmoothMethod;
}

function smoothValueOption(metric: string, value: unknown): number | null {
  if (value === undefined || value === null) {
    return null;
  }
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new Error(
      `${metric}: option 'smoothValue' must be a finite number >= 0 or null, got ${describe(value)}`,
    );
  }
  return value;
}

/** sacreBLEU `BLEU._TOKENIZER_MAP`: default tokenizer per target language. */
const TOKENIZER_BY_LANGUAGE: Record<string, string> = {zh: 'zh', ja: 'ja-mecab', ko: 'ko-mecab'};

function resolveBleuOptions(
  metric: string,
  options: BleuOptions,
  defaultEffectiveOrder: boolean,
): ResolvedBleuOptions {
  checkOptionKeys(metric, options, BLEU_OPTION_KEYS);
  const trgLang = options.trgLang;
  if (trgLang !== undefined && typeof trgLang !== 'string') {
    throw new Error(`${metric}: option 'trgLang' must be a string, got ${describe(trgLang)}`);
  }
  let tokenize: unknown = options.tokenize;
  if (tokenize === undefined || tokenize === null) {
    tokenize =
      trgLang !== undefined && Object.hasOwn(TOKENIZER_BY_LANGUAGE, trgLang)
        ? TOKENIZER_BY_LANGUAGE[trgLang]
        : '13a';
  }
  if (typeof tokenize !== 'string') {
    throw new Error(`${metric}: option 'tokenize' must be a string, got ${describe(tokenize)}`);
  }
  booleanOption(metric, options, 'force', false);
  return {
    tokenizer: getBleuTokenizer(tokenize),
    smoothMethod: smoothMethodOption(metric, options.smoothMethod, 'exp'),
    smoothValue: smoothValueOption(metric, options.smoothValue),
    lowercase: booleanOption(metric, options, 'lowercase', false),
    effectiveOrder: booleanOption(metric, options, 'useEffectiveOrder', defaultEffectiveOrder),
    maxNgramOrder: integerOption(metric, options, 'maxNgramOrder', 4, 1),
  };
}

/**
 * BLEU from sufficient statistics, exactly as sacreBLEU's `BLEU.compute_bleu`: brevity penalty
 * `exp(1 - refLen / sysLen)` when `sysLen < refLen` (0 when `sysLen` is 0), an early 0 when no
 * n-gram matches at all (#141), 'exp' smoothing halving the pseudo-count for each further order
 * without matches, 'floor' using `smoothValue / total`, 'add-k' adding `smoothValue` to the
 * counts and totals of orders >= 2, and effective order stopping at the first order with no
 * hypothesis n-grams. The geometric mean is `exp(sum(log p) / order)` with log(0) = -9999999999,
 * summed left to right like Python's `sum`. `exp`/`log` are correctly rounded (as glibc's, which
 * Python uses) rather than V8's `Math.exp`/`Math.log`, so scores match sacreBLEU to the last bit
 * in all but rare near-tie cases.
 *
 * @param correct matched n-grams per order (not modified)
 * @param total hypothesis n-grams per order (not modified)
 */
export function computeBleu(
  correct: readonly number[],
  total: readonly number[],
  sysLen: number,
  refLen: number,
  options: ComputeBleuOptions = {},
): BleuScore {
  const metric = 'computeBleu';
  checkOptionKeys(metric, options, [
    'smoothMethod',
    'smoothValue',
    'effectiveOrder',
    'maxNgramOrder',
  ]);
  const smoothMethod = smoothMethodOption(metric, options.smoothMethod, 'none');
  const smoothValue =
    smoothValueOption(metric, options.smoothValue) ?? SMOOTH_DEFAULTS[smoothMethod] ?? 0;
  const effectiveOrder = booleanOption(metric, options, 'effectiveOrder', false);
  const maxNgramOrder = integerOption(metric, options, 'maxNgramOrder', correct.length, 1);
  if (correct.length < maxNgramOrder || total.length < maxNgramOrder) {
    throw new Error(`${metric}: correct and total need ${maxNgramOrder} entries`);
  }

  // Compute brevity penalty
  let bp: number;
  if (sysLen < refLen) {
    bp = sysLen > 0 ? preciseExp(1 - refLen / sysLen) : 0.0;
  } else {
    bp = 1.0;
  }

  const counts = correct.slice(0, maxNgramOrder);
  const totals = total.slice(0, maxNgramOrder);
  const precisions = new Array<number>(maxNgramOrder).fill(0);
  const result = {precisions, bp, sysLen, refLen, counts: counts.slice(), totals: totals.slice()};

  // Early stop if there are no matches (#141)
  if (!counts.some((c) => c !== 0)) {
    return {score: 0.0, ...result};
  }

  let smoothMteval = 1.0;
  let effOrder = maxNgramOrder;
  for (let n = 1; n <= maxNgramOrder; n++) {
    if (smoothMethod === 'add-k' && n > 1) {
      counts[n - 1] = counts[n - 1]! + smoothValue;
      totals[n - 1] = totals[n - 1]! + smoothValue;
    }
    const nTotal = totals[n - 1]!;
    const nCorrect = counts[n - 1]!;
    if (nTotal === 0) {
      break;
    }
    if (effectiveOrder) {
      effOrder = n;
    }
    if (nCorrect === 0) {
      if (smoothMethod === 'exp') {
        smoothMteval *= 2;
        precisions[n - 1] = 100.0 / (smoothMteval * nTotal);
      } else if (smoothMethod === 'floor') {
        precisions[n - 1] = (100.0 * smoothValue) / nTotal;
      }
    } else {
      precisions[n - 1] = (100.0 * nCorrect) / nTotal;
    }
  }

  let logSum = 0;
  for (const p of precisions.slice(0, effOrder)) {
    logSum += myLog(p);
  }
  const score = bp * preciseExp(logSum / effOrder);
  return {score, ...result};
}

/** sacreBLEU `BLEU._get_closest_ref_len`: closest reference length, ties to the shorter one. */
function closestRefLen(hypLen: number, refLens: readonly number[]): number {
  let closestDiff = -1;
  let closestLen = -1;
  for (const refLen of refLens) {
    const diff = Math.abs(hypLen - refLen);
    if (closestDiff === -1 || diff < closestDiff) {
      closestDiff = diff;
      closestLen = refLen;
    } else if (diff === closestDiff && refLen < closestLen) {
      closestLen = refLen;
    }
  }
  return closestLen;
}

function bleuFromStreams(
  metric: string,
  hypotheses: readonly string[],
  streams: readonly (readonly ReferenceEntry[])[],
  opts: ResolvedBleuOptions,
): BleuScore {
  const segmentRefs = referencesPerSegment(metric, hypotheses, streams);
  const order = opts.maxNgramOrder;
  // sacreBLEU `_preprocess_segment`: optional lowercasing, then tokenizer(sent.rstrip())
  const preprocess = (sent: string): string =>
    opts.tokenizer(pyRstrip(opts.lowercase ? pyLower(sent) : sent));

  let sysLen = 0;
  let refLen = 0;
  const correct = new Array<number>(order).fill(0);
  const total = new Array<number>(order).fill(0);

  hypotheses.forEach((hypothesis, i) => {
    // `_extract_reference_info`: per-n-gram max count over the references, and their lengths
    const refNgrams: Counter[] = [];
    const refLens: number[] = [];
    for (const ref of segmentRefs[i]!) {
      const extracted = allWordNgrams(preprocess(ref), order);
      refLens.push(extracted.length);
      extracted.ngrams.forEach((counter, n) => {
        const merged = refNgrams[n];
        if (merged === undefined) {
          refNgrams[n] = counter;
          return;
        }
        for (const [ngram, count] of counter) {
          merged.set(ngram, Math.max(merged.get(ngram) ?? 0, count));
        }
      });
    }

    // `_compute_segment_statistics`
    const hyp = allWordNgrams(preprocess(hypothesis), order);
    sysLen += hyp.length;
    refLen += closestRefLen(hyp.length, refLens);
    hyp.ngrams.forEach((counter, n) => {
      const refCounter = refNgrams[n]!;
      for (const [ngram, count] of counter) {
        total[n] = total[n]! + count;
        const refCount = refCounter.get(ngram);
        if (refCount !== undefined) {
          correct[n] = correct[n]! + Math.min(count, refCount);
        }
      }
    });
  });

  return computeBleu(correct, total, sysLen, refLen, {
    smoothMethod: opts.smoothMethod,
    smoothValue: opts.smoothValue,
    effectiveOrder: opts.effectiveOrder,
    maxNgramOrder: order,
  });
}

/**
 * Corpus-level BLEU, identical to sacreBLEU's `corpus_bleu(hypotheses, references, ...)`.
 *
 * @param hypotheses one system output per segment
 * @param references sacreBLEU reference streams: `references[k][i]` is the k-th reference of
 *   hypothesis i; `null`/`undefined` entries give a variable number of references per segment.
 * @param options sacreBLEU's options in camelCase; `useEffectiveOrder` defaults to false.
 */
export function corpusBleu(
  hypotheses: readonly string[],
  references: readonly (readonly ReferenceEntry[])[],
  options: BleuOptions = {},
): BleuScore {
  const opts = resolveBleuOptions('corpusBleu', options, false);
  return bleuFromStreams('corpusBleu', hypotheses, references, opts);
}

/**
 * Sentence-level BLEU, identical to sacreBLEU's `sentence_bleu(hypothesis, references, ...)`
 * (`BLEU.sentence_score`), whose `use_effective_order` defaults to true.
 *
 * @param references the references of this hypothesis (not streams).
 */
export function sentenceBleu(
  hypothesis: string,
  references: readonly ReferenceEntry[],
  options: BleuOptions = {},
): BleuScore {
  const opts = resolveBleuOptions('sentenceBleu', options, true);
  const {hypotheses, streams} = sentenceStreams('sentenceBleu', hypothesis, references);
  return bleuFromStreams('sentenceBleu', hypotheses, streams, opts);
}

/**
 * Tokenizes `text` with sacreBLEU's BLEU preprocessing (optional lowercasing, right strip, then
 * the named tokenizer), e.g. to inspect what BLEU counts.
 */
export function bleuTokenize(
  text: string,
  options: Pick<BleuOptions, 'tokenize' | 'lowercase'> = {},
): string {
  const opts = resolveBleuOptions('bleuTokenize', options, false);
  return opts.tokenizer(pyRstrip(opts.lowercase ? pyLower(text) : text));
}
