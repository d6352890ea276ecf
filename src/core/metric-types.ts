/**
 * The metric types ft scores with: what a recipe's `{type, options}` may name (recipe/ checks
 * their options) and what eval/ scores. Here, below both, so the list is written once.
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
] as const;
export type MetricType = (typeof METRIC_TYPES)[number];
