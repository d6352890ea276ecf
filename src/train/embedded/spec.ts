import {readFileSync} from 'node:fs';
import {resolve} from 'node:path';
import type {BaseModel, GenerateSpec, TrainSpec} from '../protocol.js';

/** The name of the built-in base: fresh weights from the seed and the size hyperparameters. */
export const TINY = 'embedded:tiny';

/** Reads and checks a spec file's JSON; throws a message fit for an error event. */
export function readSpec(path: string): Record<string, unknown> {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`cannot read the spec ${path}: ${(e as Error).message}`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    throw new Error(`the spec ${path} is not a JSON object`);
  const spec = data as Record<string, unknown>;
  if (spec.protocol !== 1)
    throw new Error(`the spec speaks protocol ${JSON.stringify(spec.protocol)}; embedded speaks 1`);
  return spec;
}

function need(
  spec: Record<string, unknown>,
  name: string,
  ok: (v: unknown) => boolean,
  what: string,
): void {
  if (!ok(spec[name]))
    throw new Error(`the spec's "${name}" must be ${what}, not ${JSON.stringify(spec[name])}`);
}

const isPath = (v: unknown) => typeof v === 'string' && v.length > 0;
const isObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);

export function checkTrainSpec(spec: Record<string, unknown>): TrainSpec {
  need(
    spec,
    'base_model',
    (v) => isPath(v) || (isObject(v) && isPath((v as {name?: unknown}).name)),
    'a string or {"name", ...}',
  );
  need(spec, 'train_file', isPath, 'a path');
  need(spec, 'validation_file', (v) => v === null || isPath(v), 'a path or null');
  need(spec, 'format', (v) => v === 'chat' || v === 'preference', '"chat" or "preference"');
  need(spec, 'hyperparameters', isObject, 'an object');
  need(spec, 'seed', Number.isSafeInteger, 'an integer');
  need(spec, 'output_dir', isPath, 'a path');
  need(spec, 'resume_from', (v) => v === null || v === undefined || isPath(v), 'a path or null');
  return spec as unknown as TrainSpec;
}

export function checkGenerateSpec(spec: Record<string, unknown>): GenerateSpec {
  need(
    spec,
    'base_model',
    (v) => isPath(v) || (isObject(v) && isPath((v as {name?: unknown}).name)),
    'a string or {"name", ...}',
  );
  need(spec, 'artifacts', (v) => v === null || v === undefined || isObject(v), 'an object or null');
  need(spec, 'inputs', isPath, 'a path');
  need(spec, 'output', isPath, 'a path');
  need(spec, 'params', (v) => v === undefined || isObject(v), 'an object');
  return spec as unknown as GenerateSpec;
}

/**
 * Where a base model's weights are: null for embedded:tiny (fresh weights), else a model
 * folder: a path string, {name, path}, or {name, artifacts: {model}} (another target's model).
 */
export function baseModelFolder(base: BaseModel): string | null {
  if (typeof base === 'string') return base === TINY ? null : resolve(base);
  if (base.artifacts?.model !== undefined) return resolve(base.artifacts.model);
  if (base.path !== undefined) return resolve(base.path);
  if (base.name === TINY) return null;
  return resolve(base.name);
}
