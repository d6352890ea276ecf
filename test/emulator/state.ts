/**
 * The emulator's in-memory world: files, fine-tuning jobs (with their events and checkpoints) and
 * fine-tuned models. Objects are stored in the exact JSON shape the API returns, so handlers send
 * them as they are (the server validates every one against openapi.yaml on the way out).
 */
import {Clock, Ids} from './ids.js';
import type {FineTunedModel} from './models.js';

export type Api = 'openai' | 'azure';

export interface FileObject {
  id: string;
  object: 'file';
  bytes: number;
  created_at: number;
  filename: string;
  purpose: string;
  status: 'uploaded' | 'processed' | 'error';
  expires_at?: number;
}

export interface StoredFile {
  readonly seq: number;
  /** The organization that owns it: other organizations' keys get a 404. */
  readonly org: string;
  readonly json: FileObject;
  readonly content: Buffer;
}

export type JobStatus =
  | 'validating_files'
  | 'queued'
  | 'running'
  | 'succeeded'
  | 'failed'
  | 'cancelled'
  | 'paused';

export type Hyper = number | 'auto';

export interface Hyperparameters {
  batch_size: Hyper;
  learning_rate_multiplier: Hyper;
  n_epochs: Hyper;
  beta?: Hyper;
}

export interface JobObject {
  id: string;
  object: 'fine_tuning.job';
  created_at: number;
  error: {code: string; message: string; param: string | null} | null;
  fine_tuned_model: string | null;
  finished_at: number | null;
  hyperparameters: {batch_size: Hyper; learning_rate_multiplier: Hyper; n_epochs: Hyper};
  model: string;
  organization_id: string;
  result_files: string[];
  seed: number;
  status: JobStatus;
  trained_tokens: number | null;
  training_file: string;
  validation_file: string | null;
  estimated_finish: number | null;
  integrations: unknown[] | null;
  metadata: Record<string, string> | null;
  method: {
    type: 'supervised' | 'dpo';
    supervised?: {hyperparameters: Hyperparameters};
    dpo?: {hyperparameters: Hyperparameters};
  };
  user_provided_suffix: string | null;
}

export interface EventObject {
  object: 'fine_tuning.job.event';
  id: string;
  created_at: number;
  level: 'info' | 'warn' | 'error';
  message: string;
  type: 'message' | 'metrics';
  data: Record<string, unknown>;
}

export interface CheckpointObject {
  object: 'fine_tuning.job.checkpoint';
  id: string;
  created_at: number;
  fine_tuned_model_checkpoint: string;
  fine_tuning_job_id: string;
  step_number: number;
  metrics: Record<string, number>;
}

export type UploadStatus = 'pending' | 'completed' | 'cancelled' | 'expired';

/** The `Upload` object (openapi `Upload`); `file` is set once it is completed. */
export interface UploadObject {
  id: string;
  object: 'upload';
  bytes: number;
  created_at: number;
  filename: string;
  purpose: string;
  status: UploadStatus;
  expires_at: number;
  file?: FileObject;
}

export interface UploadRecord {
  readonly seq: number;
  readonly org: string;
  readonly json: UploadObject;
  readonly mimeType: string;
  /** Part id → bytes, in the order they arrived (complete names the order). */
  readonly parts: Map<string, Buffer>;
  /** `expires_after` for the File the upload becomes. */
  readonly fileExpiresAfter: number | undefined;
}

/** The training plan fixed when the job starts running (hyperparameters resolved). */
export interface Plan {
  readonly examples: number;
  readonly epochs: number;
  readonly batchSize: number;
  readonly stepsPerEpoch: number;
  readonly totalSteps: number;
  readonly tokensPerEpoch: number;
}

export interface JobRecord {
  readonly seq: number;
  readonly api: Api;
  readonly json: JobObject;
  /** Oldest first; lists reverse them. */
  readonly events: EventObject[];
  /** Oldest first; only the last 3 epochs' checkpoints are kept. */
  readonly checkpoints: CheckpointObject[];
  /** The model id the job will create, fixed at creation so checkpoints can name it. */
  readonly modelName: string;
  plan: Plan | undefined;
  stepsDone: number;
  csv: string[];
  /** List calls that still leave this job out (fault `list_lag`). */
  hiddenForLists: number;
  /** Set by fault `fail_job`. */
  pendingFailure: {at: 'validating_files' | 'running'; error: JobObject['error']} | undefined;
}

export interface EmulatorOptionsResolved {
  /** The organization of any key not in `organizations`. */
  readonly organizationId: string;
  /** API key → organization id: keys of different organizations see different objects. */
  readonly organizations: Readonly<Record<string, string>>;
  /** The org segment of `ft:` model names. */
  readonly orgSlug: string;
  /** Running steps one tick advances; default: one epoch. */
  readonly stepsPerTick: number | undefined;
  /** Advance a job one tick on every `GET /fine_tuning/jobs/{id}` (default true). */
  readonly advanceOnRetrieve: boolean;
  /** Serve result files base64-encoded, as the cookbook once observed (default false). */
  readonly resultFileBase64: boolean;
  /** When set, the only accepted key (Bearer in OpenAI mode, api-key in Azure mode). */
  readonly apiKey: string | undefined;
}

export class State {
  readonly ids: Ids;
  readonly clock: Clock;
  readonly options: EmulatorOptionsResolved;
  readonly files = new Map<string, StoredFile>();
  readonly jobs = new Map<string, JobRecord>();
  readonly models = new Map<string, FineTunedModel>();
  readonly uploads = new Map<string, UploadRecord>();
  /** Azure deployments: name → the model it serves (`emu.deploy`). */
  readonly deployments = new Map<string, string>();
  #seq = 0;

  constructor(seed: string, start: number, options: EmulatorOptionsResolved) {
    this.ids = new Ids(seed);
    this.clock = new Clock(start);
    this.options = options;
  }

  /** The organization an API key belongs to. */
  orgOf(apiKey: string | undefined): string {
    return (
      (apiKey !== undefined ? this.options.organizations[apiKey] : undefined) ??
      this.options.organizationId
    );
  }

  nextSeq(): number {
    return ++this.#seq;
  }
}
