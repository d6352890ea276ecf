import {canonicalJson} from '../core/canonical-json.js';
import {UNLOCKED_METRIC_TYPES} from '../core/eval-types.js';
import {normalizedScore} from '../eval/judge.js';
import {type GateSpec, scoreAnswers} from '../eval/scores.js';
import {evalFingerprint} from '../plan/fingerprint.js';
import {stageId} from '../plan/stage-id.js';
import {evalSplit, generationFiles, readEvalExamples, readGenerations} from './eval-examples.js';
import type {StageContext, StageDefinition} from './stage-definition.js';

/**
 * The eval settings as the eval stage applies them: without latency metrics and the gates on
 * them (the build measures latency after the stages, from the answer logs: it is not a property
 * of the result, so it is neither part of this stage's key nor of its outputs), and without
 * regression gates (they compare with another commit's scores: the build applies them).
 */
function settings(ctx: StageContext) {
  const evaluation = ctx.recipe.eval;
  if (!evaluation) throw new Error('eval stage without eval settings');
  const metrics = evaluation.metrics.filter((m) => !UNLOCKED_METRIC_TYPES.includes(m.type));
  const scored = new Set(metrics.map((m) => m.id));
  const gates = evaluation.gates.filter(
    (g): g is GateSpec => g.kind !== 'regression' && scored.has(g.metric),
  );
  return {evaluation, metrics, gates};
}

/** Each llm_judge metric's judgments (its judge stage's output), by metric id. */
function judgmentFiles(ctx: StageContext) {
  const files: Record<string, import('../core/artifact-store.js').Artifact> = {};
  for (const judge of ctx.recipe.eval?.judges ?? []) {
    const output = ctx.upstream.get(stageId('judge', judge.metric))?.outputs['judgments.jsonl'];
    if (!output) throw new Error(`judge:${judge.metric} has no judgments.jsonl`);
    files[judge.metric] = output;
  }
  return files;
}

/**
 * eval: scores every model's answers with every metric (a seeded 95% bootstrap interval each)
 * and applies the gates. Keyed by the metrics, the gates, the seed, the examples, the answers'
 * hashes and the judgments' hashes, so a new metric or gate re-scores without asking any model
 * again (an llm_judge metric's judge stage asks its judge, before). Outputs: `scores.json` (per
 * model and metric: value, scale, n, interval; each gate's result) and `examples.jsonl` (per
 * example: id, input, reference, each model's answer and scores). A failed gate does not fail
 * the stage (its results are kept); the build then exits 3.
 */
export const evalStage: StageDefinition = {
  async fingerprint(ctx) {
    const {evaluation, metrics, gates} = settings(ctx);
    const hashes = (files: Record<string, {hash: import('../core/hash.js').Sha256}>) =>
      Object.fromEntries(Object.entries(files).map(([name, a]) => [name, a.hash]));
    return evalFingerprint(
      {metrics, gates, seed: evaluation.generation.seed},
      evalSplit(ctx),
      hashes(generationFiles(ctx)),
      hashes(judgmentFiles(ctx)),
    );
  },
  async run(ctx) {
    const {evaluation, metrics, gates} = settings(ctx);
    const examples = readEvalExamples(ctx);
    const answers = readGenerations(ctx, examples);
    // llm_judge: each judge's scores, normalized to 0-1, per model in the examples' order.
    const judged: Record<string, Record<string, number[]>> = {};
    for (const [metric, file] of Object.entries(judgmentFiles(ctx))) {
      const {scale} = evaluation.judges.find((j) => j.metric === metric)!;
      const byKey = new Map<string, number>();
      for (const line of ctx.store.readText(file.hash).split('\n')) {
        if (line === '') continue;
        const j = JSON.parse(line) as {id: string; model: string; score: number};
        byKey.set(`${j.model}\n${j.id}`, normalizedScore(j.score, scale));
      }
      judged[metric] = Object.fromEntries(
        Object.keys(answers).map((model) => [
          model,
          examples.map((e) => {
            const score = byKey.get(`${model}\n${e.id}`);
            if (score === undefined) throw new Error(`judge:${metric} did not judge ${e.id}`);
            return score;
          }),
        ]),
      );
    }
    const {scores, examples: scored} = scoreAnswers({
      examples,
      answers,
      metrics,
      judged,
      gates,
      seed: evaluation.generation.seed,
    });
    const scoresFile = await ctx.store.putBytes(
      `${JSON.stringify(JSON.parse(canonicalJson(scores)), null, 2)}\n`,
    );
    const examplesFile = await ctx.store.putBytes(
      scored.map((e) => `${canonicalJson(e)}\n`).join(''),
    );
    return {
      outputs: {'scores.json': scoresFile, 'examples.jsonl': examplesFile},
      summary: {
        examples: scores.n,
        scores: scores.models,
        gates: scores.gates.map((g) => ({passed: g.passed, detail: g.detail})),
        failed_gates: scores.gates.filter((g) => !g.passed).length,
      },
    };
  },
};
