/**
 * One handler per openapi operation. A handler gets a request whose body and query already passed
 * the operation's schema (server.ts checks them), applies the API's own rules on top (ids exist,
 * purposes match, states allow the action), changes the state and returns the JSON to send; it
 * throws ApiError for a 4xx. Messages marked GUESS are not recorded from the live API.
 */
import {approxTokens, reply, textOf} from './chat.js';
import {ApiError, invalid, notFound} from './errors.js';
import type {FaultRule} from './faults.js';
import {sha256Hex} from './ids.js';
import {addEvent, isFinal, modelNameFor, tick} from './jobs.js';
import type {UploadedFile} from './jsonl.js';
import {checkJsonl} from './jsonl.js';
import {BASE_MODELS, type Lesson, resolveBase} from './models.js';
import type {OperationId} from './openapi.js';
import type {Api, FileObject, Hyperparameters, JobObject, JobRecord, State} from './state.js';
import {UPLOAD_HANDLERS} from './uploads.js';

export interface HandlerRequest {
  readonly api: Api;
  readonly params: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, unknown>>;
  /** JSON body, or for multipart the fields (files as `{filename, content}`). */
  readonly body: unknown;
  /** Azure `/deployments/{name}/…`: the deployment name. */
  readonly deployment: string | undefined;
  /** Faults that modify the action (`list_lag`, `fail_job`). */
  readonly modifiers: readonly FaultRule[];
  /** The organization of the request's key: it sees only its own objects. */
  readonly org: string;
}

export type HandlerResult = {json: unknown} | {raw: Buffer; contentType: string};

export type {UploadedFile} from './jsonl.js';

export type Handler = (state: State, req: HandlerRequest) => HandlerResult;

function page<T extends {id: string}>(items: readonly T[], after: unknown, limit: number) {
  let start = 0;
  if (typeof after === 'string') {
    const i = items.findIndex((x) => x.id === after);
    // GUESS: the live API's answer to an unknown cursor is not recorded; an empty page is safe.
    start = i < 0 ? items.length : i + 1;
  }
  const data = items.slice(start, start + limit);
  return {data, has_more: start + limit < items.length};
}

function getFile(state: State, id: string | undefined, org: string): FileObject {
  const f = id === undefined ? undefined : state.files.get(id);
  if (!f || f.org !== org) throw notFound(`No such File object: ${id}`, 'id');
  return f.json;
}

function getJob(state: State, id: string | undefined, org: string): JobRecord {
  const job = id === undefined ? undefined : state.jobs.get(id);
  if (!job || job.json.organization_id !== org) {
    throw notFound(`Could not find fine-tune: ${id}`, 'fine_tune_id', 'fine_tune_not_found');
  }
  return job;
}

const createFile: Handler = (state, req) => {
  const body = req.body as {file: UploadedFile; purpose: string; expires_after?: {seconds: number}};
  if (body.purpose === 'fine-tune') checkJsonl(body.file);
  const id = state.ids.next('file-', 24);
  const created = state.clock.stamp();
  const json: FileObject = {
    id,
    object: 'file',
    bytes: body.file.content.length,
    created_at: created,
    filename: body.file.filename,
    purpose: body.purpose,
    status: 'processed',
    ...(body.expires_after ? {expires_at: created + body.expires_after.seconds} : {}),
  };
  state.files.set(id, {seq: state.nextSeq(), org: req.org, json, content: body.file.content});
  return {json};
};

const listFiles: Handler = (state, req) => {
  const q = req.query as {purpose?: string; order?: string; limit?: number; after?: string};
  let items = [...state.files.values()]
    .filter((f) => f.org === req.org)
    .sort((a, b) => a.seq - b.seq)
    .map((f) => f.json);
  if (q.order !== 'asc') items.reverse();
  if (q.purpose !== undefined) items = items.filter((f) => f.purpose === q.purpose);
  const limit = q.limit ?? 10000;
  if (limit < 1 || limit > 10000) {
    throw invalid('limit must be between 1 and 10000', 'limit', 'invalid_value');
  }
  const {data, has_more} = page(items, q.after, limit);
  return {
    json: {
      object: 'list',
      data,
      first_id: data[0]?.id ?? null,
      last_id: data[data.length - 1]?.id ?? null,
      has_more,
    },
  };
};

const retrieveFile: Handler = (state, req) => ({json: getFile(state, req.params.file_id, req.org)});

const deleteFile: Handler = (state, req) => {
  const f = getFile(state, req.params.file_id, req.org);
  state.files.delete(f.id);
  return {json: {id: f.id, object: 'file', deleted: true}};
};

const downloadFile: Handler = (state, req) => {
  const f = getFile(state, req.params.file_id, req.org);
  const stored = state.files.get(f.id);
  return {raw: stored?.content ?? Buffer.alloc(0), contentType: 'application/octet-stream'};
};

