import {basename} from 'node:path';
import {formatWhy} from '../console/format-why.js';
import type {Diagnostic} from '../core/diagnostic.js';
import {UNLOCKED_METRIC_TYPES} from '../core/eval-types.js';
import type {Sha256} from '../core/hash.js';
import type {LatencyCheck} from '../eval/latency.js';
import type {RegressionResult} from '../eval/regression.js';
import {scorerFor} from '../eval/scorers.js';
import type {ScoredExample, Scores} from '../eval/scores.js';
import type {ResolvedRecipe} from '../recipe/normalized.js';
import type {StageOutcome} from '../run/executor.js';
import type {SessionResult} from '../run/session.js';
import type {LocalStore} from '../run/store/local-store.js';
import type {
  BuildReport,
  CurvePoint,
  DiagnosticReport,
  EvalReport,
  ExampleReport,
  GateReport,
  TrainingReport,
  Unavailable,
} from './report-types.js';

/** model -> metric -> score. */
type ScoreTable = Readonly<Record<string, Readonly<Record<string, number>>>>;

/** The baseline commit's eval, as the build found it (see cli/baseline-check.ts). */
export type BaselineScores =
  | {
      readonly available: true;
      /** `--baseline` as given, or `the merge base`. */
      readonly ref: string;
      readonly commit: string;
      readonly scores: ScoreTable;
      /** example id -> model -> metric -> score, when the baseline's examples are in .ft/. */
      readonly examples?: ReadonlyMap<string, ScoreTable>;
    }
  | Unavailable;

/** What a build knows at its end, from which its report is made. */
export interface BuildFacts {
  readonly loaded: ResolvedRecipe;
  readonly session: SessionResult;
  readonly startedAt: Date;
  readonly finishedAt: Date;
  readonly exitCode: number;
  readonly ftVersion: string;
  readonly git: {readonly commit: string; readonly dirty: boolean} | null;
  readonly baseline: BaselineScores;
  readonly regressions: readonly RegressionResult[];
  /** The eval's latency metrics and the bounds on them, measured after the stages. */
  readonly latency: LatencyCheck;
  readonly diagnostics: readonly Diagnostic[];
  /** Where stage outputs are read from. */
  readonly store: LocalStore;
}

/** Metrics whose per-example score is a pass (1) or a fail (0). */
const PASS_FAIL = new Set<string>([
  'exact_match',
  'contains',
  'regex',
  'json_valid',
  'json_schema',
]);

/**
 * The report of one build, from its outcomes and the outputs its stages left in the store.
 * What is not at hand (a curve on a clone that has only the lockfile) is marked unavailable
 * with the reason, never an error: a report is written for failed builds too.
 */
export async function assembleReport(facts: BuildFacts): Promise<BuildReport> {
  const {session, loaded} = facts;
  const outcomes = [...session.outcomes.values()];
  const diagnostics: DiagnosticReport[] = facts.diagnostics.map((d) => ({
    severity: d.severity,
    message: d.message,
    ...(d.location ? {file: d.location.file, line: d.location.line} : {}),
  }));
  for (const o of outcomes) {
    for (const d of o.diagnostics ?? []) {
      diagnostics.push({
        severity: d.severity,
        message: d.message,
        stage: o.node.id,
        ...(d.location ? {file: d.location.file, line: d.location.line} : {}),
      });
    }
  }
  return {
    report_version: 1,
    build: {
      id: session.buildId,
      recipe: basename(loaded.path),
      name: loaded.normalized.name,
      started_at: facts.startedAt.toISOString(),
      finished_at: facts.finishedAt.toISOString(),
      duration_ms: facts.finishedAt.getTime() - facts.startedAt.getTime(),
      exit_code: facts.exitCode,
      ok: facts.exitCode === 0,
      ft_version: facts.ftVersion,
      git: facts.git,
    },
    stages: outcomes.map((o) => ({
      id: o.node.id,
      kind: o.node.kind,
      status: o.status ?? 'skipped',
      why: o.why.map(formatWhy),
      duration_ms: o.durationMs ?? 0,
      key: o.key,
      error: o.failure ? {reason: o.failure.reason, message: o.failure.message} : null,
    })),
    training: await Promise.all(
      outcomes.filter((o) => o.node.kind === 'train').map((o) => trainingReport(o, facts)),
    ),
    eval: await evalReport(facts),
    diagnostics,
  };
}

