import type {Sha256} from '../core/hash.js';
import type {Fingerprint} from '../plan/fingerprint.js';
import type {StageNode} from '../plan/graph.js';
import type {StageId} from '../plan/stage-id.js';
import type {NormalizedRecipe} from '../recipe/normalized.js';

/** One artifact: an object in the store. */
export interface Artifact {
  readonly hash: Sha256;
  readonly size: number;
}

/** What a stage produced; downstream fingerprints use the artifacts' hashes. */
export interface StageResult {
  readonly outputs: Readonly<Record<string, Artifact>>;
  /** Facts for the log, `ft plan` and reports (counts, statistics, backend references). */
  readonly summary: Readonly<Record<string, unknown>>;
}

/** The part of the store a stage may use: it writes artifacts, it never sees the layout. */
export interface ArtifactStore {
  /** A path for a work file that `adopt` will later move into the store. */
  newTempFile(hint: string): string;
  adopt(tempFile: string, hash: Sha256): Promise<void>;
  putBytes(data: string | Uint8Array): Promise<Artifact>;
  readText(hash: Sha256): string;
  /** Where an object's bytes are, for reading. */
  pathOf(hash: Sha256): string;
}

export interface StageContext {
  readonly node: StageNode;
  readonly recipe: NormalizedRecipe;
  /** Results of the stages this one needs. */
  readonly upstream: ReadonlyMap<StageId, StageResult>;
  readonly store: ArtifactStore;
  /** Content hash of a file, through the stat cache. */
  hashFile(absolutePath: string): Promise<{hash: Sha256; size: number}>;
  readonly signal: AbortSignal;
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
}
