import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {DEFAULTS, type Hyperparameters} from './hyperparameters.js';
import {TOKENIZER_DESCRIPTION, VOCAB_SIZE} from './tokenizer.js';
import {EMBEDDED_NUMERICS_VERSION} from './version.js';

/** A model's sizes: what config.json fixes and what the weights' shapes follow. */
export interface ModelConfig {
  readonly vocab_size: number;
  readonly n_ctx: number;
  readonly n_layer: number;
  readonly d_model: number;
  readonly n_head: number;
  readonly d_ff: number;
}

/** The sizes of a fresh `embedded:tiny` model from the hyperparameters (defaults filled in). */
export function freshConfig(hp: Hyperparameters | undefined): ModelConfig {
  const d_model = hp?.d_model ?? DEFAULTS.d_model;
  const config = {
    vocab_size: VOCAB_SIZE,
    n_ctx: hp?.max_seq_len ?? DEFAULTS.max_seq_len,
    n_layer: hp?.n_layer ?? DEFAULTS.n_layer,
    d_model,
    n_head: hp?.n_head ?? DEFAULTS.n_head,
    d_ff: hp?.d_ff ?? 4 * d_model,
  };
  if (d_model % config.n_head !== 0) {
    throw new Error(`d_model (${d_model}) must be a multiple of n_head (${config.n_head})`);
  }
  return config;
}

/** Checks that size hyperparameters agree with a saved model's config; throws naming each. */
export function checkSizes(config: ModelConfig, hp: Hyperparameters, where: string): void {
  const wrong: string[] = [];
  for (const name of ['n_layer', 'd_model', 'n_head', 'd_ff'] as const) {
    if (hp[name] !== undefined && hp[name] !== config[name]) {
      wrong.push(`${name} is ${hp[name]} but the model has ${config[name]}`);
    }
  }
  if (hp.max_seq_len !== undefined && hp.max_seq_len > config.n_ctx) {
    wrong.push(`max_seq_len is ${hp.max_seq_len} but the model's context is ${config.n_ctx}`);
  }
  if (wrong.length > 0)
    throw new Error(`the base model at ${where} fixes the sizes: ${wrong.join('; ')}`);
}

/** config.json's content for a model folder. */
export function configJson(config: ModelConfig): string {
  return `${JSON.stringify(
    {
      format: 'ft-embedded',
      numerics_version: EMBEDDED_NUMERICS_VERSION,
      ...config,
      head: 'tied to wte',
      weights_layout: '[in, out] row-major F32 (y = x W + b)',
      tokenizer: TOKENIZER_DESCRIPTION,
    },
    null,
    2,
  )}\n`;
}

/** Reads a model folder's config.json; throws when it is not an embedded model's. */
export function readConfig(folder: string): ModelConfig {
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(readFileSync(join(folder, 'config.json'), 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new Error(
      `${folder} is not an embedded model folder (config.json: ${(e as Error).message})`,
    );
  }
  if (data.format !== 'ft-embedded') {
    throw new Error(
      `${folder}/config.json is not an embedded model's (format ${JSON.stringify(data.format)})`,
    );
  }
  const sizes = ['vocab_size', 'n_ctx', 'n_layer', 'd_model', 'n_head', 'd_ff'] as const;
  for (const k of sizes) {
    if (!Number.isSafeInteger(data[k]) || (data[k] as number) < 1) {
      throw new Error(`${folder}/config.json: ${k} must be a positive integer`);
    }
  }
  if (data.vocab_size !== VOCAB_SIZE) {
    throw new Error(
      `${folder}/config.json: vocab_size ${data.vocab_size} is not this tokenizer's ${VOCAB_SIZE}`,
    );
  }
  const config = Object.fromEntries(
    sizes.map((k) => [k, data[k] as number]),
  ) as unknown as ModelConfig;
  if (config.d_model % config.n_head !== 0)
    throw new Error(`${folder}/config.json: d_model must be a multiple of n_head`);
  return config;
}
