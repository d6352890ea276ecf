import {canonicalJson} from '../core/canonical-json.js';
import {sha256} from '../core/hash.js';
import {StageFailure} from '../core/stage-failure.js';
import {generateFingerprint} from '../plan/fingerprint.js';
import {stageId} from '../plan/stage-id.js';
import type {EvalModel} from '../recipe/eval-settings.js';
import {generateLocally} from '../train/generate.js';
import {METRICS_OUTPUT, trainerGraceMs} from '../train/local-training.js';
import {evalSplit, readEvalExamples} from './eval-examples.js';
import {baseModelOf, trainerOf, trainerProcess} from './local-target.js';
import type {StageContext, StageDefinition} from './stage-definition.js';

/** The model a generate stage runs, from the eval settings. */
function modelOf(ctx: StageContext): EvalModel {
  const model = ctx.recipe.eval?.models.find((m) => m.name === ctx.node.name);
  if (!model) throw new Error(`no eval model named ${ctx.node.name}`);
  return model;
}

function targetOf(ctx: StageContext, model: EvalModel) {
  const target = ctx.recipe.targets.find((t) => t.name === model.target);
  if (!target) throw new Error(`no target named ${model.target}`);
  return target;
}

/** The generation settings that change answers (not the model's name, not how it is called). */
function settings(ctx: StageContext) {
  const g = ctx.recipe.eval!.generation;
  // A seed changes nothing when answers are greedy: leave it out so that it does not rekey.
  return {
    max_tokens: g.max_tokens,
    temperature: g.temperature,
    ...(g.temperature > 0 ? {seed: g.seed} : {}),
  };
}

/** The trained model's artifacts (every output of its train stage but the curve), by hash. */
function trainedArtifacts(ctx: StageContext, model: EvalModel) {
  const outputs = ctx.upstream.get(stageId('train', model.target))?.outputs ?? {};
  return Object.entries(outputs).filter(([name]) => name !== METRICS_OUTPUT);
}

/**
 * Who answers, for the key: a tuned model by its train stage's artifacts, a base model by what
 * pins it; and the trainer that generates with it (its generate code is part of the answer).
 */
async function identity(ctx: StageContext, model: EvalModel): Promise<unknown> {
  const target = targetOf(ctx, model);
  if (target.backend.type !== 'local') return {backend: target.backend, which: model.which};
  const trainer = await trainerOf(ctx, target);
  if (model.which === 'tuned') {
    const artifacts = Object.fromEntries(trainedArtifacts(ctx, model).map(([n, a]) => [n, a.hash]));
    return {tuned: artifacts, trainer};
  }
  return {base: (await baseModelOf(ctx, target))!.identity, trainer};
}

/**
 * generate:<model>: the model answers every example of the evaluation split. Keyed by the
 * model's identity, the examples and the generation settings; inside, each answer is also kept
 * by (model, settings, prompt) in the store's derived cache, so a changed example costs only its
 * own answer. Output: `generations.jsonl`, `{"id", "output"}` per example in the split's order.
 */
export const generateStage: StageDefinition = {
  async fingerprint(ctx) {
    const model = modelOf(ctx);
    return generateFingerprint(await identity(ctx, model), evalSplit(ctx), settings(ctx));
  },
  async run(ctx) {
    const model = modelOf(ctx);
    const target = targetOf(ctx, model);
    const {backend} = target;
    const trainer = backend.type === 'local' ? trainerProcess(backend, ctx.recipe.dir) : undefined;
    if (!trainer) {
      throw new StageFailure(
        'backend-unavailable',
        `answers from the ${backend.type} backend are not available in this version of ft`,
      );
    }
    const key = ctx.key;
    if (!key) throw new Error('a generate stage runs with its key');
    const examples = readEvalExamples(ctx);
    const params = settings(ctx);
    const who = await identity(ctx, model);
    const answerKey = (prompt: unknown) =>
      sha256(canonicalJson({kind: 'answer', model: who, params, prompt}));
    const answers = new Map<string, string>();
    for (const e of examples) {
      const known = ctx.store.readDerived(answerKey(e.prompt));
      if (typeof known === 'string') answers.set(e.id, known);
    }
    const missing = examples.filter((e) => !answers.has(e.id));
    if (missing.length > 0) {
      const artifacts: Record<string, string> = {};
      if (model.which === 'tuned') {
        for (const [name, a] of trainedArtifacts(ctx, model)) {
          artifacts[name] = await ctx.store.materialize(a.hash);
        }
      }
      const outputs = await generateLocally(ctx, {
        stage: ctx.node.id,
        argv: trainer.argv,
        command: trainer.shown,
        recipeCode: trainer.recipeCode,
        cwd: ctx.recipe.dir,
        env: trainer.env,
        baseModel: await (await baseModelOf(ctx, target))!.spec(),
        artifacts: model.which === 'tuned' ? artifacts : null,
        inputs: missing.map((e) => ({id: e.id, messages: e.prompt})),
        params,
        workDir: ctx.store.workDir(key),
        graceMs: trainerGraceMs(),
      });
      for (const [i, e] of missing.entries()) {
        const output = outputs[i] as string;
        answers.set(e.id, output);
        await ctx.store.writeDerived(answerKey(e.prompt), output);
      }
    }
    const generations = await ctx.store.putBytes(
      examples.map((e) => `${canonicalJson({id: e.id, output: answers.get(e.id)!})}\n`).join(''),
    );
    return {
      outputs: {'generations.jsonl': generations},
      summary: {
        examples: examples.length,
        generated: missing.length,
        cached: examples.length - missing.length,
      },
    };
  },
};
