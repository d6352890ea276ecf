import type {ArtifactStore} from '../core/artifact-store.js';
import type {ExecPolicy} from '../core/exec-policy.js';
import type {Sha256} from '../core/hash.js';
import type {NormalizedRecipe} from '../recipe/normalized.js';

/**
 * What the data pipeline uses of the stage that runs it. A stage's context is one as it is (the
 * stage passes its own through), and so is a test's small fake; each function takes the few
 * members it needs (`Pick<DataContext, ...>`). Nothing here knows the stage graph: what the
 * upstream stages produced comes in as arguments.
 */
export interface DataContext {
  readonly recipe: NormalizedRecipe;
  readonly store: ArtifactStore;
  /**
   * Content hashes of files, in order, through the stat cache: cheap for the files it vouches
   * for (a glob of 100,000 files).
   */
  hashFiles(absolutePaths: readonly string[]): Promise<{hash: Sha256; size: number}[]>;
  /**
   * A token of the file's stat when the stat cache vouches that it still has `hash` (so reading
   * it need not hash it again), else undefined.
   */
  vouchFile(absolutePath: string, hash: Sha256): string | undefined;
  readonly signal: AbortSignal;
  /** Whether recipe code may run and requests go out: checked with requireExec right before. */
  readonly exec: ExecPolicy;
  log(line: string): void;
  progress(message: string, done?: number, total?: number): void;
}
