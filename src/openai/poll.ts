import type OpenAI from 'openai';
import {StageFailure} from '../core/stage-failure.js';
import {apiFailure} from './errors.js';
import {describeEnd, type Job} from './jobs.js';
import {POLL_MAX_MS, pollBaseMs, wait} from './timing.js';

export interface Watch {
  readonly signal: AbortSignal;
  log(line: string): void;
  progress(message: string, done?: number, total?: number): void;
}

/** The newest metrics event of a job: step, total steps, losses (SPEC.md section 1.5). */
async function latestMetrics(
  api: OpenAI,
  id: string,
  signal: AbortSignal,
): Promise<{step: number; total?: number; loss?: number; eval_loss?: number} | undefined> {
  const page = await api.fineTuning.jobs.listEvents(id, {limit: 20}, {signal});
  for (const e of page.data) {
    const d = e.data as Record<string, unknown> | null | undefined;
    if (e.type === 'metrics' && d && typeof d.step === 'number') {
      return {
        step: d.step,
        ...(typeof d.total_steps === 'number' ? {total: d.total_steps} : {}),
        ...(typeof d.train_loss === 'number' ? {loss: d.train_loss} : {}),
        ...(typeof d.valid_loss === 'number' ? {eval_loss: d.valid_loss} : {}),
      };
    }
  }
  return undefined;
}

/**
 * Follows a job to its end: asks every FT_OPENAI_POLL_MS while something changes and backs off
 * to a minute while nothing does (the SDK retries the GETs through 429s and 5xx). Progress comes
 * from the job's metrics events. `paused` is waited out (a person paused it and resumes it).
 * Returns the succeeded job; a failed one ends the stage with the job's error code and message.
 * Ctrl-C aborts the wait only: the job keeps running on OpenAI and the next build reattaches.
 */
export async function pollJob(api: OpenAI, job: Job, watch: Watch): Promise<Job> {
  const {signal} = watch;
  const base = pollBaseMs();
  let interval = base;
  let last = '';
  let current = job;
  for (;;) {
    let seen = current.status;
    if (current.status === 'running') {
      try {
        const m = await latestMetrics(api, current.id, signal);
        if (m) {
          const loss = m.loss !== undefined ? ` loss ${m.loss.toFixed(4)}` : '';
          const val = m.eval_loss !== undefined ? ` val ${m.eval_loss.toFixed(4)}` : '';
          watch.progress(
            `${current.id} step ${m.step}${m.total ? `/${m.total}` : ''}${loss}${val}`,
            m.step,
            m.total,
          );
          seen += `:${m.step}`;
        }
      } catch (e) {
        if (signal.aborted) throw e;
        // Progress is news, not the result: a failed events call waits for the next poll.
      }
    } else if ((current.status as string) === 'paused') {
      // `paused` is missing from the spec's enum and the SDK's type (SPEC.md section 1.4).
      watch.progress(`${current.id} is paused on OpenAI; ft waits for it to be resumed`);
    } else if (current.status !== 'succeeded' && current.status !== 'failed') {
      watch.progress(`${current.id} ${current.status.replace('_', ' ')}`);
    }
    if (current.status !== last) watch.log(`job ${current.id}: ${current.status}`);
    if (current.status === 'succeeded') return current;
    if (current.status === 'failed' || current.status === 'cancelled') {
      throw new StageFailure(
        'job-failed',
        `OpenAI job ${current.id} ${describeEnd(current)}; run ft build --retry to start a new (paid) job for this key`,
      );
    }
    interval = seen !== last ? base : Math.min(interval * 1.5, POLL_MAX_MS);
    last = seen;
    await wait(interval, signal);
    try {
      current = await api.fineTuning.jobs.retrieve(current.id, {signal});
    } catch (e) {
      if (signal.aborted) throw e;
      throw apiFailure(`following job ${current.id}`, e);
    }
  }
}
