import type {Sha256} from '../core/hash.js';
import {StageFailure} from '../core/stage-failure.js';
import type {OpenAIBackend} from '../recipe/recipe-types.js';
import {connect} from './client.js';
import {apiFailure, otherOrganization} from './errors.js';
import {isEnded, jobsForKey} from './jobs.js';
import {StateFile} from './state.js';

/** What `ft cancel` did: the jobs it cancelled, and those it left (finished ones). */
export interface CancelOutcome {
  readonly cancelled: readonly string[];
  readonly left: readonly {readonly id: string; readonly status: string}[];
}

/**
 * Cancels, on request, every unfinished OpenAI job of a train stage's key (those the account
 * lists under its `ft_stage_key`, and the one recorded in its work folder). A cancelled job is
 * never replaced on its own: the next build reports it, and `ft build --retry` starts a new one.
 */
export async function cancelStageJobs(
  backend: OpenAIBackend,
  key: Sha256,
  workDir: string,
  signal: AbortSignal,
): Promise<CancelOutcome> {
  const {api} = connect(backend);
  const jobs = await jobsForKey(api, key, signal);
  const {state, path} = new StateFile(workDir);
  const recorded = state.job;
  if (recorded && !jobs.some((j) => j.id === recorded)) {
    try {
      jobs.push(await api.fineTuning.jobs.retrieve(recorded, {signal}));
    } catch (e) {
      const other = otherOrganization(e, state.organization_id);
      if (other) {
        throw new StageFailure(
          'credentials',
          `OpenAI job ${recorded} was created by organization ${state.organization_id} (${path}); OPENAI_API_KEY belongs to ${other}, which cannot see it; use a key of ${state.organization_id} to cancel it`,
        );
      }
      // Otherwise not visible with this key: nothing of ours to cancel there.
    }
  }
  const cancelled: string[] = [];
  const left: {id: string; status: string}[] = [];
  for (const job of jobs) {
    if (isEnded(job) || job.status === 'succeeded') {
      left.push({id: job.id, status: job.status});
      continue;
    }
    try {
      await api.fineTuning.jobs.cancel(job.id, {signal});
    } catch (e) {
      throw apiFailure(`cancelling job ${job.id}`, e);
    }
    cancelled.push(job.id);
  }
  return {cancelled, left};
}
