import {existsSync, readFileSync, statSync} from 'node:fs';
import {resolve} from 'node:path';
import {hasGlobMatch, isGlob} from '../core/glob.js';
import {sha256} from '../core/hash.js';
import type {NormalizedRecipe} from './normalized.js';

/**
 * Remembers the last recipe that passed validation, keyed by its exact bytes, the `--set`
 * arguments and the build of ft that validated it. A no-op build then skips loading the YAML
 * parser and the schema validator, which is most of its time. Any change to the recipe, the
 * overrides or ft itself misses the cache and validates in full.
 */
interface Entry {
  readonly key: string;
  readonly normalized: NormalizedRecipe;
}

let buildId: string | null | undefined;

/** The id of this build of ft (dist/build-id.json); null when running from source. */
function currentBuildId(): string | null {
  if (buildId === undefined) {
    try {
      const url = new URL('../build-id.json', import.meta.url);
      buildId = (JSON.parse(readFileSync(url, 'utf8')) as {buildId: string}).buildId;
    } catch {
      buildId = null;
    }
  }
  return buildId;
}

/**
 * The recipe's absolute path and the folder ft runs in are part of the key: normalized recipes
 * hold absolute paths, and paths shown in messages are relative to where the user is.
 */
export function recipeCacheKey(
  recipePath: string,
  recipeText: string,
  set: readonly string[],
  cwd: string,
): string | undefined {
  const id = currentBuildId();
  return id === null
    ? undefined
    : sha256(`${id}\0${recipePath}\0${cwd}\0${JSON.stringify(set)}\0${recipeText}`);
}

/**
 * The cached normalized recipe, if the key matches and every source file still exists (a
 * missing file must be reported by the full validation, with its position in the recipe).
 */
export function readRecipeCache(cacheFile: string, key: string): NormalizedRecipe | undefined {
  let entry: Entry;
  try {
    entry = JSON.parse(readFileSync(cacheFile, 'utf8')) as Entry;
  } catch {
    return undefined;
  }
  if (entry.key !== key) return undefined;
  const {normalized} = entry;
  return filesStillThere(normalized) ? normalized : undefined;
}

/**
 * The file-system checks of rules.ts, re-run on a cache hit (they are cheap): when one fails,
 * the recipe is loaded in full, which reports the problem at its place in the recipe.
 */
function filesStillThere(recipe: NormalizedRecipe): boolean {
  const isFile = (path: string) => {
    try {
      return statSync(resolve(recipe.dir, path)).isFile();
    } catch {
      return false;
    }
  };
  for (const s of recipe.sources) {
    if (s.kind !== 'files') continue;
    if (isGlob(s.path) ? !hasGlobMatch(recipe.dir, s.path) : !isFile(s.path)) return false;
  }
  for (const step of recipe.transforms) {
    if ('js' in step && !isFile(step.js.module)) return false;
    if ('command' in step) {
      const program = step.command.run[0]!;
      if (program.includes('/') && !existsSync(resolve(recipe.dir, program))) return false;
    }
  }
  return true;
}

export function recipeCacheEntry(key: string, normalized: NormalizedRecipe): string {
  return `${JSON.stringify({key, normalized} satisfies Entry)}\n`;
}
