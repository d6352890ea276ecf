import type {Sha256} from '../core/hash.js';
import {StageFailure} from '../core/stage-failure.js';
import type {HeldOutSplit} from '../data/checks/index.js';
import type {SplitName} from '../data/records/example.js';
import {SPLIT_FILES} from '../data/splits.js';
import {trainFingerprint} from '../plan/fingerprint.js';
import {stageId} from '../plan/stage-id.js';
import type {NormalizedTarget} from '../recipe/normalized.js';
import {trainLocally} from '../train/local-training.js';
import {trainPreflight} from '../train/preflight.js';
import {commandTrainerIdentity, trainerArgv} from '../train/trainers/command.js';
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
export function trainingData(ctx: StageContext): Record<string, Sha256> {
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
    return trainFingerprint(
      target,
      ctx.recipe.seed,
      trainingData(ctx),
      await trainerOf(ctx, target),
    );
  },
  async preflight(ctx): Promise<Preflight> {
    const train = trainingData(ctx)[SPLIT_FILES.train];
    if (!train) throw new Error('the dataset has no training split');
    return trainPreflight(ctx, targetOf(ctx), {train, heldOut: heldOutData(ctx)});
  },
  async run(ctx) {
    const target = targetOf(ctx);
    const {backend} = target;
    if (backend.type === 'local' && backend.trainer === 'command' && backend.command) {
      const data = trainingData(ctx);
      const key = ctx.key;
      if (!key) throw new Error('a train stage runs with its key');
      return trainLocally(ctx, {
        stage: ctx.node.id,
        key,
        argv: trainerArgv(backend.command, ctx.recipe.dir),
        command: backend.command,
        cwd: ctx.recipe.dir,
        env: backend.env ?? [],
        baseModel: backend.revision
          ? {name: backend.model, revision: backend.revision}
          : backend.model,
        train: data[SPLIT_FILES.train]!,
        validation: data[SPLIT_FILES.validation],
        hyperparameters: {...target.hyperparameters},
        seed: ctx.recipe.seed,
      });
    }
    const trainer = backend.type === 'local' ? ` (trainer ${backend.trainer})` : '';
    throw new StageFailure(
      'backend-unavailable',
      `the ${backend.type} backend${trainer} is not available in this version of ft; build the data stages with \`ft build dataset\``,
    );
  },
};

/** What identifies the trainer of a local target beyond the recipe's words (see CommandTrainerIdentity). */
async function trainerOf(ctx: StageContext, target: NormalizedTarget): Promise<unknown> {
  const {backend} = target;
  if (backend.type !== 'local' || backend.trainer !== 'command' || !backend.command)
    return undefined;
  return commandTrainerIdentity({
    command: backend.command,
    dir: ctx.recipe.dir,
    where: ctx.node.id,
    exec: ctx.exec,
    env: backend.env ?? [],
    hashFile: ctx.hashFile,
    signal: ctx.signal,
  });
}
