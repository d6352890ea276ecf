import {canonicalJson} from '../core/canonical-json.js';
import {type GateSpec, scoreAnswers} from '../eval/scores.js';
import {evalFingerprint} from '../plan/fingerprint.js';
import {stageId} from '../plan/stage-id.js';
import {evalSplit, readEvalExamples} from './eval-examples.js';
import type {StageContext, StageDefinition} from './stage-definition.js';

function settings(ctx: StageContext) {
  const evaluation = ctx.recipe.eval;
  if (!evaluation) throw new Error('eval stage without eval settings');
  return evaluation;
}

/** Each model's answers (its generate stage's output), by model name. */
function answerFiles(ctx: StageContext) {
  const files: Record<string, {hash: import('../core/hash.js').Sha256}> = {};
  for (const model of settings(ctx).models) {
    const output = ctx.upstream.get(stageId('generate', model.name))?.outputs['generations.jsonl'];
    if (!output) throw new Error(`generate:${model.name} has no generations.jsonl`);
    files[model.name] = output;
  }
  return files;
}

/**
 * eval: scores every model's answers with every metric (a seeded 95% bootstrap interval each)
 * and applies the gates. Keyed by the metrics, the gates, the seed, the examples and the answers'
 * hashes, so a new metric or gate re-scores without asking any model again. Outputs:
 * `scores.json` (per model and metric: value, scale, n, interval; each gate's result) and
 * `examples.jsonl` (per example: id, input, reference, each model's answer and scores). A failed
 * gate does not fail the stage (its results are kept); the build then exits 3.
 */
export const evalStage: StageDefinition = {
  async fingerprint(ctx) {
    const evaluation = settings(ctx);
    const answers = Object.fromEntries(
      Object.entries(answerFiles(ctx)).map(([name, a]) => [name, a.hash]),
    );
    return evalFingerprint(
      {
        metrics: evaluation.metrics,
        gates: evaluation.gates.filter((g) => g.kind !== 'regression'),
        seed: evaluation.generation.seed,
      },
      evalSplit(ctx),
      answers,
    );
  },
  async run(ctx) {
    const evaluation = settings(ctx);
    const examples = readEvalExamples(ctx);
    const answers: Record<string, string[]> = {};
    for (const [name, file] of Object.entries(answerFiles(ctx))) {
      const byId = new Map(
        ctx.store
          .readText(file.hash)
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as {id: string; output: string})
          .map((a) => [a.id, a.output]),
      );
      answers[name] = examples.map((e) => byId.get(e.id) ?? '');
    }
    const {scores, examples: scored} = scoreAnswers({
      examples,
      answers,
      metrics: evaluation.metrics,
      // Regression checks compare with another commit's scores: the build applies them.
      gates: evaluation.gates.filter((g): g is GateSpec => g.kind !== 'regression'),
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
