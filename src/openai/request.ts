import type {Sha256} from '../core/hash.js';
import type {Hyperparameters, OpenAIBackend} from '../recipe/recipe-types.js';

/** The hyperparameters the API takes, by method (SPEC.md section 1.3). */
const API_HYPERPARAMETERS = {
  supervised: ['n_epochs', 'batch_size', 'learning_rate_multiplier'],
  dpo: ['n_epochs', 'batch_size', 'learning_rate_multiplier', 'beta'],
} as const;

export type Method = keyof typeof API_HYPERPARAMETERS;

/**
 * The job request ft sends, with each file named by the sha256 of its content instead of the
 * id an upload gave it: the same request on any machine, account or day. `metadata` is not in
 * it (it carries the key), nor anything that guards or routes the request (budget_usd,
 * price_per_1m_tokens, base_url, azure), nor ft's own version: a new ft release never orphans a
 * paid job. `"auto"` is absent (the same as unset) and `epochs` is already `n_epochs` (both
 * done by recipe normalization).
 */
export interface CanonicalRequest {
  readonly model: string;
  readonly method: Method;
  readonly hyperparameters: Readonly<Record<string, number>>;
  readonly suffix?: string;
  readonly seed: number;
  readonly training_file: Sha256;
  readonly validation_file?: Sha256;
}

export function canonicalRequest(
  backend: OpenAIBackend,
  hyperparameters: Hyperparameters,
  seed: number,
  files: {readonly train: Sha256; readonly validation?: Sha256 | undefined},
): CanonicalRequest {
  const method: Method = backend.method ?? 'supervised';
  const h: Record<string, number> = {};
  const given = hyperparameters as Record<string, unknown>;
  for (const name of API_HYPERPARAMETERS[method]) {
    const value = given[name];
    if (typeof value === 'number') h[name] = value;
  }
  return {
    model: backend.model,
    method,
    hyperparameters: h,
    ...(backend.suffix !== undefined ? {suffix: backend.suffix} : {}),
    seed,
    training_file: files.train,
    ...(files.validation !== undefined ? {validation_file: files.validation} : {}),
  };
}

/** The body of `POST /fine_tuning/jobs` for a canonical request, once its files are uploaded. */
export function jobCreateBody(
  request: CanonicalRequest,
  fileIds: {readonly train: string; readonly validation?: string | undefined},
  key: Sha256,
) {
  return {
    model: request.model,
    training_file: fileIds.train,
    ...(fileIds.validation !== undefined ? {validation_file: fileIds.validation} : {}),
    ...(request.suffix !== undefined ? {suffix: request.suffix} : {}),
    seed: request.seed,
    method:
      request.method === 'dpo'
        ? {type: 'dpo' as const, dpo: {hyperparameters: request.hyperparameters}}
        : {type: 'supervised' as const, supervised: {hyperparameters: request.hyperparameters}},
    metadata: {[STAGE_KEY]: key},
  };
}

/** The metadata field a job carries its train stage's key in. */
export const STAGE_KEY = 'ft_stage_key';