function checkTrainingFile(state: State, id: string, param: string, org: string): void {
  const f = state.files.get(id);
  // GUESS: message and code; SPEC.md only says unknown files give a 400.
  if (!f || f.org !== org) throw invalid(`invalid ${param}: ${id}`, param, `invalid_${param}`);
  if (f.json.purpose !== 'fine-tune') {
    throw invalid(
      `${param} ${id} has purpose '${f.json.purpose}'; it must be uploaded with purpose 'fine-tune'.`,
      param,
      `invalid_${param}`,
    );
  }
}

function checkMetadata(metadata: Record<string, string> | null | undefined): void {
  if (!metadata) return;
  const entries = Object.entries(metadata);
  if (entries.length > 16) {
    throw invalid(
      'Invalid metadata: at most 16 key-value pairs are allowed.',
      'metadata',
      'invalid_value',
    );
  }
  for (const [k, v] of entries) {
    if (k.length > 64) {
      throw invalid(
        `Invalid metadata: key '${k}' is longer than 64 characters.`,
        'metadata',
        'invalid_value',
      );
    }
    if (v.length > 512) {
      throw invalid(
        `Invalid metadata: value of '${k}' is longer than 512 characters.`,
        'metadata',
        'invalid_value',
      );
    }
  }
}

interface CreateJobBody {
  model: string;
  training_file: string;
  validation_file?: string | null;
  suffix?: string | null;
  seed?: number | null;
  metadata?: Record<string, string> | null;
  integrations?: unknown[] | null;
  hyperparameters?: Partial<Hyperparameters>;
  method?: {
    type: 'supervised' | 'dpo' | 'reinforcement';
    supervised?: {hyperparameters?: Partial<Hyperparameters>};
    dpo?: {hyperparameters?: Partial<Hyperparameters>};
  };
}

function withAuto(h: Partial<Hyperparameters> | undefined, dpo: boolean): Hyperparameters {
  const out: Hyperparameters = {
    batch_size: h?.batch_size ?? 'auto',
    learning_rate_multiplier: h?.learning_rate_multiplier ?? 'auto',
    n_epochs: h?.n_epochs ?? 'auto',
  };
  if (dpo) out.beta = h?.beta ?? 'auto';
  return out;
}

const createFineTuningJob: Handler = (state, req) => {
  const body = req.body as CreateJobBody;
  const base = resolveBase(body.model);
  const parentModel = visibleModel(state, body.model, req.org);
  const model = base?.id ?? (parentModel && !parentModel.deleted ? parentModel.id : undefined);
  if (!model || (base && !base.fineTunable)) {
    throw invalid(
      `Model ${body.model} is not available for fine-tuning or does not exist.`,
      'model',
      'model_not_available',
    );
  }
  checkTrainingFile(state, body.training_file, 'training_file', req.org);
  if (body.validation_file)
    checkTrainingFile(state, body.validation_file, 'validation_file', req.org);
  checkMetadata(body.metadata);
  const type = body.method?.type ?? 'supervised';
  if (type === 'reinforcement') {
    throw invalid(
      'The emulator does not implement reinforcement fine-tuning (method.type "reinforcement").',
      'method.type',
      'emulator_unsupported',
    );
  }
  const methodHyper =
    type === 'dpo' ? body.method?.dpo?.hyperparameters : body.method?.supervised?.hyperparameters;
  if (body.hyperparameters && methodHyper) {
    // GUESS: wording; the API documents `hyperparameters` as replaced by method.*.hyperparameters.
    throw invalid(
      'Specify hyperparameters either in method or at the top level (deprecated), not both.',
      'hyperparameters',
      'invalid_value',
    );
  }
  if (body.hyperparameters && type === 'dpo') {
    throw invalid(
      'Top-level hyperparameters apply to supervised jobs only; use method.dpo.hyperparameters.',
      'hyperparameters',
      'invalid_value',
    );
  }
  const hyper = withAuto(methodHyper ?? body.hyperparameters, type === 'dpo');
  const id = state.ids.next('ftjob-', 24);
  const rootBase = parentModel?.base ?? model;
  const suffix = body.suffix ?? null;
  const json: JobObject = {
    id,
    object: 'fine_tuning.job',
    created_at: state.clock.stamp(),
    error: null,
    fine_tuned_model: null,
    finished_at: null,
    hyperparameters: {
      batch_size: hyper.batch_size,
      learning_rate_multiplier: hyper.learning_rate_multiplier,
      n_epochs: hyper.n_epochs,
    },
    model,
    organization_id: req.org,
    result_files: [],
    seed: body.seed ?? Number.parseInt(sha256Hex(`seed:${id}`).slice(0, 7), 16) % 2147483647,
    status: 'validating_files',
    trained_tokens: null,
    training_file: body.training_file,
    validation_file: body.validation_file ?? null,
    estimated_finish: null,
    integrations: body.integrations ?? null,
    metadata: body.metadata ?? null,
    method:
      type === 'dpo'
        ? {type, dpo: {hyperparameters: hyper}}
        : {type, supervised: {hyperparameters: hyper}},
    user_provided_suffix: suffix,
  };
  const lag = req.modifiers.find((f) => f.kind === 'list_lag');
  const failure = req.modifiers.find((f) => f.kind === 'fail_job');
  const job: JobRecord = {
    seq: state.nextSeq(),
    api: req.api,
    json,
    events: [],
    checkpoints: [],
    modelName: modelNameFor(state, req.api, rootBase, suffix, id),
    plan: undefined,
    stepsDone: 0,
    csv: [],
    hiddenForLists: lag ? (lag.lagCalls ?? 1) : 0,
    pendingFailure: failure
      ? {
          at: failure.failAt ?? 'running',
          error: {
            code: failure.failWith?.code ?? 'server_error',
            message: failure.failWith?.message ?? 'The job failed due to an internal error.',
            param: failure.failWith?.param ?? null,
          },
        }
      : undefined,
  };
  state.jobs.set(id, job);
  addEvent(state, job, `Created fine-tuning job: ${id}`);
  addEvent(
    state,
    job,
    json.validation_file
      ? `Validating training file: ${json.training_file} and validation file: ${json.validation_file}`
      : `Validating training file: ${json.training_file}`,
  );
  return {json};
};

