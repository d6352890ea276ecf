/**
 * What an eval is made of, shared by the recipe (which checks and normalizes it) and eval/
 * (which scores it): the metric types, a configured metric, the gates. Here, below both, so each
 * is written once.
 */
export const METRIC_TYPES = [
  'exact_match',
  'f1',
  'contains',
  'regex',
  'json_valid',
  'json_schema',
  'length',
  'bleu',
  'chrf',
  'rouge1',
  'rouge2',
  'rougeL',
  'rougeLsum',
  'llm_judge',
  'latency',
] as const;
export type MetricType = (typeof METRIC_TYPES)[number];

/**
 * Types the eval stage does not score from the answers alone: `llm_judge` is scored from its
 * judge stage's judgments, and `latency` is not scored by the eval stage at all (it is not a
 * property of the result: the build measures it afterwards from the answer logs, and it is never
 * locked).
 */
export const UNLOCKED_METRIC_TYPES: readonly MetricType[] = ['latency'];

/** A metric as an eval runs it: its id (in scores and gates), its type and its options. */
export interface MetricSpec {
  readonly id: string;
  readonly type: MetricType;
  readonly options?: Readonly<Record<string, unknown>>;
}

/** A bound: a model's score on a metric must lie within min and max. */
export interface BoundGate {
  readonly kind: 'bound';
  readonly metric: string;
  readonly model: string;
  readonly min?: number;
  readonly max?: number;
}

/** A comparison: one model must beat another, by `by`, significantly if asked. */
export interface BetterGate {
  readonly kind: 'better';
  readonly metric: string;
  readonly better: string;
  readonly than: string;
  readonly by: number;
  readonly significant: boolean;
}

/** A regression check: a model may fall at most `max_drop` below the baseline commit's score. */
export interface RegressionGate {
  readonly kind: 'regression';
  readonly metric: string;
  readonly model: string;
  readonly max_drop: number;
  readonly significant: boolean;
}

/** Every gate of an eval, models by name and metrics by id. */
export type Gate = BoundGate | BetterGate | RegressionGate;
