import {createHash} from 'node:crypto';
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {onTestFinished} from 'vitest';
import type {TrainSpec} from '../../../../src/train/protocol.js';

/** A temp folder removed when the test ends. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ft-embedded-'));
  onTestFinished(() => rmSync(dir, {recursive: true, force: true}));
  return dir;
}

export const chat = (user: string, assistant: string) => ({
  messages: [
    {role: 'user', content: user},
    {role: 'assistant', content: assistant},
  ],
});

/** Twelve small arithmetic chats: the data of the golden run. */
export const ARITHMETIC = Array.from({length: 12}, (_, i) =>
  chat(`${i} + ${i + 3} =`, `${2 * i + 3}`),
);

export function writeJsonl(path: string, records: readonly unknown[]): string {
  writeFileSync(path, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
  return path;
}

/** A train spec in `dir` over `records` (validation: the same records, when asked). */
export function trainSpec(
  dir: string,
  records: readonly unknown[],
  hyperparameters: Record<string, unknown>,
  extra: Partial<TrainSpec> = {},
): TrainSpec {
  const train = writeJsonl(join(dir, 'train.jsonl'), records);
  return {
    protocol: 1,
    stage: 'train:t',
    base_model: 'embedded:tiny',
    train_file: train,
    validation_file: null,
    format: 'chat',
    hyperparameters,
    seed: 5,
    output_dir: join(dir, 'out'),
    resume_from: null,
    ...extra,
  };
}

/** The golden run's hyperparameters: tiny, fast, and touching every part of training. */
export const GOLDEN_HP = {
  n_epochs: 2,
  batch_size: 4,
  n_layer: 2,
  d_model: 16,
  n_head: 2,
  max_seq_len: 24,
  learning_rate: 0.01,
  warmup_ratio: 0.2,
  checkpoint_every: 2,
};

/**
 * sha256 of model.safetensors after the golden run. Every machine, engine and thread count must
 * give these bytes; if they change, the numerics changed: bump EMBEDDED_NUMERICS_VERSION.
 */
export const GOLDEN_SHA256 = '292443b4668f6732b10760600a9cbc818536090e4cb985667743dd008988fc9e';

/**
 * sha256 of the golden run's last checkpoint's optimizer.safetensors: AdamW's f64 moments, which
 * show differences too small to survive the rounding of weights to f32.
 */
export const GOLDEN_OPTIMIZER_SHA256 =
  '6ada0fe08d2b4b1e0c64bc1a8f1ff9bf686dcb20219cc19a447c810e07724372';

export const sha256File = (path: string) =>
  createHash('sha256').update(readFileSync(path)).digest('hex');