const listPaginatedFineTuningJobs: Handler = (state, req) => {
  const q = req.query as {after?: string; limit?: number; metadata?: Record<string, string> | null};
  const all = [...state.jobs.values()]
    .filter((j) => j.json.organization_id === req.org)
    .sort((a, b) => b.seq - a.seq);
  const visible = all.filter((j) => j.hiddenForLists === 0);
  for (const j of all) if (j.hiddenForLists > 0) j.hiddenForLists--;
  let items = visible.map((j) => j.json);
  if (q.metadata === null) {
    items = items.filter((j) => j.metadata === null || Object.keys(j.metadata).length === 0);
  } else if (q.metadata !== undefined) {
    const want = Object.entries(q.metadata);
    items = items.filter((j) => want.every(([k, v]) => j.metadata?.[k] === v));
  }
  const {data, has_more} = page(items, q.after, q.limit ?? 20);
  return {json: {object: 'list', data, has_more}};
};

const retrieveFineTuningJob: Handler = (state, req) => {
  const job = getJob(state, req.params.fine_tuning_job_id, req.org);
  if (state.options.advanceOnRetrieve) tick(state, job);
  return {json: job.json};
};

const cancelFineTuningJob: Handler = (state, req) => {
  const job = getJob(state, req.params.fine_tuning_job_id, req.org);
  if (isFinal(job)) {
    // GUESS (SPEC.md 1.5): cancelling a finished job is a 400.
    throw invalid(`Job has already completed: ${job.json.id}`, null, 'invalid_job_state');
  }
  job.json.status = 'cancelled';
  job.json.estimated_finish = null;
  addEvent(state, job, 'Fine-tuning job cancelled'); // GUESS wording
  return {json: job.json};
};

const pauseFineTuningJob: Handler = (state, req) => {
  const job = getJob(state, req.params.fine_tuning_job_id, req.org);
  if (job.json.status !== 'running' && job.json.status !== 'queued') {
    // GUESS: which states can pause, and the wording.
    throw invalid(
      `Job ${job.json.id} cannot be paused in status ${job.json.status}.`,
      null,
      'invalid_job_state',
    );
  }
  job.json.status = 'paused';
  job.json.estimated_finish = null;
  addEvent(state, job, 'Fine-tuning job paused'); // GUESS wording
  return {json: job.json};
};

const resumeFineTuningJob: Handler = (state, req) => {
  const job = getJob(state, req.params.fine_tuning_job_id, req.org);
  if (job.json.status !== 'paused') {
    throw invalid(
      `Job ${job.json.id} is not paused (status ${job.json.status}).`,
      null,
      'invalid_job_state',
    );
  }
  job.json.status = 'queued';
  addEvent(state, job, 'Fine-tuning job resumed'); // GUESS wording
  return {json: job.json};
};

const listFineTuningEvents: Handler = (state, req) => {
  const job = getJob(state, req.params.fine_tuning_job_id, req.org);
  const q = req.query as {after?: string; limit?: number};
  const {data, has_more} = page([...job.events].reverse(), q.after, q.limit ?? 20);
  return {json: {object: 'list', data, has_more}};
};

