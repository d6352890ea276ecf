import {existsSync, readdirSync, readFileSync, statSync} from 'node:fs';
import {homedir} from 'node:os';
import {join, relative, resolve, sep} from 'node:path';
import {canonicalJson} from '../core/canonical-json.js';
import {type Sha256, sha256} from '../core/hash.js';

/**
 * How a local base model is pinned, so that the same commit trains the same model: a folder by
 * its content, a hub name by the `revision` the recipe gives or, offline, by the commit the local
 * Hugging Face cache's `refs/main` names. A bare hub name is a moving target, and ft refuses to
 * key a training on it.
 */
export type BaseModelPin =
  | {readonly kind: 'folder'; readonly path: string}
  | {
      readonly kind: 'revision';
      readonly name: string;
      readonly revision: string;
      readonly from: 'recipe' | 'hf-cache';
    }
  | {readonly kind: 'unpinned'; readonly name: string};

/** The folder of the Hugging Face hub cache, as huggingface_hub finds it. */
export function hfHubCache(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HF_HUB_CACHE) return env.HF_HUB_CACHE;
  const home = env.HF_HOME ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'huggingface');
  return join(home, 'hub');
}

/** How `model` (with `revision`, relative to the recipe's folder `dir`) is pinned. */
export function pinBaseModel(
  model: string,
  revision: string | undefined,
  dir: string,
  env: NodeJS.ProcessEnv = process.env,
): BaseModelPin {
  const folder = resolve(dir, model);
  if (existsSync(folder) && statSync(folder).isDirectory()) return {kind: 'folder', path: folder};
  if (revision) return {kind: 'revision', name: model, revision, from: 'recipe'};
  // A hub id is org/name: the cache keeps it as models--org--name, with refs/main -> commit.
  const ref = join(hfHubCache(env), `models--${model.replaceAll('/', '--')}`, 'refs', 'main');
  try {
    const commit = readFileSync(ref, 'utf8').trim();
    if (/^[0-9a-f]{40}$/.test(commit)) {
      return {kind: 'revision', name: model, revision: commit, from: 'hf-cache'};
    }
  } catch {
    // not in the cache
  }
  return {kind: 'unpinned', name: model};
}

/** Every file of a folder, relative and sorted (symbolic links followed, as a trainer reads them). */
export function folderFiles(folder: string): string[] {
  return (readdirSync(folder, {recursive: true, withFileTypes: true}) as import('node:fs').Dirent[])
    .filter(
      (e) => e.isFile() || (e.isSymbolicLink() && statSync(join(e.parentPath, e.name)).isFile()),
    )
    .map((e) => relative(folder, join(e.parentPath, e.name)).split(sep).join('/'))
    .sort();
}

/**
 * What a pinned base model contributes to a training's key: a folder's file count and the hash
 * of its sorted (path, content hash) list (hashed through the stat cache, like sources), or the
 * name and revision.
 */
export async function baseModelIdentity(
  pin: Exclude<BaseModelPin, {kind: 'unpinned'}>,
  hashFiles: (paths: readonly string[]) => Promise<readonly {hash: Sha256}[]>,
): Promise<Record<string, unknown>> {
  if (pin.kind === 'revision') return {name: pin.name, revision: pin.revision};
  const files = folderFiles(pin.path);
  const hashes = await hashFiles(files.map((f) => join(pin.path, f)));
  const list = files.map((f, i) => [f, hashes[i]!.hash]);
  return {folder: {files: files.length, sha256: sha256(canonicalJson(list))}};
}
