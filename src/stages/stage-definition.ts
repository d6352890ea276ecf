import type {Artifact, ArtifactStore} from '../core/artifact-store.js';
import type {Diagnostic} from '../core/diagnostic.js';
import type {ExecPolicy} from '../core/exec-policy.js';
import type {Sha256} from '../core/hash.js';
import type {Fingerprint} from '../plan/fingerprint.js';
import type {StageNode} from '../plan/graph.js';
import type {StageId} from '../plan/stage-id.js';
import type {NormalizedRecipe} from '../recipe/normalized.js';

/** What a stage produced; downstream fingerprints use the artifacts' hashes. */
export interface StageResult {
  readonly outputs: Readonly<Record<string, Artifact>>;
  /** Facts for the log, `ft plan` and reports (counts, statistics, backend references). */
  readonly summary: Readonly<Record<string, unknown>>;
  /** Problems that did not stop the stage (skipped records), reported with it. */
  readonly warnings?: readonly Diagnostic[];
}

export interface StageContext {
  readonly node: StageNode;
  readonly recipe: NormalizedRecipe;
  /** Results of the stages this one needs. */
  readonly upstream: ReadonlyMap<StageId, StageResult>;
  readonly store: ArtifactStore;
  /** Content hash of a file, through the stat cache. */
  hashFile(absolutePath: string): Promise<{hash: Sha256; size: number}>;
  /** The stage's key: set when it runs (after its fingerprint), absent before. */
  readonly key?: Sha256;
  /**
   * hashFile of many files, in order, at a much lower cost per file where the stat cache vouches
   * for most of them (see StatCache.hashAll): a glob of 100,000 files.
   */
  hashFiles(absolutePaths: readonly string[]): Promise<{hash: Sha256; size: number}[]>;
  /**
   * A token of the file's stat when the stat cache vouches that it still has `hash` (so reading
   * it need not hash it again), else undefined. See StatCache.vouches.
   */
  vouchFile(absolutePath: string, hash: Sha256): string | undefined;
  readonly signal: AbortSignal;
  /**
   * Whether the stage may run recipe code or send a request the recipe names: check it with
   * requireExec right before doing either (the command has refused such a recipe up front).
   */
  readonly exec: ExecPolicy;
  log(line: string): void;
  progress(message: string, done?: number, total?: number): void;
}

/**
 * What each stage kind does. `fingerprint` must be cheap apart from hashing inputs; `run` does
 * the work. Both may throw UserError (bad data: exit 2) or StageFailure (exit 1).
 */
export interface StageDefinition {
  fingerprint(ctx: StageContext): Promise<Fingerprint>;
  run(ctx: StageContext): Promise<StageResult>;
  /**
   * Facts known before running, from inputs alone and without credentials (a training's data
   * checks, statistics and cost estimate). `ft plan` shows them; a build can act on them.
   */
  preflight?(ctx: StageContext): Promise<Preflight>;
}

/** What preflight found: fields for `ft plan --json`, and warnings for people. */
export interface Preflight {
  readonly fields: Readonly<Record<string, unknown>>;
  readonly warnings: readonly string[];
}
