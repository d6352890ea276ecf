import {error, UserError} from '../core/diagnostic.js';
import {type Sha256, sha256} from '../core/hash.js';
import {StageFailure} from '../core/stage-failure.js';
import type {HeldOutSplit} from '../data/checks/index.js';
import {OPENAI_MIN_EXAMPLES} from '../data/checks/models.js';
import type {SplitName} from '../data/records/example.js';
import {SPLIT_FILES} from '../data/splits.js';
import {checkBudget, type Estimate} from '../openai/budget.js';
import {type CanonicalRequest, canonicalRequest} from '../openai/request.js';
import {remoteTrainFingerprint, trainFingerprint} from '../plan/fingerprint.js';
import {stageId} from '../plan/stage-id.js';
import type {NormalizedTarget} from '../recipe/normalized.js';
import type {OpenAIBackend} from '../recipe/recipe-types.js';
import {trainPreflight} from '../train/preflight.js';

import {baseModelOf, trainerOf, trainerProcess} from './local-target.js';
import type {Preflight, StageContext, StageDefinition} from './stage-definition.js';

function targetOf(ctx: StageContext): NormalizedTarget {
  const target = ctx.recipe.targets.find((t) => t.name === ctx.node.name);
  if (!target) throw new Error(`no target named ${ctx.node.name}`);
  return target;
}

/** The hash of a split's file as the dataset wrote it, or undefined when it has none. */
function splitData(ctx: StageContext, split: SplitName): Sha256 | undefined {
  return ctx.upstream.get(stageId('dataset'))?.outputs[SPLIT_FILES[split]]?.hash;
}

/** The dataset files a training reads: train, and validation when the recipe has one. */
function trainingData(ctx: StageContext): Record<string, Sha256> {
  const data: Record<string, Sha256> = {};
  for (const split of ['train', 'validation'] as const) {
    const hash = splitData(ctx, split);
    if (hash) data[SPLIT_FILES[split]] = hash;
  }
  return data;
}

/** The held-out splits the dataset wrote, by name (they are checked against the training one). */
function heldOutData(ctx: StageContext): Partial<Record<HeldOutSplit, Sha256>> {
  const out: Partial<Record<HeldOutSplit, Sha256>> = {};
  for (const split of ['validation', 'test'] as const) {
    const hash = splitData(ctx, split);
    if (hash) out[split] = hash;
  }
  return out;
}

/**
 * train:<target>. Its key is complete, its data is checked and (on OpenAI) its cost estimated
 * before anything runs, so plans, run-cache lookups and `--frozen` already treat training
 * correctly; the backends that run it (OpenAI, local trainers) are separate issues, and until
 * they land a build that reaches this stage fails clearly instead of pretending.
 */
export const trainStage: StageDefinition = {
  async fingerprint(ctx) {
    const target = targetOf(ctx);
    if (target.backend.type === 'openai') {
      return remoteTrainFingerprint({...openAIRequest(ctx, target.backend, target)});
    }
    const base = await baseModelOf(ctx, target);
    const trainer = await trainerOf(ctx, target);
    const local = base
      ? {base_model: base.identity, ...(trainer ? {command: trainer} : {})}
      : undefined;
    return trainFingerprint(target, ctx.recipe.seed, trainingData(ctx), local);
  },
  async preflight(ctx): Promise<Preflight> {
    const train = trainingData(ctx)[SPLIT_FILES.train];
    if (!train) throw new Error('the dataset has no training split');
    const target = targetOf(ctx);
    const checks = await trainPreflight(ctx, target, {train, heldOut: heldOutData(ctx)});
    const verdict = budgetOf(target, checks, ctx.flags.allowUnknownCost);
    if (!verdict || verdict.ok) return checks;
    return {
      fields: {...checks.fields, budget: {refused: verdict.message}},
      warnings: [...checks.warnings, `ft build will refuse to start this job: ${verdict.message}`],
    };
  },
  async restore(ctx, result, locked) {
    const target = targetOf(ctx);
    if (target.backend.type !== 'openai') return undefined;
    // The backends' code (the OpenAI SDK, the trainer supervisor) loads only where it is used: a
    // build that trains nothing does not pay for it.
    const {isRemoteResult, modelOutputBytes} = await import('../openai/results.js');
    if (!isRemoteResult(result)) return undefined;
    const bytes = modelOutputBytes(result);
    if (sha256(bytes) !== locked.model) return undefined;
    return {outputs: {model: await ctx.store.putBytes(bytes)}, summary: {result}};
  },
  async run(ctx) {
    const target = targetOf(ctx);
    const {backend} = target;
    if (backend.type === 'openai') return runOnOpenAI(ctx, target, backend);
    const trainer = backend.type === 'local' ? trainerProcess(backend, ctx.recipe.dir) : undefined;
    if (trainer) {
      const {trainLocally} = await import('../train/local-training.js');
      const data = trainingData(ctx);
      const key = ctx.key;
      if (!key) throw new Error('a train stage runs with its key');
      return trainLocally(ctx, {
        stage: ctx.node.id,
        key,
        argv: trainer.argv,
        command: trainer.shown,
        recipeCode: trainer.recipeCode,
        cwd: ctx.recipe.dir,
        env: trainer.env,
        baseModel: await (await baseModelOf(ctx, target))!.spec(),
        train: data[SPLIT_FILES.train]!,
        validation: data[SPLIT_FILES.validation],
        hyperparameters: {...target.hyperparameters},
        seed: ctx.recipe.seed,
        ...(trainer.deterministic !== undefined ? {deterministic: trainer.deterministic} : {}),
      });
    }
    const which = backend.type === 'local' ? ` (trainer ${backend.trainer})` : '';
    throw new StageFailure(
      'backend-unavailable',
      `the ${backend.type} backend${which} is not available in this version of ft; build the data stages with \`ft build dataset\``,
    );
  },
};

