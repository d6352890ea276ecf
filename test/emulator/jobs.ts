/**
 * The fine-tuning job lifecycle, driven by ticks the test controls (never by the wall clock):
 *
 *   created: validating_files ──tick──▶ queued ──tick──▶ running ──tick × epochs──▶ succeeded
 *                 │ (< 10 examples: failed, invalid_n_examples)      (stepsPerTick steps a tick)
 *   pause (queued|running) ▶ paused ──resume──▶ queued;  cancel (any non-final) ▶ cancelled
 *
 * A tick comes from `GET /fine_tuning/jobs/{id}` (unless `advanceOnRetrieve: false`), from
 * `emulator.advance()` or from `POST /__emulator/advance`. Paused and final jobs ignore ticks.
 *
 * While running, each step appends a metrics event (`Step N/T: training loss=…`, data: step,
 * train_loss, train_mean_token_accuracy, total_steps, and valid_* when there is a validation file)
 * and a CSV row; each epoch end adds a checkpoint (the last 3 are kept). On success the job gets
 * `fine_tuned_model`, `trained_tokens`, `finished_at` and a `fine-tune-results` file
 * `step_metrics.csv` (`step,train_loss,train_accuracy,valid_loss,valid_mean_token_accuracy`).
 *
 * Resolved "auto" hyperparameters (the emulator's rule): n_epochs by the cookbook formula (3,
 * raised to min(25, 100 // n) for small sets, lowered to max(1, 25000 // n) for big ones);
 * batch_size = clamp(ceil(n × 0.002), 1, 256); learning_rate_multiplier = 2; DPO beta = 0.1.
 * Losses are a deterministic decay with hash jitter, a pure function of job id and step.
 */

import {lessonOf} from './chat.js';
import {alnum, sha256Hex} from './ids.js';
import {linesOf} from './jsonl.js';
import type {Lesson} from './models.js';
import type {
  CheckpointObject,
  EventObject,
  Hyperparameters,
  JobObject,
  JobRecord,
  Plan,
  State,
} from './state.js';

export const MIN_EXAMPLES = 10;
const FINAL = new Set(['succeeded', 'failed', 'cancelled']);

export function isFinal(job: JobRecord): boolean {
  return FINAL.has(job.json.status);
}

export function addEvent(
  state: State,
  job: JobRecord,
  message: string,
  extra: {
    level?: EventObject['level'];
    type?: EventObject['type'];
    data?: Record<string, unknown>;
  } = {},
): void {
  job.events.push({
    object: 'fine_tuning.job.event',
    id: state.ids.next('ftevent-', 24),
    created_at: state.clock.stamp(),
    level: extra.level ?? 'info',
    message,
    type: extra.type ?? 'message',
    data: extra.data ?? {},
  });
}

/** Non-empty lines of a JSONL file, parsed (upload already checked they parse). */
export function examplesOf(content: Buffer): unknown[] {
  const out: unknown[] = [];
  for (const [, line] of linesOf(content)) if (line.trim() !== '') out.push(JSON.parse(line));
  return out;
}

function hyperOf(job: JobObject): Hyperparameters {
  const m = job.method;
  return (
    (m.type === 'dpo' ? m.dpo?.hyperparameters : m.supervised?.hyperparameters) ?? {
      batch_size: 'auto',
      learning_rate_multiplier: 'auto',
      n_epochs: 'auto',
    }
  );
}

function autoEpochs(n: number): number {
  if (n * 3 < 100) return Math.min(25, Math.floor(100 / n));
  if (n * 3 > 25000) return Math.max(1, Math.floor(25000 / n));
  return 3;
}

