import {describe, expect, it} from 'vitest';
import {DedupeKeySet} from '../../../../src/data/transforms/text/dedupe-key-set.js';
import {random} from './helpers.js';

const h = (...words: number[]) => Int32Array.from(words);

describe('the dedupe key set', () => {
  it('adds new hashes once', () => {
    const set = new DedupeKeySet();
    expect(set.add(h(1, 2, 3, 4))).toBe(true);
    expect(set.add(h(1, 2, 3, 4))).toBe(false);
    expect(set.add(h(1, 2, 4, 4))).toBe(true);
    expect(set.size).toBe(2);
  });

  it('compares the first 96 bits: keys in the same slot, or equal but for one word, stay apart', () => {
    const set = new DedupeKeySet(16);
    // Same first word: the same home slot, so they collide in the table.
    const colliding = [
      h(7, 0, 1, 0),
      h(7, 1, 0, 0),
      h(7, 0, 2, 0),
      h(7, 2, 1, 0),
      h(7 + 16, 0, 1, 0),
    ];
    for (const hash of colliding) expect(set.add(hash)).toBe(true);
    for (const hash of colliding) expect(set.add(hash)).toBe(false);
    expect(set.size).toBe(colliding.length);
    // The fourth word is not kept: a key differing only there is the same key.
    expect(set.add(h(7, 0, 1, 99))).toBe(false);
  });

  it('keeps the all-zero hash, which marks empty slots inside the table', () => {
    const set = new DedupeKeySet();
    expect(set.add(h(0, 0, 0, 0))).toBe(true);
    expect(set.add(h(0, 0, 0, 0))).toBe(false);
    expect(set.add(h(0, 0, 1, 0))).toBe(true);
    expect(set.size).toBe(2);
  });

  it('grows past its initial capacity and still finds everything', () => {
    const set = new DedupeKeySet(8);
    const next = random(5);
    const hashes = Array.from({length: 20_000}, () =>
      h(...Array.from({length: 4}, () => Math.floor(next() * 2 ** 32) | 0)),
    );
    // Half of them share their first word with another, to exercise probing across growth.
    for (let i = 1; i < hashes.length; i += 2) hashes[i]![0] = hashes[i - 1]![0]!;
    for (const hash of hashes) expect(set.add(hash)).toBe(true);
    expect(set.capacity).toBeGreaterThan(8);
    expect(set.size * 4).toBeLessThanOrEqual(set.capacity * 3);
    for (const hash of hashes) expect(set.add(hash)).toBe(false);
    expect(set.size).toBe(hashes.length);
  });

  it('answers has() without adding', () => {
    const set = new DedupeKeySet(16);
    expect(set.has(h(5, 6, 7, 8))).toBe(false);
    expect(set.has(h(0, 0, 0, 0))).toBe(false);
    set.add(h(5, 6, 7, 8));
    set.add(h(5 + 16, 6, 7, 8)); // same home slot
    set.add(h(0, 0, 0, 0));
    expect([set.has(h(5, 6, 7, 9)), set.has(h(5 + 16, 6, 7, 0)), set.has(h(0, 0, 0, 0))]).toEqual([
      true,
      true,
      true,
    ]);
    expect(set.has(h(5 + 32, 6, 7, 8))).toBe(false);
    expect(set.size).toBe(3);
  });

  it('has room for the keys it is made for', () => {
    const set = DedupeKeySet.forCount(100_000);
    const next = random(9);
    for (let i = 0; i < 100_000; i++) set.add(h(next() * 2 ** 32, next() * 2 ** 32, i, 0));
    expect(set.size).toBe(100_000);
    expect(set.capacity).toBe(DedupeKeySet.forCount(100_000).capacity); // never grew
  });

  it('reads hashes at an offset, and touch changes nothing', () => {
    const set = new DedupeKeySet();
    const batch = h(1, 1, 1, 1, 2, 2, 2, 2, 1, 1, 1, 1);
    set.touch(batch, 3);
    expect(set.size).toBe(0);
    expect([set.add(batch, 0), set.add(batch, 4), set.add(batch, 8)]).toEqual([true, true, false]);
  });
});
