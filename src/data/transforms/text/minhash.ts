import {fmix32, murmur3x86_32, murmur3x86_32Ints} from './murmur3.js';

/**
 * MinHash signatures of normalized text (see normalize-text.ts), for near-duplicate dedupe.
 *
 * Shingles: every run of `shingleSize` consecutive words (words are the text split on its single
 * spaces); a text of fewer words is one shingle of all of them (an empty text too).
 *
 * Hashing: each word once, MurmurHash3_x86_32 of its UTF-16 code units; each shingle as
 * MurmurHash3_x86_32 of its words' hashes (taken as 32-bit ints), so a word is read once, not
 * `shingleSize` times. Then `numPerm` seeded permutations of the 32-bit shingle hashes,
 * p_i(x) = a_i * x + b_i mod 2^32 with a_i odd: the universal family datasketch uses
 * ((a * x + b) mod (2^61 - 1), which would need BigInt here), bijective, one multiply. Slot i of
 * the signature is the minimum of p_i over the shingles (in signed 32-bit order: any fixed order
 * of the values serves MinHash). The fraction of equal slots of two signatures estimates the
 * Jaccard similarity of their shingle sets (without bias, checked in the tests).
 *
 * Everything comes from `seed`: the same seed, the same signatures.
 */
export class MinHasher {
  readonly numPerm: number;
  private readonly shingleSize: number;
  private readonly wordSeed: number;
  private readonly shingleSeed: number;
  private readonly multipliers: Int32Array;
  private readonly increments: Int32Array;
  /** Per word of the current text, its hash; then per shingle, its hash. */
  private wordHashes: Int32Array = new Int32Array(256);
  private shingleHashes: Int32Array = new Int32Array(256);

  constructor(numPerm: number, shingleSize: number, seed: number) {
    if (!Number.isInteger(numPerm) || numPerm < 1) {
      throw new Error(`num_perm must be a positive integer, got ${numPerm}`);
    }
    if (!Number.isInteger(shingleSize) || shingleSize < 1) {
      throw new Error(`shingle_size must be a positive integer, got ${shingleSize}`);
    }
    this.numPerm = numPerm;
    this.shingleSize = shingleSize;
    const seedText = `minhash:${seed}`;
    const base = murmur3x86_32(seedText, 0, seedText.length, 0);
    this.wordSeed = fmix32(base ^ 0x5bd1e995);
    this.shingleSeed = fmix32(base ^ 0x27d4eb2f);
    // A Weyl sequence through a bijection: distinct, well-spread constants for every permutation.
    this.multipliers = new Int32Array(numPerm);
    this.increments = new Int32Array(numPerm);
    for (let i = 0; i < numPerm; i++) {
      this.multipliers[i] = fmix32((base + Math.imul(2 * i + 1, 0x9e3779b9)) | 0) | 1;
      this.increments[i] = fmix32((base + Math.imul(2 * i + 2, 0x9e3779b9)) | 0);
    }
  }

  /** Writes the signature of `text` (already normalized) to out[0..numPerm). */
  signature(text: string, out: Int32Array): void {
    const shingles = this.hashShingles(text);
    const hashes = this.shingleHashes;
    const multipliers = this.multipliers;
    const increments = this.increments;
    const n = this.numPerm;
    // Permutation by permutation, so that the running minimum stays in a register.
    for (let i = 0; i < n; i++) {
      const a = multipliers[i]!;
      const b = increments[i]!;
      let min = 0x7fffffff;
      for (let j = 0; j < shingles; j++) {
        const h = (Math.imul(a, hashes[j]!) + b) | 0;
        if (h < min) min = h;
      }
      out[i] = min;
    }
  }

  /** Hashes the shingles of `text` into shingleHashes; returns how many there are. */
  private hashShingles(text: string): number {
    const words = this.hashWords(text);
    const k = this.shingleSize;
    const count = words < k ? 1 : words - k + 1;
    if (count > this.shingleHashes.length) this.shingleHashes = new Int32Array(count * 2);
    const hashes = this.shingleHashes;
    if (words < k) {
      hashes[0] = murmur3x86_32Ints(this.wordHashes, 0, words, this.shingleSeed);
      return 1;
    }
    for (let w = 0; w < count; w++) {
      hashes[w] = murmur3x86_32Ints(this.wordHashes, w, w + k, this.shingleSeed);
    }
    return count;
  }

  /** Hashes the words of a normalized text (separated by single spaces); returns their count. */
  private hashWords(text: string): number {
    let count = 0;
    let start = 0;
    const length = text.length;
    while (start < length) {
      let end = text.indexOf(' ', start);
      if (end === -1) end = length;
      if (end > start) {
        if (count === this.wordHashes.length) {
          const bigger = new Int32Array(count * 2);
          bigger.set(this.wordHashes);
          this.wordHashes = bigger;
        }
        this.wordHashes[count++] = murmur3x86_32(text, start, end, this.wordSeed);
      }
      start = end + 1;
    }
    return count;
  }
}

/** Estimated Jaccard similarity of two signatures: the fraction of equal slots. */
export function estimatedJaccard(a: Int32Array, b: Int32Array): number {
  let equal = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) equal++;
  return equal / a.length;
}