/** Fixes the plan and writes the concrete hyperparameters into the job (at start of running). */
function resolvePlan(state: State, job: JobRecord): Plan {
  const examples = examplesOf(state.files.get(job.json.training_file)?.content ?? Buffer.alloc(0));
  const n = examples.length;
  const h = hyperOf(job.json);
  const epochs = h.n_epochs === 'auto' ? autoEpochs(n) : h.n_epochs;
  const batchSize =
    h.batch_size === 'auto' ? Math.min(256, Math.max(1, Math.ceil(n * 0.002))) : h.batch_size;
  const lr = h.learning_rate_multiplier === 'auto' ? 2 : h.learning_rate_multiplier;
  const concrete: Hyperparameters = {
    batch_size: batchSize,
    learning_rate_multiplier: lr,
    n_epochs: epochs,
  };
  if (job.json.method.type === 'dpo') {
    concrete.beta = h.beta === undefined || h.beta === 'auto' ? 0.1 : h.beta;
    job.json.method.dpo = {hyperparameters: concrete};
  } else {
    job.json.method.supervised = {hyperparameters: concrete};
  }
  job.json.hyperparameters = {
    batch_size: batchSize,
    learning_rate_multiplier: lr,
    n_epochs: epochs,
  };
  const stepsPerEpoch = Math.ceil(n / batchSize);
  const tokensPerEpoch = examples.reduce<number>(
    (sum, ex) => sum + Math.ceil(JSON.stringify(ex).length / 4),
    0,
  );
  return {
    examples: n,
    epochs,
    batchSize,
    stepsPerEpoch,
    totalSteps: stepsPerEpoch * epochs,
    tokensPerEpoch,
  };
}

function fail(state: State, job: JobRecord, error: NonNullable<JobObject['error']>): void {
  job.json.status = 'failed';
  job.json.error = error;
  job.json.estimated_finish = null;
  addEvent(state, job, error.message, {level: 'error'});
}

function jitter(jobId: string, step: number, salt: string): number {
  return (
    (Number.parseInt(sha256Hex(`${jobId}:${step}:${salt}`).slice(0, 8), 16) / 0xffffffff - 0.5) *
    0.1
  );
}

const round = (x: number): number => Math.round(x * 100000) / 100000;

function metricsAt(job: JobRecord, step: number, total: number, hasValid: boolean) {
  const base = 0.2 + 1.8 * Math.exp((-4 * step) / total);
  const train_loss = round(Math.max(0.01, base + jitter(job.json.id, step, 't')));
  const train_mean_token_accuracy = round(Math.min(1, Math.max(0, 1 - train_loss / 2.5)));
  if (!hasValid) return {train_loss, train_mean_token_accuracy};
  const valid_loss = round(Math.max(0.01, base + 0.05 + jitter(job.json.id, step, 'v')));
  const valid_mean_token_accuracy = round(Math.min(1, Math.max(0, 1 - valid_loss / 2.5)));
  return {train_loss, train_mean_token_accuracy, valid_loss, valid_mean_token_accuracy};
}

/** Runs `count` training steps; emits metrics events, CSV rows and epoch checkpoints. */
function train(state: State, job: JobRecord, plan: Plan, count: number): void {
  const hasValid = job.json.validation_file !== null;
  const end = Math.min(plan.totalSteps, job.stepsDone + count);
  const every = Math.max(1, Math.ceil(plan.totalSteps / 1000));
  for (let step = job.stepsDone + 1; step <= end; step++) {
    const m = metricsAt(job, step, plan.totalSteps, hasValid);
    const epochEnd = step % plan.stepsPerEpoch === 0;
    job.csv.push(
      [
        step,
        m.train_loss,
        m.train_mean_token_accuracy,
        m.valid_loss ?? '',
        m.valid_mean_token_accuracy ?? '',
      ].join(','),
    );
    if (step % every === 0 || step === plan.totalSteps) {
      let message = `Step ${step}/${plan.totalSteps}: training loss=${m.train_loss.toFixed(2)}`;
      if (m.valid_loss !== undefined) message += `, validation loss=${m.valid_loss.toFixed(2)}`;
      addEvent(state, job, message, {
        type: 'metrics',
        data: {step, total_steps: plan.totalSteps, ...m},
      });
    }
    if (epochEnd) {
      const metrics: Record<string, number> = {
        step,
        train_loss: m.train_loss,
        train_mean_token_accuracy: m.train_mean_token_accuracy,
      };
      if (m.valid_loss !== undefined) {
        metrics.valid_loss = m.valid_loss;
        metrics.valid_mean_token_accuracy = m.valid_mean_token_accuracy ?? 0;
        metrics.full_valid_loss = m.valid_loss;
        metrics.full_valid_mean_token_accuracy = m.valid_mean_token_accuracy ?? 0;
      }
      const ckpt: CheckpointObject = {
        object: 'fine_tuning.job.checkpoint',
        id: state.ids.next('ftckpt_', 24),
        created_at: state.clock.stamp(),
        fine_tuned_model_checkpoint: `${job.modelName}:ckpt-step-${step}`,
        fine_tuning_job_id: job.json.id,
        step_number: step,
        metrics,
      };
      job.checkpoints.push(ckpt);
      if (job.checkpoints.length > 3) job.checkpoints.shift();
      // GUESS: the live wording of checkpoint events is not recorded (SPEC.md 1.5).
      addEvent(state, job, `Checkpoint created at step ${step}`);
    }
  }
  job.stepsDone = end;
}

