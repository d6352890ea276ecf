import type {Eval, Gate} from './recipe-types.js';

/** The metrics ft scores with; `token_f1` and `rouge_l` are aliases of `f1` and `rougeL`. */
export const METRIC_NAMES = [
  'exact_match',
  'f1',
  'contains',
  'json_valid',
  'length',
  'bleu',
  'chrf',
  'rouge1',
  'rouge2',
  'rougeL',
  'rougeLsum',
] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

const ALIASES: Readonly<Record<string, MetricName>> = {token_f1: 'f1', rouge_l: 'rougeL'};

/** A metric's canonical name (aliases folded). */
export function canonicalMetric(name: string): MetricName {
  return ALIASES[name] ?? (name as MetricName);
}

/** One model that answers: `tuned` or `base` of a target, with the name its stage carries. */
export interface EvalModel {
  /** `tuned`, `base` (one target), `tuned.<target>`, `base.<target>`: in stage ids and reports. */
  readonly name: string;
  readonly which: 'tuned' | 'base';
  readonly target: string;
}

export type NormalizedGate =
  | {
      readonly kind: 'bound';
      readonly metric: MetricName;
      readonly model: string;
      readonly min?: number;
      readonly max?: number;
    }
  | {
      readonly kind: 'better';
      readonly metric: MetricName;
      readonly better: string;
      readonly than: string;
      readonly by: number;
      readonly significant: boolean;
    };

/** The eval section with every default applied and every name resolved. */
export interface NormalizedEval {
  readonly dataset: 'train' | 'validation' | 'test';
  readonly models: readonly EvalModel[];
  readonly metrics: readonly MetricName[];
  readonly gates: readonly NormalizedGate[];
  readonly generation: {
    readonly max_tokens: number;
    readonly temperature: number;
    readonly seed: number;
  };
}

/**
 * Resolves a model reference (`tuned`, `base:<target>`) against the recipe's targets: undefined
 * when it names no target (the recipe rules report that, with its place).
 */
export function resolveModel(ref: string, targets: readonly string[]): EvalModel | undefined {
  const [which, target] = ref.split(':') as ['tuned' | 'base', string | undefined];
  if (target === undefined) {
    const only = targets.length === 1 ? targets[0] : undefined;
    return only === undefined ? undefined : {name: which, which, target: only};
  }
  if (!targets.includes(target)) return undefined;
  return {name: `${which}.${target}`, which, target};
}

/**
 * The eval section normalized: models resolved (default: every target's tuned model), metric
 * aliases folded, gates in one shape, generation defaults set. References that resolve to no
 * target are dropped here; the recipe rules have already refused the recipe for them.
 */
export function normalizeEval(
  evaluation: Eval,
  targets: readonly string[],
  seed: number,
): NormalizedEval {
  const refs =
    evaluation.models ?? targets.map((t) => (targets.length === 1 ? 'tuned' : `tuned:${t}`));
  const models = refs.flatMap((ref) => resolveModel(ref, targets) ?? []);
  const nameOf = (ref: string | undefined) => (ref ? resolveModel(ref, targets)?.name : undefined);
  const metrics = [...new Set(evaluation.metrics.map(canonicalMetric))];
  const gates = (evaluation.gates ?? []).map((g: Gate): NormalizedGate => {
    const metric = canonicalMetric(g.metric);
    if (g.better !== undefined || g.than !== undefined) {
      return {
        kind: 'better',
        metric,
        better: nameOf(g.better) ?? String(g.better),
        than: nameOf(g.than) ?? String(g.than),
        by: g.by ?? 0,
        significant: g.significant ?? false,
      };
    }
    return {
      kind: 'bound',
      metric,
      model: nameOf(g.model ?? 'tuned') ?? String(g.model),
      ...(g.min !== undefined ? {min: g.min} : {}),
      ...(g.max !== undefined ? {max: g.max} : {}),
    };
  });
  return {
    dataset: evaluation.dataset ?? 'test',
    models,
    metrics,
    gates,
    generation: {
      max_tokens: evaluation.generation?.max_tokens ?? 256,
      temperature: evaluation.generation?.temperature ?? 0,
      seed: evaluation.generation?.seed ?? seed,
    },
  };
}
