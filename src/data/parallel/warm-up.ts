import {statSync} from 'node:fs';
import {resolve} from 'node:path';
import {isGlob} from '../../core/glob.js';
import {formatFromName, type NormalizedRecipe} from '../../recipe/normalized.js';

/**
 * Starts the dataset stage's worker threads while the build hashes the sources, when the stage
 * will most likely run on them: its transforms run on workers, its sources are local JSONL files
 * large enough for them, and one of those has changed since it was last hashed (else the stage
 * is most likely cached). A worker takes a tenth of a second to boot, time a cold build of a
 * large file otherwise spends with its workers not yet there.
 */
export async function warmUpDataset(ctx: {
  readonly recipe: NormalizedRecipe;
  /** Whether a file is unchanged since it was last hashed. */
  knowsFile(absolutePath: string): boolean;
}): Promise<void> {
  const {recipe} = ctx;
  let bytes = 0;
  let changed = false;
  for (const source of recipe.sources) {
    if (source.kind === 'inline') continue;
    // Globs and remote files are left alone: knowing them takes the source stage's work.
    if (source.kind !== 'files' || isGlob(source.path)) return;
    if ((source.format ?? formatFromName(source.path)) !== 'jsonl') return;
    const path = resolve(recipe.dir, source.path);
    try {
      bytes += statSync(path).size;
    } catch {
      return;
    }
    if (!ctx.knowsFile(path)) changed = true;
  }
  // Only now the pipeline's code: a no-op build, whose files are all known, never loads it.
  if (!changed) return;
  const [{parallelPlan}, {prestartWorkers, workerCount}] = await Promise.all([
    import('./parallel-plan.js'),
    import('./run-parallel.js'),
  ]);
  if (parallelPlan(recipe)) prestartWorkers(workerCount(bytes));
}
