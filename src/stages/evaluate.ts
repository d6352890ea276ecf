import type {Sha256} from '../core/hash.js';
import {StageFailure} from '../core/stage-failure.js';
import {SPLIT_FILES} from '../data/splits.js';
import {evalFingerprint, reportFingerprint} from '../plan/fingerprint.js';
import {stageId} from '../plan/stage-id.js';
import type {StageContext, StageDefinition} from './stage-definition.js';

/** The single artifact that identifies a stage's result (a model, an evaluation). */
function primaryOutput(ctx: StageContext, id: string): Sha256 {
  const result = ctx.upstream.get(id as ReturnType<typeof stageId>);
  const first = result && Object.values(result.outputs)[0];
  if (!first) throw new Error(`${id} has no output`);
  return first.hash;
}

/**
 * eval:<target>: keyed by the evaluation settings, the trained model and the evaluation split.
 * Generation and scoring arrive with the eval issue; until then it fails clearly if reached.
 */
export const evalStage: StageDefinition = {
  async fingerprint(ctx) {
    const evaluation = ctx.recipe.eval;
    if (!evaluation) throw new Error('eval stage without eval settings');
    const split = SPLIT_FILES[evaluation.dataset ?? 'test'];
    const data = ctx.upstream.get(stageId('dataset'))?.outputs[split];
    return evalFingerprint(
      evaluation,
      primaryOutput(ctx, stageId('train', ctx.node.name)),
      data ? {[split]: data.hash} : {},
    );
  },
  async run() {
    throw new StageFailure(
      'backend-unavailable',
      'evaluation is not available in this version of ft',
    );
  },
};

/** report: keyed by every evaluation it summarizes. */
export const reportStage: StageDefinition = {
  async fingerprint(ctx) {
    const evals: Record<string, Sha256> = {};
    for (const need of ctx.node.needs) evals[need] = primaryOutput(ctx, need);
    return reportFingerprint(evals);
  },
  async run() {
    throw new StageFailure(
      'backend-unavailable',
      'reports are not available in this version of ft',
    );
  },
};
