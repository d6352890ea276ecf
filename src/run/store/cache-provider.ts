import type {Sha256} from '../../core/hash.js';

/** Objects are addressed by the hash of their bytes; stage records by their stage key. */
export type CacheEntryKind = 'object' | 'stage';

/**
 * Where finished work can be found by hash. The local `.ft/` store is the first implementation;
 * a shared remote cache (HTTP, S3) between CI runners implements the same three calls, so the
 * planner and executor never change to gain one.
 */
export interface CacheProvider {
  readonly name: string;
  has(kind: CacheEntryKind, hash: Sha256): Promise<boolean>;
  /** The entry's bytes, or undefined when absent. */
  get(kind: CacheEntryKind, hash: Sha256): Promise<NodeJS.ReadableStream | undefined>;
  /** Stores the file at `file` under `hash`; atomic: a reader never sees a partial entry. */
  put(kind: CacheEntryKind, hash: Sha256, file: string): Promise<void>;
  /** Removes an entry a reader found bad, so no one fetches it again; false when it cannot. */
  evict(kind: CacheEntryKind, hash: Sha256): Promise<boolean>;
}
