import type {BuildEvent} from '../console/events.js';
import {canonicalJson} from '../core/canonical-json.js';
import type {BoundGate, MetricSpec} from '../core/eval-types.js';
import {type Sha256, sha256} from '../core/hash.js';
import {stageId} from '../plan/stage-id.js';
import type {ResolvedRecipe} from '../recipe/normalized.js';
import {type SessionResult, storeBeside} from '../run/session.js';
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
 * The eval's latency metrics, measured after the build: each answer's wall time as the answer
 * log (`.ft/answers/`) recorded it when the model was asked, for the examples the eval scored
 * (a cached answer keeps the time it was asked in). Not a property of the result, so never in a
 * stage's key or outputs, nor in the lockfile; a build that asks nothing still reports it.
 * Answers from a local trainer's batch `generate` have no time of their own: their latency is
 * not available, said so, never invented. Emits a `latency` event per model and metric and a
 * `gate` event (`check: 'latency'`) per bound on one; returns whether a bound failed (one on a
 * latency that is not available fails).
 */
export async function checkLatency(
  loaded: ResolvedRecipe,
  result: SessionResult,
  emit: (event: BuildEvent) => void,
): Promise<boolean> {
  const evaluation = loaded.normalized.eval;
  const metrics = (evaluation?.metrics ?? []).filter((m) => m.type === 'latency');
  const examplesFile = result.lockfile.stages.eval?.outputs['examples.jsonl'];
  const evalDone = result.outcomes.get(stageId('eval'))?.result !== undefined;
  if (!evaluation || metrics.length === 0 || !examplesFile || !evalDone) return false;
  const store = storeBeside(loaded.path);
  if ((await store.checkObject(examplesFile)).state !== 'intact') return false;
  const prompts = store
    .readObjectText(examplesFile)
    .split('\n')
    .filter(Boolean)
    .map((line) => sha256(canonicalJson((JSON.parse(line) as {input: unknown}).input)));
  const scores: LatencyScore[] = [];
  for (const model of evaluation.models) {
    const summary = result.outcomes.get(stageId('generate', model.name))?.result?.summary;
    const log = summary?.answer_log as Sha256 | undefined;
    const timed = new Map<string, number>();
    for (const line of log ? store.readAnswerLog(log) : []) {
      try {
        const {p, ms: t} = JSON.parse(line) as {p: string; ms?: unknown};
        // The last line of a prompt is the answer a build uses (generate.ts answerPrompts).
        if (typeof t === 'number') timed.set(p, t);
        else timed.delete(p);
      } catch {
        // a torn line
      }
    }
    const times = prompts.flatMap((p) => (timed.has(p) ? [timed.get(p)!] : []));
    for (const metric of metrics) {
      scores.push(score(model, metric, times, prompts.length, evaluation.generation.seed, log));
    }
  }
  for (const s of scores) {
    emit({
      event: 'latency',
      model: s.model,
      metric: s.metric,
      statistic: s.statistic,
      value: s.value,
      scale: 'ms',
      interval: s.interval,
      n: s.n,
      detail: s.detail,
    });
  }
  const gates = evaluation.gates.filter(
    (g): g is BoundGate => g.kind === 'bound' && metrics.some((m) => m.id === g.metric),
  );
  let failed = false;
  for (const gate of gates) {
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
    failed ||= !passed;
    emit({
      event: 'gate',
      check: 'latency',
      passed,
      detail:
        value === null
          ? `${gate.metric} of ${gate.model} is not available, needs ${bounds}`
          : `${gate.metric} of ${gate.model} is ${ms(value)} (${s!.statistic}), needs ${bounds}`,
    });
  }
  return failed;
}

function score(
  model: {readonly name: string; readonly kind: string},
  metric: MetricSpec,
  times: readonly number[],
  of: number,
  seed: number,
  log: Sha256 | undefined,
): LatencyScore {
  const statistic = metric.options?.statistic === 'p95' ? 'p95' : 'median';
  const base = {model: model.name, metric: metric.id, statistic, of} as const;
  if (times.length === 0) {
    const why =
      model.kind === 'target'
        ? "its answers come from a local trainer's generate, which does not time each answer"
        : log === undefined
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