async function trainingReport(o: StageOutcome, facts: BuildFacts): Promise<TrainingReport> {
  const target = facts.loaded.normalized.targets.find((t) => `train:${t.name}` === o.node.id);
  const backend = target?.backend;
  const summary = o.result?.summary ?? {};
  const locked = facts.session.lockfile.stages[o.node.id];
  // Outputs as the lockfile names them when this build has the stage done (a restored remote
  // training holds only its model; the lockfile still names its curve).
  const outputs: Record<string, string> =
    o.result && locked?.key === o.key
      ? {...outputHashes(o), ...locked.outputs}
      : o.result
        ? outputHashes(o)
        : {};
  const metrics = summary.metrics as Record<string, unknown> | undefined;
  const remote = (summary.result ?? (locked?.key === o.key ? locked?.result : undefined)) as
    | {model?: unknown}
    | undefined;
  const estimate = (o.preflight?.fields.estimate ?? undefined) as
    | {usd?: number | null; charged_tokens?: number}
    | undefined;
  const trainedTokens = numberOr(summary.trained_tokens) ?? numberOr(metrics?.tokens_trained);
  const pricePerToken =
    typeof estimate?.usd === 'number' && estimate.charged_tokens
      ? estimate.usd / estimate.charged_tokens
      : undefined;
  return {
    stage: o.node.id,
    target: target?.name ?? o.node.id.slice('train:'.length),
    backend: backendName(backend),
    status: o.status ?? 'skipped',
    base_model: baseModelName(backend),
    model:
      typeof remote?.model === 'string' && remote.model !== ''
        ? remote.model
        : (outputs.model ?? null),
    curve: await curveOf(outputs['metrics.jsonl'] as Sha256 | undefined, o, facts.store),
    steps: numberOr(summary.steps) ?? null,
    trained_tokens: trainedTokens ?? null,
    cost_usd: {
      estimate: typeof estimate?.usd === 'number' ? estimate.usd : null,
      // What the provider bills: the tokens it trained on, at the price the estimate used.
      actual:
        backend?.type === 'openai' && trainedTokens !== undefined && pricePerToken !== undefined
          ? trainedTokens * pricePerToken
          : null,
    },
    duration_ms: o.durationMs ?? 0,
  };
}

/** `openai`, or a local target's trainer: `embedded`, `hf`, `command`. */
function backendName(backend: {type: string; trainer?: unknown} | undefined): string {
  if (!backend) return 'unknown';
  if (backend.type !== 'local') return backend.type;
  const trainer = backend.trainer;
  return typeof trainer === 'string' ? trainer : 'command';
}

function baseModelName(backend: {type: string; model?: unknown} | undefined): string {
  const model = backend?.model;
  if (typeof model === 'string') return model;
  if (model !== null && typeof model === 'object' && 'target' in model)
    return `{target: ${String((model as {target: unknown}).target)}}`;
  return 'unknown';
}

async function curveOf(
  hash: Sha256 | undefined,
  o: StageOutcome,
  store: LocalStore,
): Promise<TrainingReport['curve']> {
  if (!o.result) {
    return {available: false, reason: `the training ${o.status ?? 'did not run'}`};
  }
  if (!hash) return {available: false, reason: 'the training recorded no curve'};
  const text = await readStored(store, hash);
  if (text === undefined) {
    return {
      available: false,
      reason:
        'the curve is not in .ft/ (the model was trained elsewhere; the lockfile has its result)',
    };
  }
  const points: CurvePoint[] = [];
  for (const line of text.split('\n')) {
    if (line !== '') points.push(JSON.parse(line) as CurvePoint);
  }
  return {available: true, points};
}

