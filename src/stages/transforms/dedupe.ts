import type {NormalizedTransform} from '../../recipe/normalized.js';
import type {Example} from '../records/example.js';
import {DedupeKeySet} from './text/dedupe-key-set.js';
import {valueAtPath} from './text/dotted-path.js';
import {optimalLshParams} from './text/lsh-params.js';
import {MinHasher} from './text/minhash.js';
import {NearDuplicateIndex} from './text/near-duplicate-index.js';
import {normalizedTextOf} from './text/normalize-text.js';
import {StringHasher} from './text/string-hash128.js';
import {ValueHasher} from './text/value-hash.js';
import type {TransformContext, TransformStep} from './transform.js';

/** The recipe's dedupe options, defaults applied (recipe/normalized.ts). */
export type DedupeOptions = Extract<NormalizedTransform, {dedupe: unknown}>['dedupe'];

/**
 * Drops repeated records, keeping the first occurrence in input order. Streaming, with memory
 * per kept record only:
 * - exact: records whose compared values have equal canonical JSON (RFC 8785; key order never
 *   matters) are duplicates. Key: a 128-bit hash per unique value (value-hash.ts, which hashes
 *   the value's structure and never builds the JSON text);
 * - normalized: equal normalized text (normalize-text.ts: Unicode form, case, punctuation,
 *   symbols and spacing never matter). Key: MurmurHash3_x86_128 of its UTF-8;
 *   for both, the set keeps 96 bits of the key, 12 bytes per slot (dedupe-key-set.ts), and a
 *   false merge takes a 96-bit collision, ~n^2 / 2^97;
 * - near: MinHash signatures of the normalized text with LSH banding (minhash.ts,
 *   near-duplicate-index.ts, bands and rows as datasketch chooses them, lsh-params.ts); a record
 *   is dropped when its estimated Jaccard similarity to a kept record reaches `threshold`. Kept:
 *   the signature of every kept record (4 * num_perm bytes) and its band entries.
 *
 * `_ctx` is unused: the seed arrives in options, where the caller put the recipe's seed.
 */
export function dedupeTransform(options: DedupeOptions, _ctx: TransformContext): TransformStep {
  const compared = comparedValue(options.by);
  const keepNew = options.mode === 'near' ? nearFilter(options) : hashFilter(options.mode);
  const reason = options.mode === 'near' ? 'near_duplicate' : 'duplicate';
  let seen = 0;
  let dropped = 0;
  return {
    name: 'dedupe',
    process(batch: Example[]) {
      const kept = keepNew(batch, compared);
      seen += batch.length;
      dropped += batch.length - kept;
      batch.length = kept;
      return batch;
    },
    summary: () => ({
      in: seen,
      out: seen - dropped,
      dropped: {[reason]: dropped},
      mode: options.mode,
    }),
  };
}

export type Compared = (record: Record<string, unknown>) => unknown;

/** Moves the batch's new records, in order, to its front; returns how many there are. */
type KeepNew = (batch: Example[], compared: Compared) => number;

/** What dedupe compares of a record: the whole of it, or the tuple of the `by` fields. */
export function comparedValue(by: readonly string[] | null): Compared {
  if (by === null) return (record) => record;
  return (record) => by.map((path) => valueAtPath(record, path) ?? null);
}

/**
 * exact and normalized: a set of dedupe keys. The batch is hashed first and its table slots
 * touched in one pass of independent reads, so the cache misses of a table far larger than the
 * cache overlap instead of coming one after another; the inserts then find their slots cached.
 */
function hashFilter(mode: 'exact' | 'normalized'): KeepNew {
  const seen = new DedupeKeySet();
  let hashes = new Int32Array(4 * 1024);
  const hashInto = exactOrNormalizedHash(mode);
  return (batch, compared) => {
    if (hashes.length < batch.length * 4) hashes = new Int32Array(batch.length * 4);
    for (let i = 0; i < batch.length; i++) hashInto(compared(batch[i]!.record), hashes, i * 4);
    seen.touch(hashes, batch.length);
    let kept = 0;
    for (let i = 0; i < batch.length; i++) {
      if (seen.add(hashes, i * 4)) batch[kept++] = batch[i]!;
    }
    return kept;
  };
}

/** Writes the 128-bit dedupe hash of a compared value at out[at..at+4) (exact, normalized). */
export function exactOrNormalizedHash(
  mode: 'exact' | 'normalized',
): (value: unknown, out: Int32Array, at: number) => void {
  if (mode === 'exact') {
    const hasher = new ValueHasher();
    return (value, out, at) => hasher.hash(value, out, at);
  }
  const strings = new StringHasher();
  return (value, out, at) => strings.hash(normalizedTextOf(value), 0, out, at);
}

function nearFilter(options: DedupeOptions): KeepNew {
  const {threshold, num_perm: numPerm} = options;
  if (!(threshold > 0 && threshold <= 1)) {
    throw new Error(`dedupe threshold must be in (0, 1], got ${threshold}`);
  }
  const hasher = new MinHasher(numPerm, options.shingle_size, options.seed);
  const {bands, rows} = optimalLshParams(threshold, numPerm);
  const index = new NearDuplicateIndex(numPerm, threshold, bands, rows);
  const signature = new Int32Array(numPerm);
  return (batch, compared) => {
    let kept = 0;
    for (const example of batch) {
      hasher.signature(normalizedTextOf(compared(example.record)), signature);
      if (!index.addUnlessNear(signature)) batch[kept++] = example;
    }
    return kept;
  };
}