function succeed(state: State, job: JobRecord, plan: Plan): void {
  const csv = `step,train_loss,train_accuracy,valid_loss,valid_mean_token_accuracy\n${job.csv.join('\n')}\n`;
  const content = Buffer.from(
    state.options.resultFileBase64 ? Buffer.from(csv).toString('base64') : csv,
  );
  const id = state.ids.next('file-', 24);
  state.files.set(id, {
    seq: state.nextSeq(),
    org: job.json.organization_id,
    content,
    json: {
      id,
      object: 'file',
      bytes: content.length,
      created_at: state.clock.stamp(),
      filename: 'step_metrics.csv',
      purpose: 'fine-tune-results',
      status: 'processed',
    },
  });
  const now = state.clock.stamp();
  const j = job.json;
  j.result_files = [id];
  j.fine_tuned_model = job.modelName;
  j.trained_tokens = plan.tokensPerEpoch * plan.epochs;
  j.finished_at = now;
  j.estimated_finish = null;
  j.status = 'succeeded';
  const lessons = examplesOf(state.files.get(j.training_file)?.content ?? Buffer.alloc(0))
    .map(lessonOf)
    .filter((l): l is Lesson => l !== undefined);
  const parent = state.models.get(j.model);
  state.models.set(job.modelName, {
    id: job.modelName,
    created: now,
    ownedBy: j.organization_id,
    parent: j.model,
    base: parent?.base ?? j.model,
    lessons,
    deleted: false,
  });
  addEvent(state, job, `New fine-tuned model created: ${job.modelName}`);
  addEvent(state, job, 'The job has successfully completed');
}

/** One tick of the lifecycle (see the module comment). Final and paused jobs do not move. */
export function tick(state: State, job: JobRecord): void {
  const j = job.json;
  switch (j.status) {
    case 'validating_files': {
      if (job.pendingFailure?.at === 'validating_files' && job.pendingFailure.error) {
        fail(state, job, job.pendingFailure.error);
        return;
      }
      const n = examplesOf(state.files.get(j.training_file)?.content ?? Buffer.alloc(0)).length;
      if (n < MIN_EXAMPLES) {
        fail(state, job, {
          code: 'invalid_n_examples',
          message: `Training file has ${n} example(s), but must have at least ${MIN_EXAMPLES} examples`,
          param: 'training_file',
        });
        return;
      }
      j.status = 'queued';
      addEvent(state, job, 'Files validated, moving job to queued state');
      return;
    }
    case 'queued': {
      if (job.pendingFailure?.at === 'running' && job.pendingFailure.error) {
        fail(state, job, job.pendingFailure.error);
        return;
      }
      job.plan ??= resolvePlan(state, job);
      j.status = 'running';
      addEvent(state, job, 'Fine-tuning job started');
      j.estimated_finish = state.clock.peek() + (job.plan.totalSteps - job.stepsDone) * 10;
      return;
    }
    case 'running': {
      const plan = job.plan ?? resolvePlan(state, job);
      job.plan = plan;
      train(state, job, plan, state.options.stepsPerTick ?? plan.stepsPerEpoch);
      if (job.stepsDone >= plan.totalSteps) succeed(state, job, plan);
      return;
    }
    default:
      return;
  }
}

/** The name the job's model will get: OpenAI `ft:base:org:suffix:id8`; Azure `base.ft-hex[-suffix]`. */
export function modelNameFor(
  state: State,
  api: 'openai' | 'azure',
  base: string,
  suffix: string | null,
  jobId: string,
): string {
  if (api === 'azure') {
    return `${base}.ft-${sha256Hex(`azure:${jobId}`).slice(0, 32)}${suffix ? `-${suffix}` : ''}`;
  }
  return `ft:${base}:${state.options.orgSlug}:${suffix ?? ''}:${alnum(`model:${jobId}`, 8)}`;
}
