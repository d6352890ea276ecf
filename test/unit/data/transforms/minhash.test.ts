import {describe, expect, it} from 'vitest';
import {estimatedJaccard, MinHasher} from '../../../../src/data/transforms/text/minhash.js';
import {NearDuplicateIndex} from '../../../../src/data/transforms/text/near-duplicate-index.js';
import {random} from './helpers.js';

const VOCABULARY = Array.from({length: 3000}, (_, i) => `w${i.toString(36)}`);

function words(next: () => number, n: number): string[] {
  return Array.from({length: n}, () => VOCABULARY[Math.floor(next() * VOCABULARY.length)]!);
}

function shingleSet(text: string[], k: number): Set<string> {
  const out = new Set<string>();
  if (text.length < k) out.add(text.join(' '));
  for (let i = 0; i + k <= text.length; i++) out.add(text.slice(i, i + k).join(' '));
  return out;
}

function jaccard(a: Set<string>, b: Set<string>): number {
  let both = 0;
  for (const x of a) if (b.has(x)) both++;
  return both / (a.size + b.size - both);
}

function signature(hasher: MinHasher, text: string): Int32Array {
  const out = new Int32Array(hasher.numPerm);
  hasher.signature(text, out);
  return out;
}

describe('MinHash signatures', () => {
  it('estimate the Jaccard similarity of the word shingles without bias', () => {
    const next = random(21);
    const hasher = new MinHasher(128, 5, 3);
    const errors: number[] = [];
    for (let trial = 0; trial < 300; trial++) {
      const a = words(next, 60 + Math.floor(next() * 200));
      const b = a.slice();
      const edits = Math.floor(next() * a.length * 0.2);
      for (let e = 0; e < edits; e++) b[Math.floor(next() * b.length)] = words(next, 1)[0]!;
      const truth = jaccard(shingleSet(a, 5), shingleSet(b, 5));
      const estimate = estimatedJaccard(
        signature(hasher, a.join(' ')),
        signature(hasher, b.join(' ')),
      );
      errors.push(estimate - truth);
    }
    const mean = errors.reduce((x, y) => x + y, 0) / errors.length;
    const rms = Math.sqrt(errors.reduce((x, y) => x + y * y, 0) / errors.length);
    // 128 slots: the standard error is at most sqrt(0.25 / 128) = 0.044.
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(rms).toBeLessThan(0.05);
    expect(rms).toBeGreaterThan(0.01);
  });

  it('are equal for equal shingle sets and differ for disjoint ones', () => {
    const hasher = new MinHasher(64, 2, 0);
    // The same shingles (a b, b c), in another order of occurrence.
    expect(estimatedJaccard(signature(hasher, 'a b c a b'), signature(hasher, 'b c a b c'))).toBe(
      1,
    );
    expect(estimatedJaccard(signature(hasher, 'a b c'), signature(hasher, 'x y z'))).toBeLessThan(
      0.1,
    );
  });

  it('make a text shorter than a shingle one shingle, the empty text included', () => {
    const hasher = new MinHasher(32, 5, 0);
    const short = signature(hasher, 'just three words');
    expect(estimatedJaccard(short, signature(hasher, 'just three words'))).toBe(1);
    expect(estimatedJaccard(short, signature(hasher, 'just three'))).toBeLessThan(0.2);
    expect(estimatedJaccard(signature(hasher, ''), signature(hasher, ''))).toBe(1);
    expect(estimatedJaccard(signature(hasher, ''), short)).toBeLessThan(0.2);
  });

  it('depend on the seed alone: the same seed gives the same signature', () => {
    const text = words(random(5), 300).join(' ');
    expect([...signature(new MinHasher(128, 5, 7), text)]).toEqual([
      ...signature(new MinHasher(128, 5, 7), text),
    ]);
    const other = signature(new MinHasher(128, 5, 8), text);
    expect(estimatedJaccard(signature(new MinHasher(128, 5, 7), text), other)).toBeLessThan(0.1);
  });

  it('grow their word table for long texts', () => {
    const next = random(6);
    const long = words(next, 5000);
    const edited = long.slice();
    edited[2500] = 'changed';
    const hasher = new MinHasher(128, 5, 0);
    const estimate = estimatedJaccard(
      signature(hasher, long.join(' ')),
      signature(hasher, edited.join(' ')),
    );
    expect(estimate).toBeGreaterThan(0.95);
    expect(estimate).toBeLessThan(1.001);
  });

  it('reject invalid sizes', () => {
    expect(() => new MinHasher(0, 5, 0)).toThrow(/num_perm/);
    expect(() => new MinHasher(128, 0, 0)).toThrow(/shingle_size/);
  });
});

describe('the near-duplicate index', () => {
  const numPerm = 128;
  const threshold = 0.8;
  const [bands, rows] = [9, 13];

  function randomSignature(next: () => number): Int32Array {
    return Int32Array.from({length: numPerm}, () => Math.floor(next() * 2 ** 32) | 0);
  }

  /** A copy of `base` with the slots in `changed` replaced by fresh values. */
  function changed(base: Int32Array, slots: Iterable<number>): Int32Array {
    const out = base.slice();
    for (const slot of slots) out[slot] = ~out[slot]!;
    return out;
  }

  const range = (from: number, to: number) => Array.from({length: to - from}, (_, i) => from + i);

  it('confirms candidates by the fraction of equal slots, at the threshold exactly', () => {
    const next = random(31);
    const index = new NearDuplicateIndex(numPerm, threshold, bands, rows);
    const base = randomSignature(next);
    expect(index.addUnlessNear(base)).toBe(false);
    // Band 0 (slots 0..12) equal, so a candidate; 103 of 128 equal is >= 0.8, 102 is not.
    expect(index.addUnlessNear(changed(base, range(103, 128)))).toBe(true);
    expect(index.addUnlessNear(changed(base, range(102, 128)))).toBe(false);
    // Only band 0 equal: a candidate, far below the threshold.
    expect(index.addUnlessNear(changed(base, range(13, 128)))).toBe(false);
    expect(index.size).toBe(3);
  });

  it('finds only candidates that share a whole band (LSH)', () => {
    const next = random(32);
    const index = new NearDuplicateIndex(numPerm, threshold, bands, rows);
    const base = randomSignature(next);
    index.addUnlessNear(base);
    // 119 of 128 slots equal, but one slot differs in each of the 9 bands: never a candidate.
    const oneInEachBand = range(0, bands).map((band) => band * rows);
    expect(index.addUnlessNear(changed(base, oneInEachBand))).toBe(false);
  });

  it('keeps thousands of signatures (its tables grow) and finds each again', () => {
    const next = random(33);
    const index = new NearDuplicateIndex(numPerm, threshold, bands, rows);
    const all = Array.from({length: 3000}, () => randomSignature(next));
    for (const s of all) expect(index.addUnlessNear(s)).toBe(false);
    for (const s of all) expect(index.addUnlessNear(changed(s, [127]))).toBe(true);
    expect(index.size).toBe(3000);
  });

  it('rejects bands and rows that do not fit the signature', () => {
    expect(() => new NearDuplicateIndex(128, 0.8, 10, 13)).toThrow(/bands \* rows/);
  });
});
