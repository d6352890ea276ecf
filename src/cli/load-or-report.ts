import {readFileSync} from 'node:fs';
import {dirname, join, resolve} from 'node:path';
import {UserError} from '../core/diagnostic.js';
import {ALLOW_EXEC, type ExecPolicy} from '../core/exec-policy.js';
import {isSha256} from '../core/hash.js';
import type {LoadedRecipe} from '../recipe/load.js';
import type {ResolvedRecipe} from '../recipe/normalized.js';
import {readRecipeCache, recipeCacheEntry, recipeCacheKey} from '../recipe/recipe-cache.js';
import {writeFileAtomicSync} from '../run/store/atomic-file.js';
import {LocalStore} from '../run/store/local-store.js';
import type {Io} from './io.js';

/**
 * Loads and validates the recipe, or throws every problem as a UserError (exit 2). Under
 * `--no-exec` the code it would run and the URLs it would fetch are problems too.
 */
export async function loadOrThrow(
  io: Io,
  file: string,
  set: readonly string[] = [],
  exec: ExecPolicy = ALLOW_EXEC,
): Promise<LoadedRecipe> {
  // Imported here, not at the top: the YAML parser and the validator are the bulk of start-up.
  const {loadRecipe} = await import('../recipe/load.js');
  const store = new LocalStore(join(dirname(resolve(io.cwd, file)), '.ft'));
  // Present is enough here: the stage checks the bytes before using them, and refuses to fetch.
  const isFetched = (pin: string) => isSha256(pin) && store.hasObjectFile(pin);
  const loaded = loadRecipe(file, {
    cwd: io.cwd,
    set,
    ...(exec.allowed ? {} : {exec: {policy: exec, isFetched}}),
  });
  if (!loaded.ok) throw new UserError(loaded.error);
  return loaded.value;
}

/**
 * For commands that work on the store (plan, build, explain): the same result as loadOrThrow,
 * from `.ft/recipe-cache.json` when the recipe, the overrides and ft are unchanged.
 */
export async function resolveRecipe(
  io: Io,
  file: string,
  set: readonly string[] = [],
  exec: ExecPolicy = ALLOW_EXEC,
): Promise<ResolvedRecipe> {
  if (!exec.allowed) {
    // Checked in full, past the cache: a refusal points at the recipe's text, which the cache
    // does not keep, and depends on the store. Nothing is written: a refused recipe leaves no
    // trace in .ft/.
    const loaded = await loadOrThrow(io, file, set, exec);
    return {path: loaded.path, normalized: loaded.normalized};
  }
  const path = resolve(io.cwd, file);
  let text: string | undefined;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    text = undefined; // loadOrThrow reports it properly
  }
  const key = text === undefined ? undefined : recipeCacheKey(path, text, set, io.cwd);
  const cacheFile = join(dirname(path), '.ft', 'recipe-cache.json');
  const cached = key === undefined ? undefined : readRecipeCache(cacheFile, key);
  if (cached) return {path, normalized: cached};
  const loaded = await loadOrThrow(io, file, set);
  if (key !== undefined) {
    // Through the store, so a .ft/ made here has its .gitignore like any other.
    new LocalStore(join(dirname(path), '.ft')).init();
    writeFileAtomicSync(cacheFile, recipeCacheEntry(key, loaded.normalized));
  }
  return {path: loaded.path, normalized: loaded.normalized};
}
