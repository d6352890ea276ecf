import type {Artifact} from '../core/artifact-store.js';
import type {Diagnostic} from '../core/diagnostic.js';
import type {Sha256} from '../core/hash.js';
import type {DataContext} from '../data/context.js';
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

/**
 * What a stage's code sees: what the data pipeline uses (DataContext: the recipe, the store,
 * hashing through the stat cache, the signal, the exec policy, log and progress), plus the
 * stage's place in the graph.
 */
export interface StageContext extends DataContext {
  readonly node: StageNode;
  /** Results of the stages this one needs. */
  readonly upstream: ReadonlyMap<StageId, StageResult>;
  /** Content hash of a file, through the stat cache. */
  hashFile(absolutePath: string): Promise<{hash: Sha256; size: number}>;
  /** The stage's key: set when it runs (after its fingerprint), absent before. */
  readonly key?: Sha256;
  /** What the build command was told that concerns stages (`--retry`, `--allow-unknown-cost`). */
  readonly flags: BuildFlags;
}

/** Options of `ft build` that stages act on. */
export interface BuildFlags {
  /** Replace a failed or cancelled remote job of the same key with a new (paid) one. */
  readonly retry: boolean;
  /** Start a remote job whose price is unknown although a budget is set. */
  readonly allowUnknownCost: boolean;
  /** Submit (or find) a remote job and return without waiting for it (status `detached`). */
  readonly detach: boolean;
}

export const NO_FLAGS: BuildFlags = {retry: false, allowUnknownCost: false, detach: false};

/**
 * What each stage kind does. `fingerprint` must be cheap apart from hashing inputs; `run` does
 * the work. Both may throw UserError (bad data: exit 2) or StageFailure (exit 1).
 */
/** What a stage's warm-up sees: the recipe, and whether a file is unchanged since last hashed. */
export interface WarmUpContext {
  readonly recipe: NormalizedRecipe;
  /** Whether the stat cache vouches for the file as it is now (unchanged since it was hashed). */
  knowsFile(absolutePath: string): boolean;
}

export interface StageDefinition {
  /**
   * Called once as a build that includes the stage begins, before any stage is fingerprinted:
   * may start in the background what its run would otherwise wait for (the dataset's worker
   * threads boot while the sources are hashed). Cheap; it never throws, never fails or blocks
   * the build, and leaves nothing that keeps the process alive.
   */
  warmUp?(ctx: WarmUpContext): void;
  fingerprint(ctx: StageContext): Promise<Fingerprint>;
  run(ctx: StageContext): Promise<StageResult>;
  /**
   * Facts known before running, from inputs alone and without credentials (a training's data
   * checks, statistics and cost estimate). `ft plan` shows them; a build can act on them.
   */
  preflight?(ctx: StageContext): Promise<Preflight>;
  /**
   * A stage the lockfile records with a `result` for this very key (a remote training) rebuilds
   * its outputs from that result alone, with no store and no request: it is fresh on a clone
   * without `.ft/`. Returns undefined when the result cannot give the locked outputs' bytes.
   */
  restore?(
    ctx: StageContext,
    result: unknown,
    locked: Readonly<Record<string, Sha256>>,
  ): Promise<StageResult | undefined>;
}

/** What preflight found: fields for `ft plan --json`, and warnings for people. */
export interface Preflight {
  readonly fields: Readonly<Record<string, unknown>>;
  readonly warnings: readonly string[];
}
