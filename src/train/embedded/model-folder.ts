import {mkdirSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {configJson, readConfig} from './config.js';
import type {Layout} from './model.js';
import {decodeSafetensors, encodeSafetensors} from './safetensors.js';

/** The weights as safetensors tensors, in the layout's fixed order (views, no copy). */
export function weightTensors(lay: Layout, p: Float32Array) {
  return lay.tensors.map((t) => ({
    name: t.name,
    shape: t.shape,
    data: p.subarray(t.offset, t.offset + t.size),
  }));
}

/**
 * Writes a model folder (config.json + model.safetensors) at `folder`, replacing one that is
 * there: it is written beside it first and renamed, so a reader never sees half of one.
 */
export function writeModelFolder(
  folder: string,
  lay: Layout,
  p: Float32Array,
  extra?: (tmp: string) => void,
): void {
  const tmp = join(dirname(folder), `.tmp-${process.pid}-${folder.split('/').pop()}`);
  rmSync(tmp, {recursive: true, force: true});
  mkdirSync(tmp, {recursive: true});
  writeFileSync(join(tmp, 'config.json'), configJson(lay.config));
  writeFileSync(join(tmp, 'model.safetensors'), encodeSafetensors(weightTensors(lay, p)));
  extra?.(tmp);
  rmSync(folder, {recursive: true, force: true});
  renameSync(tmp, folder);
}

/** Reads model.safetensors from a folder into p, checking every tensor's name and shape. */
export function readWeights(folder: string, lay: Layout, p: Float32Array): void {
  const file = join(folder, 'model.safetensors');
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch (e) {
    throw new Error(`cannot read ${file}: ${(e as Error).message}`);
  }
  const tensors = decodeSafetensors(buf, file);
  for (const t of lay.tensors) {
    const got = tensors.get(t.name);
    if (
      got === undefined ||
      got.dtype !== 'F32' ||
      JSON.stringify(got.shape) !== JSON.stringify(t.shape)
    ) {
      throw new Error(`${file}: tensor ${t.name} is missing or not F32 ${JSON.stringify(t.shape)}`);
    }
    p.set(got.data, t.offset);
  }
}

export {readConfig};
