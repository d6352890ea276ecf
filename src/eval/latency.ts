import type {BoundGate, MetricSpec} from '../core/eval-types.js';
import {forEachResample, interval95} from './bootstrap.js';

/** What a latency metric reports of one model: its statistic, or why there is none. */
export interface LatencyScore {
  readonly model: string;
  readonly metric: string;
  readonly statistic: 'median' | 'p95';
  /** Milliseconds; null when not available. */
  readonly value: number | null;
  /** Seeded 95% bootstrap interval of the statistic; null when not available. */
  readonly interval: readonly [number, number] | null;
  /** Answers timed, of `of` examples. */
  readonly n: number;
  readonly of: number;
  readonly detail: string;
}

/** The eval's latency metrics and the bounds on them, as the build measured them. */
export interface LatencyCheck {
  readonly scores: readonly LatencyScore[];
  readonly gates: readonly {
    readonly gate: BoundGate;
    readonly passed: boolean;
    readonly detail: string;
  }[];
}

/**
 * The nearest-rank quantile `q` of `values` sorted ascending, each counted `counts[i]` times
 * (none: once): the smallest value whose cumulative count reaches ceil(q * total).
 */
export function weightedQuantile(
  sorted: readonly number[],
  q: number,
  counts?: ArrayLike<number>,
): number {
  const total = counts ? Array.from(counts).reduce((a, b) => a + b, 0) : sorted.length;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (let i = 0; i < sorted.length; i++) {
    seen += counts ? counts[i]! : 1;
    if (seen >= rank) return sorted[i]!;
  }
  return sorted.at(-1)!;
}

/**
 * A latency statistic over per-answer times (ms): the nearest-rank median or 95th percentile,
 * with a seeded 95% bootstrap interval over the answers.
 */
export function latencyStatistic(
  times: readonly number[],
  statistic: 'median' | 'p95',
  seed: number,
): {value: number; interval: [number, number]} {
  const q = statistic === 'median' ? 0.5 : 0.95;
  const sorted = [...times].sort((a, b) => a - b);
  const resampled: number[] = [];
  forEachResample(sorted.length, seed, (counts) => {
    resampled.push(weightedQuantile(sorted, q, counts));
  });
  return {value: weightedQuantile(sorted, q), interval: interval95(resampled)};
}

const ms = (v: number) => `${Math.round(v * 100) / 100} ms`;

/**
 * A latency metric of one model from its answers' times (ms; the examples' answers that were
 * timed, of `of`): the statistic with its interval, or why it is not available (no time at all:
 * `local`, answers a local trainer gave in one batch; `unlogged`, a generate stage that did not
 * name its answer log).
 */
export function latencyScore(
  model: {readonly name: string; readonly kind: string},
  metric: MetricSpec,
  times: readonly number[],
  of: number,
  seed: number,
  logged: boolean,
): LatencyScore {
  const statistic = metric.options?.statistic === 'p95' ? 'p95' : 'median';
  const base = {model: model.name, metric: metric.id, statistic, of} as const;
  if (times.length === 0) {
    const why =
      model.kind === 'target'
        ? "its answers come from a local trainer's generate, which does not time each answer"
        : !logged
          ? 'its generate stage did not say where its answers are kept'
          : 'its answers were not timed (asked by an older ft, or a cache: false model, whose answers are not kept)';
    return {
      ...base,
      value: null,
      interval: null,
      n: 0,
      detail: `${metric.id} of ${model.name}: not available (${why})`,
    };
  }
  const {value, interval} = latencyStatistic(times, statistic, seed);
  const partial =
    times.length < of ? ` (${of - times.length} of ${of} answers were not timed)` : '';
  return {
    ...base,
    value,
    interval,
    n: times.length,
    detail: `${metric.id} of ${model.name}: ${statistic} ${ms(value)} [${ms(interval[0])}, ${ms(interval[1])}] over ${times.length} answers${partial}`,
  };
}

/** A bound gate on a latency metric against the scores: whether it passed, and in words. */
export function latencyGate(
  gate: BoundGate,
  scores: readonly LatencyScore[],
): {readonly passed: boolean; readonly detail: string} {
  const s = scores.find((x) => x.model === gate.model && x.metric === gate.metric);
  const bounds = [
    gate.min !== undefined ? `>= ${gate.min}` : '',
    gate.max !== undefined ? `<= ${gate.max}` : '',
  ]
    .filter(Boolean)
    .join(' and ');
  const value = s?.value ?? null;
  const passed =
    value !== null &&
    (gate.min === undefined || value >= gate.min) &&
    (gate.max === undefined || value <= gate.max);
  return {
    passed,
    detail:
      value === null
        ? `${gate.metric} of ${gate.model} is not available, needs ${bounds}`
        : `${gate.metric} of ${gate.model} is ${ms(value)} (${s!.statistic}), needs ${bounds}`,
  };
}
