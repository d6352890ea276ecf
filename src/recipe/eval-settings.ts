import type {
  Gate as EvalGate,
  MetricSpec as EvalMetricSpec,
  MetricType,
} from '../core/eval-types.js';
import type {Eval, EvalEndpoint, Gate, MetricSpec} from './recipe-types.js';

/**
 * The metric names a recipe may write (each a type with default options); `token_f1` and
 * `rouge_l` are aliases of `f1` and `rougeL`. Configured ones are `{id, type, options}`.
 */
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
  'latency',
] as const;

const ALIASES: Readonly<Record<string, string>> = {token_f1: 'f1', rouge_l: 'rougeL'};

/** A metric name with its alias folded (`token_f1` -> `f1`); ids pass through. */
export function canonicalMetric(name: string): string {
  return ALIASES[name] ?? name;
}

/** A metric as the eval runs it. */
export type EvalMetric = EvalMetricSpec;

/** One entry of `metrics` as a metric. */
export function evalMetric(entry: string | MetricSpec): EvalMetric {
  if (typeof entry === 'string') {
    const name = canonicalMetric(entry) as MetricType;
    return {id: name, type: name};
  }
  return {
    id: entry.id ?? entry.type,
    type: entry.type,
    ...(entry.options !== undefined ? {options: entry.options} : {}),
  };
}

/** One model that answers, with the name its stage carries (`generate:<name>`). */
export type EvalModel =
  | {
      /** `tuned`, `base` (one target), `tuned.<target>`, `base.<target>`. */
      readonly name: string;
      readonly kind: 'target';
      readonly which: 'tuned' | 'base';
      readonly target: string;
    }
  | {
      readonly name: string;
      /** A model behind an OpenAI-compatible chat API: the OpenAI API itself without baseUrl. */
      readonly kind: 'api';
      readonly model: string;
      readonly baseUrl?: string;
      /** The variable holding its key (OPENAI_API_KEY for the OpenAI API unless named). */
      readonly apiKeyEnv?: string;
      /** The header that carries the key (default `authorization`, as `Bearer <key>`). */
      readonly apiKeyHeader?: string;
      readonly headers?: Readonly<Record<string, string>>;
      readonly revision?: string;
      /** false: the weights behind the name may change; never reuse an answer. */
      readonly cache: boolean;
    };

/** Whether a models entry names a target's model (`tuned`, `base:<target>`). */
export function isTargetRef(ref: string): boolean {
  return /^(base|tuned)(:|$)/.test(ref);
}

/** A literal model id as a stage name: characters outside [A-Za-z0-9._-] become '-'. */
export function modelName(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[^A-Za-z0-9]/, 'm');
}

/** An `llm_judge` metric as its judge stage (`judge:<metric id>`) runs it. */
export interface JudgeSpec {
  /** The metric's id: the stage is `judge:<metric>`. */
  readonly metric: string;
  /** Who judges: a model as eval.models would have it. */
  readonly model: EvalModel;
  readonly rubric: string;
  /** The scale the judge scores on (default 1..10); scores are normalized to 0-1. */
  readonly scale: {readonly min: number; readonly max: number};
  /** The judge's prompt template; undefined: eval/judge.ts's default. */
  readonly prompt?: string;
  /** Longest reply of the judge, in its tokens (default 512). It judges greedily. */
  readonly max_tokens: number;
}

export const DEFAULT_JUDGE_SCALE = {min: 1, max: 10} as const;
export const DEFAULT_JUDGE_MAX_TOKENS = 512;

/**
 * An `llm_judge`'s `judge` as a model, in the forms of eval.models: the name of a model eval.models
 * lists (that very model), `tuned`/`base` references, a literal OpenAI id, or an endpoint object.
 * Undefined where a target reference names no target (the recipe rules report it).
 */
export function judgeModel(
  judge: string | EvalEndpoint,
  models: readonly EvalModel[],
  targets: readonly string[],
): EvalModel | undefined {
  if (typeof judge === 'string') {
    const listed = models.find((m) => m.name === judge);
    if (listed) return listed;
  }
  return evalModel(judge, targets);
}

/** The judge stages of an eval's metrics. */
function judgesOf(
  metrics: readonly EvalMetric[],
  models: readonly EvalModel[],
  targets: readonly string[],
): JudgeSpec[] {
  return metrics.flatMap((m): JudgeSpec[] => {
    if (m.type !== 'llm_judge') return [];
    const o = (m.options ?? {}) as Record<string, unknown>;
    const model = judgeModel(o.judge as string | EvalEndpoint, models, targets);
    if (!model) return [];
    const scale = o.scale as {min: number; max: number} | undefined;
    return [
      {
        metric: m.id,
        model,
        rubric: String(o.rubric ?? ''),
        scale: scale ? {min: scale.min, max: scale.max} : DEFAULT_JUDGE_SCALE,
        ...(typeof o.prompt === 'string' ? {prompt: o.prompt} : {}),
        max_tokens: typeof o.max_tokens === 'number' ? o.max_tokens : DEFAULT_JUDGE_MAX_TOKENS,
      },
    ];
  });
}

