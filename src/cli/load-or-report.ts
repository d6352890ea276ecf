import {UserError} from '../core/diagnostic.js';
import {type LoadedRecipe, loadRecipe} from '../recipe/load.js';
import type {Io} from './io.js';

/** Loads the recipe or throws every problem as a UserError (exit 2). */
export function loadOrThrow(io: Io, file: string, set: readonly string[] = []): LoadedRecipe {
  const loaded = loadRecipe(file, {cwd: io.cwd, set});
  if (!loaded.ok) throw new UserError(loaded.error);
  return loaded.value;
}
