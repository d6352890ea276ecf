import type {BuildEvent} from '../console/events.js';
import {canonicalJson} from '../core/canonical-json.js';
import type {BoundGate} from '../core/eval-types.js';
import {type Sha256, sha256} from '../core/hash.js';
import {type LatencyCheck, type LatencyScore, latencyGate, latencyScore} from '../eval/latency.js';
import {stageId} from '../plan/stage-id.js';
import type {ResolvedRecipe} from '../recipe/normalized.js';
import {type SessionResult, storeBeside} from '../run/session.js';

/**
 * The eval's latency metrics, measured after the build: each answer's wall time as the answer
 * log (`.ft/answers/`) recorded it when the model was asked, for the examples the eval scored
 * (a cached answer keeps the time it was asked in). Not a property of the result, so never in a
 * stage's key or outputs, nor in the lockfile; a build that asks nothing still reports it.
 * Answers from a local trainer's batch `generate` have no time of their own: their latency is
 * not available, said so, never invented. Emits a `latency` event per model and metric and a
 * `gate` event (`check: 'latency'`) per bound on one, and returns both (a bound on a latency
 * that is not available fails), for the build's exit code and its report.
 */
export async function checkLatency(
  loaded: ResolvedRecipe,
  result: SessionResult,
  emit: (event: BuildEvent) => void,
): Promise<LatencyCheck> {
  const evaluation = loaded.normalized.eval;
  const metrics = (evaluation?.metrics ?? []).filter((m) => m.type === 'latency');
  const examplesFile = result.lockfile.stages.eval?.outputs['examples.jsonl'];
  const evalDone = result.outcomes.get(stageId('eval'))?.result !== undefined;
  const none: LatencyCheck = {scores: [], gates: []};
  if (!evaluation || metrics.length === 0 || !examplesFile || !evalDone) return none;
  const store = storeBeside(loaded.path);
  if ((await store.checkObject(examplesFile)).state !== 'intact') return none;
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
        // The last line of a prompt is the answer a build uses (stages/generate.ts answerPrompts).
        if (typeof t === 'number') timed.set(p, t);
        else timed.delete(p);
      } catch {
        // a torn line
      }
    }
    const times = prompts.flatMap((p) => (timed.has(p) ? [timed.get(p)!] : []));
    for (const metric of metrics) {
      scores.push(
        latencyScore(
          model,
          metric,
          times,
          prompts.length,
          evaluation.generation.seed,
          log !== undefined,
        ),
      );
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
  const results = gates.map((gate) => ({gate, ...latencyGate(gate, scores)}));
  for (const {passed, detail} of results) emit({event: 'gate', check: 'latency', passed, detail});
  return {scores, gates: results};
}
