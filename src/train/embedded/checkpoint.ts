import {existsSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import type {ModelConfig} from './config.js';
import type {Layout} from './model.js';
import {readConfig, readWeights, writeModelFolder} from './model-folder.js';
import type {AdamW} from './optimizer.js';
import {decodeSafetensors, encodeSafetensors} from './safetensors.js';
import {EMBEDDED_NUMERICS_VERSION} from './version.js';

/**
 * A checkpoint is everything an exact resume needs: the f32 weights (model.safetensors, a model
 * folder like the artifact), AdamW's f64 moments (optimizer.safetensors) and the step count
 * (state.json). The learning rate and the data order are pure functions of the step and the
 * spec, so there is no other state.
 */
export interface CheckpointState {
  readonly step: number;
  readonly total_steps: number;
  readonly numerics_version: string;
  /** What the run was, to refuse resuming a different one. */
  readonly run: string;
}

export const CHECKPOINTS = 'checkpoints';

/** Writes checkpoints/step-<step> under outputDir; returns its path relative to outputDir. */
export function writeCheckpoint(
  outputDir: string,
  lay: Layout,
  p: Float32Array,
  opt: AdamW,
  state: CheckpointState,
): string {
  const rel = `${CHECKPOINTS}/step-${state.step}`;
  writeModelFolder(join(outputDir, rel), lay, p, (tmp) => {
    const n = opt.m.length;
    writeFileSync(
      join(tmp, 'optimizer.safetensors'),
      encodeSafetensors([
        {name: 'adamw.m', shape: [n], data: opt.m},
        {name: 'adamw.v', shape: [n], data: opt.v},
      ]),
    );
    writeFileSync(join(tmp, 'state.json'), `${JSON.stringify(state)}\n`);
  });
  return rel;
}

/** Removes all but the newest `keep` checkpoints (ft resumes from the last one it was told of). */
export function pruneCheckpoints(outputDir: string, keep: number): void {
  const dir = join(outputDir, CHECKPOINTS);
  if (!existsSync(dir)) return;
  const steps = readdirSync(dir)
    .map((n) => /^step-(\d+)$/.exec(n))
    .filter((m) => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => b - a);
  for (const s of steps.slice(keep)) rmSync(join(dir, `step-${s}`), {recursive: true, force: true});
}

/** Reads a checkpoint into p and opt; returns its state. Throws when it does not fit the run. */
export function readCheckpoint(
  folder: string,
  lay: Layout,
  p: Float32Array,
  opt: AdamW,
  run: string,
): CheckpointState {
  let state: CheckpointState;
  try {
    state = JSON.parse(readFileSync(join(folder, 'state.json'), 'utf8')) as CheckpointState;
  } catch (e) {
    throw new Error(`resume_from ${folder} is not an embedded checkpoint: ${(e as Error).message}`);
  }
  if (state.numerics_version !== EMBEDDED_NUMERICS_VERSION) {
    throw new Error(
      `resume_from ${folder} was written by numerics version ${state.numerics_version}, this is ${EMBEDDED_NUMERICS_VERSION}`,
    );
  }
  if (state.run !== run)
    throw new Error(
      `resume_from ${folder} belongs to a different run (other data, sizes or hyperparameters)`,
    );
  const config: ModelConfig = readConfig(folder);
  if (JSON.stringify(config) !== JSON.stringify(lay.config))
    throw new Error(`resume_from ${folder} has other model sizes`);
  readWeights(folder, lay, p);
  const file = join(folder, 'optimizer.safetensors');
  const tensors = decodeSafetensors(readFileSync(file), file);
  const m = tensors.get('adamw.m');
  const v = tensors.get('adamw.v');
  if (
    m?.dtype !== 'F64' ||
    v?.dtype !== 'F64' ||
    m.data.length !== opt.m.length ||
    v.data.length !== opt.v.length
  ) {
    throw new Error(`${file} does not hold this model's AdamW moments`);
  }
  opt.m.set(m.data);
  opt.v.set(v.data);
  return state;
}
