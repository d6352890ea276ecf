import type {MetricType} from '../core/eval-types.js';
import {compileJsonSchema} from '../core/json-schema.js';
import {type BleuOptions, computeBleu, sentenceBleu} from './metrics/bleu.js';
import {type ChrfOptions, chrfFromStatistics, sentenceChrf} from './metrics/chrf.js';
import {rougeScore} from './metrics/rouge.js';
import {exactMatch, tokenF1} from './metrics/squad.js';

/** The scale a metric's value is on, said wherever it is shown. */
export type Scale = '0-1' | '0-100' | 'characters' | 'words' | 'ms';

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
function bleu(options: BleuOptions): Scorer {
  return {
    scale: '0-100',
    higherIsBetter: true,
    statistics(output, reference) {
      const s = sentenceBleu(output, [reference], options);
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
}

/** sacreBLEU's corpus chrF: per example its [hyp, ref, match] triples per order. */
function chrf(options: ChrfOptions): Scorer {
  return {
    scale: '0-100',
    higherIsBetter: true,
    statistics: (output, reference) => sentenceChrf(output, [reference], options).statistics,
    aggregate: (sum) => chrfFromStatistics(sum, options),
    example: (stats) => chrfFromStatistics(stats, options),
  };
}

const rouge = (type: string, useStemmer: boolean): Scorer =>
  mean(
    '0-1',
    (output, reference) =>
      rougeScore(reference, output, {types: [type], useStemmer})[type]!.fmeasure,
  );

/** The parsed JSON of `text`, or undefined when it is not JSON. */
function parsed(text: string): {value: unknown} | undefined {
  try {
    return {value: JSON.parse(text)};
  } catch {
    return undefined;
  }
}

/** The scorer of a metric type with its options (checked by the recipe rules). */
export function scorerFor(
  type: MetricType,
  options: Readonly<Record<string, unknown>> = {},
): Scorer {
  const str = (k: string) => (typeof options[k] === 'string' ? (options[k] as string) : undefined);
  const num = (k: string) => (typeof options[k] === 'number' ? (options[k] as number) : undefined);
  const flag = (k: string) => options[k] === true;
  switch (type) {
    case 'exact_match':
      return mean('0-1', (output, reference) => exactMatch(output, [reference]));
    case 'f1':
      return mean('0-1', (output, reference) => tokenF1(output, [reference]));
    case 'contains': {
      const fold = (t: string) => (flag('ignore_case') ? t.toLowerCase() : t);
      const value = str('value');
      return mean('0-1', (output, reference) =>
        fold(output).includes(fold(value ?? reference)) ? 1 : 0,
      );
    }
    case 'regex': {
      const re = new RegExp(str('pattern') ?? '', flag('ignore_case') ? 'iu' : 'u');
      return mean('0-1', (output) => (re.test(output) ? 1 : 0));
    }
    case 'json_valid':
      return mean('0-1', (output) => (parsed(output) ? 1 : 0));
    case 'json_schema': {
      const validate = compileJsonSchema((options.schema ?? {}) as object);
      return mean('0-1', (output) => {
        const json = parsed(output);
        return json && validate(json.value) ? 1 : 0;
      });
    }
    case 'length':
      return str('unit') === 'words'
        ? mean('words', (output) => output.split(/\s+/u).filter(Boolean).length, false)
        : mean('characters', (output) => [...output].length, false);
    case 'bleu':
      return bleu({
        ...(str('tokenize') !== undefined ? {tokenize: str('tokenize')!} : {}),
        ...(options.lowercase !== undefined ? {lowercase: flag('lowercase')} : {}),
      });
    case 'chrf':
      return chrf({
        ...(num('char_order') !== undefined ? {charOrder: num('char_order')!} : {}),
        ...(num('word_order') !== undefined ? {wordOrder: num('word_order')!} : {}),
        ...(num('beta') !== undefined ? {beta: num('beta')!} : {}),
        ...(options.lowercase !== undefined ? {lowercase: flag('lowercase')} : {}),
      });
    case 'llm_judge':
      // Scored from its judge stage's judgments (normalized to 0-1), never from the answer.
      return mean('0-1', () => {
        throw new Error('llm_judge is scored from its judgments');
      });
    case 'latency':
      // Not scored per answer: the build measures it afterwards (eval/latency.ts).
      return mean(
        'ms',
        () => {
          throw new Error('latency is measured by the build, not scored');
        },
        false,
      );
    default:
      return rouge(type, flag('use_stemmer'));
  }
}