/** A gate with its models named and its metric canonical. */
export type NormalizedGate = EvalGate;

/** The eval section with every default applied and every name resolved. */
export interface NormalizedEval {
  readonly dataset: 'train' | 'validation' | 'test';
  readonly models: readonly EvalModel[];
  readonly metrics: readonly EvalMetric[];
  readonly gates: readonly NormalizedGate[];
  /** One per `llm_judge` metric: its judge stage. */
  readonly judges: readonly JudgeSpec[];
  readonly generation: {
    readonly max_tokens: number;
    readonly temperature: number;
    readonly seed: number;
    /** Requests in flight at once to an API model; never part of a key. */
    readonly concurrency: number;
  };
}

/**
 * Resolves a `tuned`/`base` reference against the recipe's targets: undefined when it names no
 * target (the recipe rules report that, with its place).
 */
export function resolveModel(ref: string, targets: readonly string[]): EvalModel | undefined {
  const [which, target] = ref.split(':') as ['tuned' | 'base', string | undefined];
  if (target === undefined) {
    const only = targets.length === 1 ? targets[0] : undefined;
    return only === undefined ? undefined : {name: which, kind: 'target', which, target: only};
  }
  if (!targets.includes(target)) return undefined;
  return {name: `${which}.${target}`, kind: 'target', which, target};
}

/** One entry of `models` as a model: a target's, a literal OpenAI id, or an endpoint. */
export function evalModel(
  entry: string | EvalEndpoint,
  targets: readonly string[],
): EvalModel | undefined {
  if (typeof entry === 'string') {
    if (isTargetRef(entry)) return resolveModel(entry, targets);
    return {name: modelName(entry), kind: 'api', model: entry, cache: true};
  }
  return {
    name: entry.name,
    kind: 'api',
    model: entry.model,
    ...(entry.base_url !== undefined ? {baseUrl: entry.base_url} : {}),
    ...(entry.api_key_env !== undefined ? {apiKeyEnv: entry.api_key_env} : {}),
    ...(entry.api_key_header !== undefined ? {apiKeyHeader: entry.api_key_header} : {}),
    ...(entry.headers !== undefined ? {headers: entry.headers} : {}),
    ...(entry.revision !== undefined ? {revision: entry.revision} : {}),
    cache: entry.cache ?? true,
  };
}

/**
 * The name a gate's model reference stands for: a target reference resolved, a literal model id
 * as its stage name, an endpoint's name as it is.
 */
export function gateModelName(ref: string, targets: readonly string[]): string {
  return isTargetRef(ref) ? (resolveModel(ref, targets)?.name ?? ref) : modelName(ref);
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
  const entries =
    evaluation.models ?? targets.map((t) => (targets.length === 1 ? 'tuned' : `tuned:${t}`));
  const models = entries.flatMap((entry) => evalModel(entry, targets) ?? []);
  const nameOf = (ref: string) => gateModelName(ref, targets);
  // One metric per id (the recipe rules report a second one).
  const metrics = [
    ...new Map(evaluation.metrics.map((m) => evalMetric(m)).map((m) => [m.id, m])).values(),
  ];
  const gates = (evaluation.gates ?? []).map((g: Gate): NormalizedGate => {
    const metric = canonicalMetric(g.metric);
    if (g.max_drop !== undefined) {
      return {
        kind: 'regression',
        metric,
        model: nameOf(g.model ?? 'tuned'),
        max_drop: g.max_drop,
        significant: g.significant ?? false,
      };
    }
    if (g.better !== undefined || g.than !== undefined) {
      return {
        kind: 'better',
        metric,
        better: nameOf(String(g.better)),
        than: nameOf(String(g.than)),
        by: g.by ?? 0,
        significant: g.significant ?? false,
      };
    }
    return {
      kind: 'bound',
      metric,
      model: nameOf(g.model ?? 'tuned'),
      ...(g.min !== undefined ? {min: g.min} : {}),
      ...(g.max !== undefined ? {max: g.max} : {}),
    };
  });
  return {
    dataset: evaluation.dataset ?? 'test',
    models,
    metrics,
    gates,
    judges: judgesOf(metrics, models, targets),
    generation: {
      max_tokens: evaluation.generation?.max_tokens ?? 256,
      temperature: evaluation.generation?.temperature ?? 0,
      seed: evaluation.generation?.seed ?? seed,
      concurrency: evaluation.generation?.concurrency ?? 8,
    },
  };
}