async function evalReport(facts: BuildFacts): Promise<EvalReport | null> {
  const evaluation = facts.loaded.normalized.eval;
  const outcome = facts.session.outcomes.get('eval' as never);
  const outputs = outcome?.result?.outputs;
  if (!evaluation || !outputs?.['scores.json'] || !outputs['examples.jsonl']) return null;
  const scoresText = await readStored(facts.store, outputs['scores.json'].hash);
  const examplesText = await readStored(facts.store, outputs['examples.jsonl'].hash);
  if (scoresText === undefined || examplesText === undefined) return null;
  const scores = JSON.parse(scoresText) as Scores;
  // Latency is measured by the build, not scored with the others: it has its own list.
  const metrics = evaluation.metrics
    .filter((m) => !UNLOCKED_METRIC_TYPES.includes(m.type))
    .map((m) => {
      const scorer = scorerFor(m.type, m.options);
      return {
        id: m.id,
        type: m.type,
        scale: scorer.scale,
        higher_is_better: scorer.higherIsBetter,
        pass_fail: PASS_FAIL.has(m.type),
      };
    });
  const passFail = metrics.filter((m) => m.pass_fail).map((m) => m.id);
  const items: ExampleReport[] = [];
  for (const line of examplesText.split('\n')) {
    if (line === '') continue;
    const e = JSON.parse(line) as ScoredExample;
    items.push({
      id: e.id,
      input: e.input.map(message),
      reference: e.reference,
      outputs: e.outputs,
      scores: e.scores,
      failed: Object.keys(e.outputs).filter((model) =>
        passFail.some((metric) => e.scores[model]?.[metric] === 0),
      ),
    });
  }
  const gates: GateReport[] = [
    ...scores.gates.map((g) =>
      g.kind === 'bound'
        ? {
            kind: 'bound' as const,
            name: boundName(g.metric, g.model, g.min, g.max),
            metric: g.metric,
            models: [g.model],
            passed: g.passed,
            detail: g.detail,
          }
        : {
            kind: 'better' as const,
            name: `${g.metric}: ${g.better} better than ${g.than}${g.by > 0 ? ` by ${g.by}` : ''}${g.significant ? ', significantly' : ''}`,
            metric: g.metric,
            models: [g.better, g.than],
            passed: g.passed,
            detail: g.detail,
          },
    ),
    ...facts.latency.gates.map((g) => ({
      kind: 'latency' as const,
      name: boundName(g.gate.metric, g.gate.model, g.gate.min, g.gate.max),
      metric: g.gate.metric,
      models: [g.gate.model],
      passed: g.passed,
      detail: g.detail,
    })),
    ...facts.regressions.map((r) => ({
      kind: 'regression' as const,
      name: `${r.gate.metric} of ${r.gate.model} drops at most ${r.gate.max_drop} from the baseline${r.gate.significant ? ' (significantly)' : ''}`,
      metric: r.gate.metric,
      models: [r.gate.model],
      passed: r.passed,
      detail: r.detail,
    })),
  ];
  return {
    dataset: evaluation.dataset,
    n: scores.n,
    models: evaluation.models.map((m) => m.name),
    metrics,
    scores: Object.fromEntries(
      Object.entries(scores.models).map(([model, byMetric]) => [
        model,
        Object.fromEntries(
          Object.entries(byMetric).map(([metric, s]) => [
            metric,
            {value: s.value, n: s.n, interval: s.interval},
          ]),
        ),
      ]),
    ),
    bootstrap: scores.bootstrap,
    gates,
    latency: facts.latency.scores.map((s) => ({
      model: s.model,
      metric: s.metric,
      statistic: s.statistic,
      value: s.value,
      interval: s.interval,
      n: s.n,
      detail: s.detail,
    })),
    baseline: compareWithBaseline(facts.baseline, scores, items, passFail),
    examples: {total: items.length, shown: items.length, items},
  };
}

function boundName(metric: string, model: string, min?: number, max?: number): string {
  const parts = [
    ...(min !== undefined ? [`>= ${min}`] : []),
    ...(max !== undefined ? [`<= ${max}`] : []),
  ];
  return `${metric} of ${model} ${parts.join(' and ')}`;
}

/** Deltas per model and metric, and the examples a model passed at the baseline and fails now. */
function compareWithBaseline(
  baseline: BaselineScores,
  scores: Scores,
  items: readonly ExampleReport[],
  passFail: readonly string[],
): EvalReport['baseline'] {
  if (!baseline.available) return baseline;
  const deltas: Record<string, Record<string, {before: number; now: number; delta: number}>> = {};
  for (const [model, byMetric] of Object.entries(scores.models)) {
    for (const [metric, s] of Object.entries(byMetric)) {
      const before = baseline.scores[model]?.[metric];
      if (before === undefined) continue;
      deltas[model] ??= {};
      deltas[model][metric] = {before, now: s.value, delta: s.value - before};
    }
  }
  const newlyFailing: {id: string; model: string; metric: string}[] = [];
  if (baseline.examples) {
    for (const item of items) {
      const before = baseline.examples.get(item.id);
      if (!before) continue;
      for (const model of Object.keys(item.outputs)) {
        for (const metric of passFail) {
          if (before[model]?.[metric] === 1 && item.scores[model]?.[metric] === 0) {
            newlyFailing.push({id: item.id, model, metric});
          }
        }
      }
    }
  }
  return {
    available: true,
    ref: baseline.ref,
    commit: baseline.commit,
    deltas,
    examples_compared: baseline.examples !== undefined,
    newly_failing: newlyFailing,
  };
}

function message(m: unknown): {role: string; content: string} {
  const r = (m ?? {}) as {role?: unknown; content?: unknown};
  return {
    role: typeof r.role === 'string' ? r.role : 'user',
    content: typeof r.content === 'string' ? r.content : JSON.stringify(r.content ?? null),
  };
}

function outputHashes(o: StageOutcome): Record<string, string> {
  return Object.fromEntries(Object.entries(o.result?.outputs ?? {}).map(([n, a]) => [n, a.hash]));
}

const numberOr = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

/** An object's text when the store has it intact. */
async function readStored(store: LocalStore, hash: Sha256): Promise<string | undefined> {
  if ((await store.checkObject(hash)).state !== 'intact') return undefined;
  return store.readObjectText(hash);
}
