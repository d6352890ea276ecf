import type {Sha256} from '../core/hash.js';
import {StageFailure} from '../core/stage-failure.js';
import {trainFingerprint} from '../plan/fingerprint.js';
import {stageId} from '../plan/stage-id.js';
import type {NormalizedTarget} from '../recipe/normalized.js';
import {SPLIT_FILES} from './dataset.js';
import type {StageContext, StageDefinition} from './stage-definition.js';

function targetOf(ctx: StageContext): NormalizedTarget {
  const target = ctx.recipe.targets.find((t) => t.name === ctx.node.name);
  if (!target) throw new Error(`no target named ${ctx.node.name}`);
  return target;
}

/** The dataset files a training reads: train, and validation when the recipe has one. */
export function trainingData(ctx: StageContext): Record<string, Sha256> {
  const dataset = ctx.upstream.get(stageId('dataset'));
  const data: Record<string, Sha256> = {};
  for (const name of [SPLIT_FILES.train, SPLIT_FILES.validation]) {
    const artifact = dataset?.outputs[name];
    if (artifact) data[name] = artifact.hash;
  }
  return data;
}

/**
 * train:<target>. Its key is complete now, so plans, run-cache lookups and `--frozen` already
 * treat training correctly; the backends that run it (OpenAI, local trainers) are separate
 * issues, and until they land a build that reaches this stage fails clearly instead of
 * pretending.
 */
export const trainStage: StageDefinition = {
  async fingerprint(ctx) {
    return trainFingerprint(targetOf(ctx), ctx.recipe.seed, trainingData(ctx));
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
