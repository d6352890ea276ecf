import type {Sha256} from './hash.js';

/** One artifact: an object in the store. */
export interface Artifact {
  readonly hash: Sha256;
  readonly size: number;
}

/**
 * The part of the store that stages, and the data and training code they run, may use: they
 * write artifacts and never see the store's layout (run/store/).
 */
export interface ArtifactStore {
  /** A path for a work file that `adopt` will later move into the store. */
  newTempFile(hint: string): string;
  adopt(tempFile: string, hash: Sha256): Promise<void>;
  putBytes(data: string | Uint8Array): Promise<Artifact>;
  /** Stores streamed bytes if their hash is `expected`; returns their actual hash and size. */
  putStream(chunks: AsyncIterable<Uint8Array>, expected: Sha256): Promise<Artifact>;
  readText(hash: Sha256): string;
  /** The size of an intact object in the store; undefined when absent (or damaged, now removed). */
  sizeOf(hash: Sha256): Promise<number | undefined>;
  /** Where an object's bytes are, for reading. */
  pathOf(hash: Sha256): string;
  /** Copies a file into the store. */
  putFile(path: string): Promise<Artifact>;
  /** Stores a folder (a trained model) as one object per file and a manifest; its hash is the manifest's. */
  putTree(dir: string): Promise<Artifact>;
  /**
   * A path where a program can read a stored artifact (a trained model for `generate`): the
   * object itself for a file, a read-only copy of the folder for a tree. Throws when an object is
   * missing or damaged.
   */
  materialize(hash: Sha256): Promise<string>;
  /**
   * A stage key's work folder: what must survive a crash until the stage completes (a trainer's
   * checkpoints), kept apart from the temp folder that every build cleans.
   */
  workDir(key: Sha256): string;
  /** A cached fact derived from stored data (statistics), by a key of its inputs. */
  readDerived(key: Sha256): unknown;
  writeDerived(key: Sha256, value: unknown): Promise<void>;
  /** An append-only log of a model's answers, one per line, by key; gc keeps it (they cost). */
  readAnswerLog(key: Sha256): string[];
  /** Kept in batches: flushAnswerLogs writes what is pending (call it when a generation ends). */
  appendAnswerLog(key: Sha256, line: string): Promise<void>;
  flushAnswerLogs(): void;
}
