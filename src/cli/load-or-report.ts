import {readFileSync} from 'node:fs';
import {dirname, join, resolve} from 'node:path';
import {UserError} from '../core/diagnostic.js';
import type {LoadedRecipe} from '../recipe/load.js';
import type {ResolvedRecipe} from '../recipe/normalized.js';
import {readRecipeCache, recipeCacheEntry, recipeCacheKey} from '../recipe/recipe-cache.js';
import {writeFileAtomicSync} from '../run/store/atomic-file.js';
import {LocalStore} from '../run/store/local-store.js';
import type {Io} from './io.js';

/** Loads and validates the recipe, or throws every problem as a UserError (exit 2). */
export async function loadOrThrow(
  io: Io,
  file: string,
  set: readonly string[] = [],
): Promise<LoadedRecipe> {
  // Imported here, not at the top: the YAML parser and the validator are the bulk of start-up.
  const {loadRecipe} = await import('../recipe/load.js');
  const loaded = loadRecipe(file, {cwd: io.cwd, set});
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
): Promise<ResolvedRecipe> {
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
