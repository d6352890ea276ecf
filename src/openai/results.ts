import type OpenAI from 'openai';
import type {Artifact, ArtifactStore} from '../core/artifact-store.js';
import {canonicalJson} from '../core/canonical-json.js';
import type {MetricsLine} from '../train/protocol.js';
import {apiFailure} from './errors.js';
import type {Job} from './jobs.js';

/**
 * What the lockfile records of a finished OpenAI training (`result`): enough to rebuild the
 * stage's `model` output byte for byte on a clone without `.ft/`, and to tell which
 * organization's key can see the job.
 */
export interface RemoteResult {
  readonly model: string;
  readonly base: string;
  readonly job: string;
  readonly organization_id: string;
}

export function resultOf(job: Job): RemoteResult {
  return {
    model: job.fine_tuned_model ?? '',
    base: job.model,
    job: job.id,
    organization_id: job.organization_id,
  };
}

export function isRemoteResult(value: unknown): value is RemoteResult {
  const r = value as Partial<RemoteResult> | null;
  return (
    typeof r === 'object' &&
    r !== null &&
    typeof r.model === 'string' &&
    r.model !== '' &&
    typeof r.base === 'string' &&
    typeof r.job === 'string' &&
    typeof r.organization_id === 'string'
  );
}

/** The train stage's `model` output on OpenAI: a small canonical JSON object. */
export function modelOutputBytes(result: RemoteResult): string {
  return `${canonicalJson({
    backend: 'openai',
    base_model: result.base,
    fine_tuned_model: result.model,
    job: result.job,
    organization_id: result.organization_id,
  })}\n`;
}

/**
 * The job's result file (`step,train_loss,train_accuracy,valid_loss,...`, SPEC.md section 1.6,
 * sometimes sent base64-encoded) as metrics.jsonl lines, the shape local trainers write.
 */
export function metricsFromCsv(body: string): MetricsLine[] {
  let text = body.trim();
  if (!text.startsWith('step')) {
    const decoded = Buffer.from(text, 'base64').toString('utf8');
    if (decoded.startsWith('step')) text = decoded.trim();
  }
  const [header, ...rows] = text.split(/\r?\n/);
  if (!header) return [];
  const columns = header.split(',').map((c) => c.trim());
  const at = (name: string) => columns.indexOf(name);
  const [step, loss, evalLoss] = [at('step'), at('train_loss'), at('valid_loss')];
  const lines: MetricsLine[] = [];
  for (const row of rows) {
    const cells = row.split(',');
    const n = (i: number) => {
      const cell = i < 0 ? '' : (cells[i] ?? '').trim();
      const v = cell === '' ? Number.NaN : Number(cell);
      return Number.isFinite(v) ? v : undefined;
    };
    const s = n(step);
    if (s === undefined || !Number.isInteger(s) || s < 0) continue;
    const l = n(loss);
    const e = n(evalLoss);
    lines.push({
      step: s,
      ...(l !== undefined ? {loss: l} : {}),
      ...(e !== undefined ? {eval_loss: e} : {}),
    });
  }
  return lines.sort((a, b) => a.step - b.step);
}

/** The outputs and summary of a succeeded job: `model`, `metrics.jsonl`, ids and checkpoints. */
export async function collectResults(
  api: OpenAI,
  job: Job,
  store: ArtifactStore,
  signal: AbortSignal,
): Promise<{outputs: Record<string, Artifact>; summary: Record<string, unknown>}> {
  const result = resultOf(job);
  let metrics: MetricsLine[] = [];
  let checkpoints: {step: number; model: string}[] = [];
  try {
    const id = job.result_files[0];
    if (id) metrics = metricsFromCsv(await (await api.files.content(id, {signal})).text());
    const page = await api.fineTuning.jobs.checkpoints.list(job.id, {limit: 10}, {signal});
    checkpoints = page.data
      .map((c) => ({step: c.step_number, model: c.fine_tuned_model_checkpoint}))
      .sort((a, b) => a.step - b.step);
  } catch (e) {
    if (signal.aborted) throw e;
    throw apiFailure(`collecting the results of job ${job.id}`, e);
  }
  const outputs: Record<string, Artifact> = {
    model: await store.putBytes(modelOutputBytes(result)),
    'metrics.jsonl': await store.putBytes(metrics.map((l) => `${canonicalJson(l)}\n`).join('')),
  };
  const last = metrics.at(-1);
  return {
    outputs,
    summary: {
      result,
      fine_tuned_model: result.model,
      job: job.id,
      trained_tokens: job.trained_tokens,
      steps: last?.step ?? 0,
      ...(last?.loss !== undefined ? {loss: last.loss} : {}),
      checkpoints,
    },
  };
}
