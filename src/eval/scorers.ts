import {computeBleu, sentenceBleu} from './metrics/bleu.js';
import {chrfFromStatistics, sentenceChrf} from './metrics/chrf.js';
import {rougeScore} from './metrics/rouge.js';
import {exactMatch, tokenF1} from './metrics/squad.js';

/** The scale a metric's value is on, said wherever it is shown. */
export type Scale = '0-1' | '0-100' | 'characters';

/**
 * How one metric scores: a vector of sufficient statistics per example, and the aggregate of a
 * set of examples from the sum of theirs. A mean is the sum of one statistic over the count; a
 * corpus metric (BLEU, chrF) sums its n-gram counts first, as sacreBLEU does, so a bootstrap
 * resample is a weighted sum of the same vectors, never a re-tokenization.
 */
export interface Scorer {
  readonly scale: Scale;
  /** false where less is better (length): comparisons turn around. */
  readonly higherIsBetter: boolean;
  statistics(output: string, reference: string): number[];
  aggregate(sum: readonly number[], n: number): number;
  /** One example's own score, for examples.jsonl (for corpus metrics, the sentence score). */
  example(stats: readonly number[]): number;
}

const mean = (
  scale: Scale,
  score: (output: string, reference: string) => number,
  higherIsBetter = true,
): Scorer => ({
  scale,
  higherIsBetter,
  statistics: (output, reference) => [score(output, reference)],
  aggregate: (sum, n) => (n === 0 ? 0 : sum[0]! / n),
  example: (stats) => stats[0]!,
});

const ORDER = 4;

/** sacreBLEU's corpus BLEU: per example [sysLen, refLen, matches x4, totals x4]. */
const bleu: Scorer = {
  scale: '0-100',
  higherIsBetter: true,
  statistics(output, reference) {
    const s = sentenceBleu(output, [reference]);
    return [s.sysLen, s.refLen, ...s.counts, ...s.totals];
  },
  aggregate(sum) {
    return computeBleu(sum.slice(2, 2 + ORDER), sum.slice(2 + ORDER), sum[0]!, sum[1]!, {
      smoothMethod: 'exp',
    }).score;
  },
  example(stats) {
    // sacreBLEU's sentence_bleu: exp smoothing with the effective order.
    return computeBleu(stats.slice(2, 2 + ORDER), stats.slice(2 + ORDER), stats[0]!, stats[1]!, {
      smoothMethod: 'exp',
      effectiveOrder: true,
    }).score;
  },
};

/** sacreBLEU's corpus chrF: per example its [hyp, ref, match] triples per order. */
const chrf: Scorer = {
  scale: '0-100',
  higherIsBetter: true,
  statistics: (output, reference) => sentenceChrf(output, [reference]).statistics,
  aggregate: (sum) => chrfFromStatistics(sum),
  example: (stats) => chrfFromStatistics(stats),
};

const rouge = (type: string): Scorer =>
  mean(
    '0-1',
    (output, reference) => rougeScore(reference, output, {types: [type]})[type]!.fmeasure,
  );

/** Whether `text` parses as JSON. */
function parses(text: string): number {
  try {
    JSON.parse(text);
    return 1;
  } catch {
    return 0;
  }
}

/** Every metric ft scores with, by its canonical name. */
export const SCORERS = {
  exact_match: mean('0-1', (output, reference) => exactMatch(output, [reference])),
  f1: mean('0-1', (output, reference) => tokenF1(output, [reference])),
  contains: mean('0-1', (output, reference) => (output.includes(reference) ? 1 : 0)),
  json_valid: mean('0-1', (output) => parses(output)),
  length: mean('characters', (output) => [...output].length, false),
  bleu,
  chrf,
  rouge1: rouge('rouge1'),
  rouge2: rouge('rouge2'),
  rougeL: rouge('rougeL'),
  rougeLsum: rouge('rougeLsum'),
} as const satisfies Record<string, Scorer>;
