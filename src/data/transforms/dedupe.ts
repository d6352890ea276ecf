import type {NormalizedTransform} from '../../recipe/normalized.js';
import type {Example} from '../records/example.js';
import {fieldReader} from '../records/fields.js';
import {byLabels, type FieldOutcome, MissingFields} from './missing-fields.js';
import {DedupeKeySet} from './text/dedupe-key-set.js';
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
 * With `by`, a record that lacks one of the fields is handled by `missing` (missing-fields.ts):
 * an error, dropped (`missing <field>`), or kept without being compared (`keep`: it is never a
 * duplicate, nor makes another one).
 */
export function dedupeTransform(
  options: DedupeOptions,
  ctx: TransformContext,
  index = 0,
): TransformStep {
  const missing = new MissingFields('dedupe', index, options.missing, () => ctx.problems);
  const compared = comparedValue(options.by, missing);
  const keepNew = options.mode === 'near' ? nearFilter(options) : hashFilter(options.mode);
  const reason = options.mode === 'near' ? 'near_duplicate' : 'duplicate';
  let seen = 0;
  let duplicates = 0;
  let out = 0;
  return {
    name: 'dedupe',
    process(batch: Example[]) {
      seen += batch.length;
      // Records without a `by` field leave the comparison first (dropped or passed as they are).
      const values: unknown[] = [];
      let bypass: Set<Example> | undefined;
      let kept = 0;
      for (let i = 0; i < batch.length; i++) {
        const example = batch[i]!;
        const value = compared(example);
        if (value === DROP) continue;
        if (value === KEEP) {
          bypass ??= new Set();
          bypass.add(example);
        } else values.push(value);
        batch[kept++] = example;
      }
      batch.length = kept;
      const compare = bypass ? batch.filter((e) => !bypass.has(e)) : batch;
      const unique = keepNew(compare, (i) => values[i]);
      duplicates += compare.length - unique;
      if (bypass) {
        // Back into input order: the unique compared records, with the uncompared among them.
        const survivors = new Set(compare.slice(0, unique));
        const all = batch.filter((e) => bypass.has(e) || survivors.has(e));
        batch.length = 0;
        batch.push(...all);
      } else batch.length = unique;
      out += batch.length;
      return batch;
    },
    summary: () => ({
      in: seen,
      out,
      dropped: {[reason]: duplicates, ...missing.dropped()},
      mode: options.mode,
      ...missing.summary(),
    }),
  };
}

/** A record that lacks a `by` field and is dropped (error or skip), or passed uncompared (keep). */
export const DROP = Symbol('drop');
export const KEEP = Symbol('keep');

/** What dedupe compares of an example, or what to do with it when it lacks a `by` field. */
export type Compared = (example: Example) => unknown;

/**
 * Moves the batch's new records, in order, to its front; returns how many there are. `comparedAt(i)`
 * is what is compared of the batch's i-th record as given.
 */
type KeepNew = (batch: Example[], comparedAt: (i: number) => unknown) => number;

/**
 * What dedupe compares of a record: the whole of it, or the tuple of the `by` fields (values as
 * they are; null is a value). `missing` decides about records without one of them: DROP or KEEP.
 */
export function comparedValue(by: readonly string[] | null, missing: MissingFields): Compared {
  if (by === null) return (example) => example.record;
  const labels = byLabels(by);
  const readers = by.map(fieldReader);
  return (example) => {
    const values: unknown[] = [];
    let outcome: FieldOutcome = 'present';
    for (let k = 0; k < by.length; k++) {
      const value = readers[k]!(example);
      const o = missing.check(example, labels[k]!, by[k]!, value);
      if (o === 'drop') return DROP;
      if (o === 'keep') outcome = 'keep';
      values.push(value);
    }
    return outcome === 'keep' ? KEEP : values;
  };
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
  return (batch, comparedAt) => {
    if (hashes.length < batch.length * 4) hashes = new Int32Array(batch.length * 4);
    for (let i = 0; i < batch.length; i++) hashInto(comparedAt(i), hashes, i * 4);
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
  return (batch, comparedAt) => {
    let kept = 0;
    for (let i = 0; i < batch.length; i++) {
      const example = batch[i]!;
      hasher.signature(normalizedTextOf(comparedAt(i)), signature);
      if (!index.addUnlessNear(signature)) batch[kept++] = example;
    }
    return kept;
  };
}
