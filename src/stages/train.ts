import type {Sha256} from '../core/hash.js';
import {StageFailure} from '../core/stage-failure.js';
import type {HeldOutSplit} from '../data/checks/index.js';
import type {SplitName} from '../data/records/example.js';
import {SPLIT_FILES} from '../data/splits.js';
import {trainFingerprint} from '../plan/fingerprint.js';
import {stageId} from '../plan/stage-id.js';
import type {NormalizedTarget} from '../recipe/normalized.js';
import {trainPreflight} from '../train/preflight.js';
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
    return trainFingerprint(targetOf(ctx), ctx.recipe.seed, trainingData(ctx));
  },
  async preflight(ctx): Promise<Preflight> {
    const train = trainingData(ctx)[SPLIT_FILES.train];
    if (!train) throw new Error('the dataset has no training split');
    return trainPreflight(ctx, targetOf(ctx), {train, heldOut: heldOutData(ctx)});
  },
  async run(ctx) {
    const target = targetOf(ctx);
    const trainer = target.backend.type === 'local' ? ` (trainer ${target.backend.trainer})` : '';
    throw new StageFailure(
      'backend-unavailable',
      `the ${target.backend.type} backend${trainer} is not available in this version of ft; build the data stages with \`ft build dataset\``,
    );
  },
};
