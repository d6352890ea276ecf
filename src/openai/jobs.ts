import type OpenAI from 'openai';
import type {FineTuningJob} from 'openai/resources/fine-tuning/jobs/jobs';
import type {Sha256} from '../core/hash.js';
import {StageFailure} from '../core/stage-failure.js';
import {answered, apiFailure, describeApiError, retryAfterMs} from './errors.js';
import {type CanonicalRequest, jobCreateBody, STAGE_KEY} from './request.js';
import type {StateFile} from './state.js';
import {pollBaseMs, wait} from './timing.js';

export type Job = FineTuningJob;

const ENDED = new Set<string>(['failed', 'cancelled']);

/** Newest first (created_at, then id), as the API lists them. */
function newestFirst(a: Job, b: Job): number {
  return b.created_at - a.created_at || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

/**
 * Every job tagged with this key, newest first. The API filters by metadata; ft checks the tag
 * again itself (a filter the server ignored, or Azure's, whose support for it is an assumption,
 * must not hand back someone else's job).
 */
export async function jobsForKey(api: OpenAI, key: Sha256, signal: AbortSignal): Promise<Job[]> {
  const out: Job[] = [];
  try {
    for await (const job of api.fineTuning.jobs.list(
      {metadata: {[STAGE_KEY]: key}, limit: 100},
      {signal},
    )) {
      if (job.metadata?.[STAGE_KEY] === key) out.push(job);
    }
  } catch (e) {
    if (signal.aborted) throw e;
    throw apiFailure('looking up jobs by ft_stage_key', e);
  }
  return out.sort(newestFirst);
}

/**
 * The lookup when a job may exist that the list does not show yet (an intent without a job id,
 * a create whose answer was lost): retried with backoff while the list is empty.
 */
export async function jobsForKeyPatiently(
  api: OpenAI,
  key: Sha256,
  signal: AbortSignal,
  tries = 6,
): Promise<Job[]> {
  let delay = Math.min(1000, pollBaseMs());
  for (let i = 0; ; i++) {
    const jobs = await jobsForKey(api, key, signal);
    if (jobs.length > 0 || i + 1 >= tries) return jobs;
    await wait(delay, signal);
    delay *= 2;
  }
}

/** The job that counts for a key: the newest that did not fail or get cancelled. */
export function liveJob(jobs: readonly Job[]): Job | undefined {
  return [...jobs].sort(newestFirst).find((j) => !ENDED.has(j.status));
}

export function isEnded(job: Job): boolean {
  return ENDED.has(job.status);
}

/** "failed: invalid_n_examples: Training file has 7 example(s)..." for messages. */
export function describeEnd(job: Job): string {
  if (job.status === 'failed') {
    const err = job.error;
    const code = err?.code ? `${err.code}: ` : '';
    return `failed: ${code}${err?.message ?? 'no error message'}`;
  }
  return job.status;
}

/** An error thrown when ft cannot tell whether a lost create started a job. */
export function mayExist(key: Sha256, why: string): StageFailure {
  return new StageFailure(
    'job-may-exist',
    `${why}: a job may exist for key ${key} that OpenAI does not list yet, so ft created none; run ft build again (if it still does not show, ft concludes the create never reached OpenAI and sends it)`,
  );
}

/**
 * Creates the job, once. The intent is recorded first; the SDK's own retries are off (OpenAI has
 * no idempotency key, so a retried POST whose first answer was lost starts a second paid job):
 * a 429 is retried after the wait it asks for (the API did nothing); any other answered 4xx
 * means nothing was created and is shown as the API worded it; a 5xx or a lost answer is
 * resolved by looking the key up (patiently: the list can lag), and only a 5xx whose lookup
 * stays empty is sent again (the server answered, so it most likely did nothing, and the
 * duplicate check after creating catches the rest). A lost answer whose lookup stays empty
 * stops the build (exit 1): nobody knows, and paying twice is the one thing ft must not do.
 */
export async function createJob(
  api: OpenAI,
  request: CanonicalRequest,
  fileIds: {train: string; validation?: string | undefined},
  key: Sha256,
  state: StateFile,
  signal: AbortSignal,
  log: (line: string) => void,
): Promise<Job> {
  const body = jobCreateBody(request, fileIds, key);
  for (let attempt = 1; ; attempt++) {
    state.update({intent_at: new Date().toISOString(), empty_lookups: 0});
    try {
      const job = await api.fineTuning.jobs.create(body, {maxRetries: 0, signal});
      state.update({job: job.id});
      log(`created job ${job.id}`);
      return job;
    } catch (e) {
      if (signal.aborted) throw e;
      if (answered(e) && e.status === 429 && attempt < 6) {
        log(`job create: ${describeApiError(e)}; retrying`);
        await wait(retryAfterMs(e, 1000 * 2 ** attempt), signal);
        continue;
      }
      if (answered(e) && e.status < 500) {
        // The API answered and refused: nothing was created.
        state.update({intent_at: undefined});
        throw apiFailure('creating the fine-tuning job', e);
      }
      log(`job create: ${describeApiError(e)}; looking the key up before anything else`);
      const live = liveJob(await jobsForKeyPatiently(api, key, signal));
      if (live) {
        state.update({job: live.id});
        log(`the create did reach OpenAI: job ${live.id}`);
        return live;
      }
      if (!answered(e)) {
        state.update({empty_lookups: 1});
        throw mayExist(key, `the answer to the job create was lost (${describeApiError(e)})`);
      }
      if (attempt >= 4) throw apiFailure('creating the fine-tuning job', e);
      await wait(Math.min(1000, pollBaseMs()) * 2 ** attempt, signal);
    }
  }
}

/**
 * Two runners racing on one key may both create: after creating, the oldest live job wins and
 * the newer ones are cancelled while they are still validating or queued (nothing trained, so
 * nothing billed). Returns the job that counts.
 */
export async function settleDuplicates(
  api: OpenAI,
  mine: Job,
  key: Sha256,
  signal: AbortSignal,
  log: (line: string) => void,
): Promise<Job> {
  const jobs = await jobsForKey(api, key, signal);
  if (!jobs.some((j) => j.id === mine.id)) jobs.push(mine);
  const live = jobs.filter((j) => !isEnded(j)).sort((a, b) => -newestFirst(a, b));
  const winner = live[0] ?? mine;
  for (const j of live.slice(1)) {
    if (j.status !== 'validating_files' && j.status !== 'queued') {
      log(`duplicate job ${j.id} for this key is already ${j.status}; left alone`);
      continue;
    }
    try {
      await api.fineTuning.jobs.cancel(j.id, {signal});
      log(`cancelled duplicate job ${j.id} (job ${winner.id} has this key)`);
    } catch (e) {
      log(`could not cancel duplicate job ${j.id}: ${describeApiError(e)}`);
    }
  }
  return winner;
}