/** The canonical API request of an OpenAI target (its key is this request's hash). */
function openAIRequest(
  ctx: StageContext,
  backend: OpenAIBackend,
  target: NormalizedTarget,
): CanonicalRequest {
  const data = trainingData(ctx);
  const train = data[SPLIT_FILES.train];
  if (!train) throw new Error('the dataset has no training split');
  return canonicalRequest(backend, target.hyperparameters, ctx.recipe.seed, {
    train,
    validation: data[SPLIT_FILES.validation],
  });
}

/** The budget's verdict on a preflight's estimate; undefined for a target with no estimate. */
function budgetOf(target: NormalizedTarget, checks: Preflight, allowUnknownCost: boolean) {
  if (target.backend.type !== 'openai') return undefined;
  const estimate = checks.fields.estimate as Estimate | undefined;
  return checkBudget(target.backend.budget_usd, target.backend.model, estimate, allowUnknownCost);
}

/** train:<target> on OpenAI: the budget first (nothing is uploaded past it), then the job. */
async function runOnOpenAI(ctx: StageContext, target: NormalizedTarget, backend: OpenAIBackend) {
  const key = ctx.key;
  if (!key) throw new Error('a train stage runs with its key');
  const data = trainingData(ctx);
  const trainHash = data[SPLIT_FILES.train];
  if (!trainHash) throw new Error('the dataset has no training split');
  const checks = await trainPreflight(ctx, target, {train: trainHash, heldOut: heldOutData(ctx)});
  const verdict = budgetOf(target, checks, ctx.flags.allowUnknownCost);
  if (verdict && !verdict.ok) throw new StageFailure('over-budget', verdict.message);
  // A job the API is known to fail at validation (`invalid_n_examples`) is not started: nothing
  // is uploaded, and the user hears it now rather than after the queue.
  const method = checks.fields.method as {refused?: string} | undefined;
  if (method?.refused) {
    throw new UserError([error('data', `${ctx.node.id}: ${method.refused}; nothing was uploaded`)]);
  }
  const dataset = checks.fields.dataset as {examples?: number} | undefined;
  const model = checks.fields.model as {id?: string} | undefined;
  if (typeof dataset?.examples === 'number' && dataset.examples < OPENAI_MIN_EXAMPLES) {
    throw new UserError([
      error(
        'data',
        `${ctx.node.id}: OpenAI needs at least ${OPENAI_MIN_EXAMPLES} training examples to fine-tune ${model?.id ?? backend.model}; the dataset has ${dataset.examples}, so the job would fail (invalid_n_examples); nothing was uploaded`,
      ),
    ]);
  }
  const {trainOnOpenAI} = await import('../openai/train-job.js');
  const file = async (hash: Sha256 | undefined) =>
    hash === undefined
      ? undefined
      : {hash, path: ctx.store.pathOf(hash), size: (await ctx.store.sizeOf(hash)) ?? 0};
  return trainOnOpenAI({
    key,
    backend,
    request: openAIRequest(ctx, backend, target),
    train: (await file(trainHash))!,
    validation: await file(data[SPLIT_FILES.validation]),
    store: ctx.store,
    signal: ctx.signal,
    retry: ctx.flags.retry,
    detach: ctx.flags.detach,
    stage: ctx.node.id,
    log: ctx.log,
    progress: ctx.progress,
  });
}