const listFineTuningJobCheckpoints: Handler = (state, req) => {
  const job = getJob(state, req.params.fine_tuning_job_id, req.org);
  const q = req.query as {after?: string; limit?: number};
  const {data, has_more} = page([...job.checkpoints].reverse(), q.after, q.limit ?? 10);
  return {
    json: {
      object: 'list',
      data,
      first_id: data[0]?.id ?? null,
      last_id: data[data.length - 1]?.id ?? null,
      has_more,
    },
  };
};

/** A fine-tuned model the organization owns and has not deleted. */
function visibleModel(state: State, id: string, org: string) {
  const ft = state.models.get(id);
  return ft && !ft.deleted && ft.ownedBy === org ? ft : undefined;
}

function modelJson(state: State, id: string, org: string): unknown {
  const base = resolveBase(id);
  if (base) return {id, object: 'model', created: base.created, owned_by: 'system'};
  const ft = visibleModel(state, id, org);
  if (ft) return {id, object: 'model', created: ft.created, owned_by: ft.ownedBy};
  throw new ApiError(404, {
    message: `The model \`${id}\` does not exist or you do not have access to it.`,
    code: 'model_not_found',
  });
}

const listModels: Handler = (state, req) => ({
  json: {
    object: 'list',
    data: [
      ...BASE_MODELS.map((m) => modelJson(state, m.id, req.org)),
      ...[...state.models.values()]
        .filter((m) => visibleModel(state, m.id, req.org))
        .map((m) => modelJson(state, m.id, req.org)),
    ],
  },
});

const retrieveModel: Handler = (state, req) => ({
  json: modelJson(state, req.params.model ?? '', req.org),
});

const deleteModel: Handler = (state, req) => {
  const id = req.params.model ?? '';
  const ft = visibleModel(state, id, req.org);
  if (!ft) modelJson(state, id, req.org); // throws 404 for unknown ones
  if (!ft) {
    throw new ApiError(403, {message: `You do not have permission to delete the model ${id}.`});
  }
  ft.deleted = true;
  return {json: {id, object: 'model', deleted: true}};
};

interface ChatBody {
  model: string;
  messages: {role: string; content?: unknown}[];
  n?: number | null;
  stream?: boolean | null;
}

/**
 * The model an Azure deployment serves (`emu.deploy`); Azure answers an unknown deployment with
 * 404 `DeploymentNotFound`. GUESS: the message's wording (not in SPEC.md) is Azure's as commonly
 * reported.
 */
function deployed(state: State, name: string): string {
  const model = state.deployments.get(name);
  if (model === undefined) {
    throw new ApiError(404, {
      code: 'DeploymentNotFound',
      message:
        'The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.',
    });
  }
  return model;
}

const createChatCompletion: Handler = (state, req) => {
  const body = req.body as ChatBody;
  const model = req.deployment !== undefined ? deployed(state, req.deployment) : body.model;
  if (body.stream) {
    throw invalid(
      'The emulator does not implement streaming chat completions.',
      'stream',
      'emulator_unsupported',
    );
  }
  modelJson(state, model, req.org); // 404 for unknown models
  const chain: (readonly Lesson[])[] = [];
  for (let m = state.models.get(model); m; m = state.models.get(m.parent)) chain.push(m.lessons);
  const content = reply(model, body.messages, chain);
  const promptTokens = body.messages.reduce((s, m) => s + approxTokens(textOf(m.content)) + 3, 3);
  const completionTokens = approxTokens(content);
  const n = body.n ?? 1;
  const resolved = resolveBase(model)?.id ?? model;
  return {
    json: {
      id: `chatcmpl-${sha256Hex(`${model}\n${JSON.stringify(body.messages)}`).slice(0, 29)}`,
      object: 'chat.completion',
      created: state.clock.peek(),
      model: resolved,
      choices: Array.from({length: n}, (_, index) => ({
        index,
        message: {role: 'assistant', content, refusal: null, annotations: []},
        logprobs: null,
        finish_reason: 'stop',
      })),
      usage: {
        prompt_tokens: promptTokens,
        completion_tokens: completionTokens * n,
        total_tokens: promptTokens + completionTokens * n,
      },
      service_tier: 'default',
    },
  };
};

export const HANDLERS: Readonly<Record<OperationId, Handler>> = {
  createFile,
  listFiles,
  retrieveFile,
  deleteFile,
  downloadFile,
  createFineTuningJob,
  listPaginatedFineTuningJobs,
  retrieveFineTuningJob,
  cancelFineTuningJob,
  pauseFineTuningJob,
  resumeFineTuningJob,
  listFineTuningEvents,
  listFineTuningJobCheckpoints,
  listModels,
  retrieveModel,
  deleteModel,
  createChatCompletion,
  ...UPLOAD_HANDLERS,
};
