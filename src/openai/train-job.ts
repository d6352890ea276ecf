import type {Artifact, ArtifactStore} from '../core/artifact-store.js';
import type {Sha256} from '../core/hash.js';
import {StageFailure} from '../core/stage-failure.js';
import type {OpenAIBackend} from '../recipe/recipe-types.js';
import {connect} from './client.js';
import {otherOrganization} from './errors.js';
import {ensureUploaded} from './files.js';
import {
  createJob,
  describeEnd,
  isEnded,
  type Job,
  jobsForKey,
  jobsForKeyPatiently,
  liveJob,
  mayExist,
  settleDuplicates,
} from './jobs.js';
import {pollJob} from './poll.js';
import type {CanonicalRequest} from './request.js';
import {collectResults} from './results.js';
import {StateFile} from './state.js';

export interface TrainFile {
  readonly hash: Sha256;
  /** Where its bytes are (the store's object). */
  readonly path: string;
  readonly size: number;
}

export interface OpenAITraining {
  readonly key: Sha256;
  readonly backend: OpenAIBackend;
  readonly request: CanonicalRequest;
  readonly train: TrainFile;
  readonly validation?: TrainFile | undefined;
  readonly store: ArtifactStore;
  readonly signal: AbortSignal;
  /** `ft build --retry`: a failed or cancelled job for the key is replaced by a new one. */
  readonly retry: boolean;
  /** `ft build --detach`: return once the job is known, without waiting for it. */
  readonly detach: boolean;
  /** The stage's id, for messages (`train:default`). */
  readonly stage: string;
  log(line: string): void;
  progress(message: string, done?: number, total?: number): void;
}

/**
 * A train stage on OpenAI, paying at most once per key:
 * 1. a job id recorded in the key's work folder, or any job the account lists under the key's
 *    metadata (`ft_stage_key`), is reattached (queued, running, paused) or reused (succeeded);
 * 2. a failed or cancelled one is reported and replaced only with `--retry`;
 * 3. where an intent to create was recorded and the (possibly lagging) list still shows nothing
 *    after its retries, the build stops (exit 1) once instead of creating;
 * 4. otherwise the files are uploaded (or found by their content-hash names) and the job is
 *    created once (jobs.ts createJob), its id persisted at once, racing duplicates cancelled.
 */
export async function trainOnOpenAI(
  t: OpenAITraining,
): Promise<{outputs: Record<string, Artifact>; summary: Record<string, unknown>}> {
  const {api, where} = connect(t.backend);
  const {signal, log} = t;
  const state = new StateFile(t.store.workDir(t.key));
  log(`OpenAI fine-tuning at ${where}, key ${t.key}`);

  const intent = state.state.intent_at !== undefined;
  const jobs = intent
    ? await jobsForKeyPatiently(api, t.key, signal)
    : await jobsForKey(api, t.key, signal);
  const recorded = state.state.job;
  if (recorded && !jobs.some((j) => j.id === recorded)) {
    try {
      jobs.push(await api.fineTuning.jobs.retrieve(recorded, {signal}));
    } catch (e) {
      if (signal.aborted) throw e;
      const other = otherOrganization(e, state.state.organization_id);
      if (other) {
        throw new StageFailure(
          'credentials',
          `OpenAI job ${recorded} for this key was created by organization ${state.state.organization_id} (${state.path}); OPENAI_API_KEY belongs to ${other}, which cannot see it; use a key of ${state.state.organization_id} (ft created nothing: a new job would pay twice)`,
        );
      }
      log(`recorded job ${recorded} is not visible: ${(e as Error).message}`);
    }
  }
  let job: Job | undefined = liveJob(jobs);
  if (job) {
    log(
      `${job.status === 'succeeded' ? 'reusing' : 'reattaching to'} job ${job.id} (${job.status})`,
    );
    state.update({job: job.id, organization_id: job.organization_id});
  } else {
    const ended = jobs.find(isEnded);
    if (ended && !t.retry) {
      throw new StageFailure(
        'job-failed',
        `OpenAI job ${ended.id} for this key ${describeEnd(ended)}; ft starts no new (paid) job on its own: run ft build --retry to start one`,
      );
    }
    if (!ended && intent && jobs.length === 0 && (state.state.empty_lookups ?? 0) === 0) {
      state.update({empty_lookups: 1});
      throw mayExist(t.key, `a job create for this key was sent at ${state.state.intent_at}`);
    }
    const train = await ensureUploaded(api, t.train, state.state.files?.train, signal, log);
    state.update({files: {...state.state.files, train: train.id}});
    let validation: string | undefined;
    if (t.validation) {
      const v = await ensureUploaded(api, t.validation, state.state.files?.validation, signal, log);
      validation = v.id;
      state.update({files: {...state.state.files, validation: v.id}});
    }
    const created = await createJob(
      api,
      t.request,
      {train: train.id, validation},
      t.key,
      state,
      signal,
      log,
    );
    job = await settleDuplicates(api, created, t.key, signal, log);
    state.update({job: job.id, organization_id: job.organization_id});
  }
  const keepsRunning = (j: Job, why: string) =>
    new StageFailure(
      'detached',
      `${why}: OpenAI job ${j.id} keeps running (ft did not cancel it); the next ft build reattaches and collects its result; ft cancel ${t.stage} cancels it`,
    );
  if (t.detach && job.status !== 'succeeded') throw keepsRunning(job, 'detached (--detach)');
  let done: Job;
  try {
    done = await pollJob(api, job, t);
  } catch (e) {
    if (signal.aborted) throw keepsRunning(job, 'interrupted');
    throw e;
  }
  return collectResults(api, done, t.store, signal);
}
