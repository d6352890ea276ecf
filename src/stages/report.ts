import type {Sha256} from '../core/hash.js';
import {StageFailure} from '../core/stage-failure.js';
import {reportFingerprint} from '../plan/fingerprint.js';
import type {StageDefinition} from './stage-definition.js';

/**
 * report: keyed by the evaluation it summarizes. Not in the graph yet (the reports issue adds
 * it); a build never reaches it.
 */
export const reportStage: StageDefinition = {
  async fingerprint(ctx) {
    const evals: Record<string, Sha256> = {};
    for (const need of ctx.node.needs) {
      const first = Object.values(ctx.upstream.get(need)?.outputs ?? {})[0];
      if (first) evals[need] = first.hash;
    }
    return reportFingerprint(evals);
  },
  async run() {
    throw new StageFailure(
      'backend-unavailable',
      'reports are not available in this version of ft',
    );
  },
};
