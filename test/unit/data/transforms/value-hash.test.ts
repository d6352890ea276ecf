import {describe, expect, it} from 'vitest';
import {canonicalJson} from '../../../../src/core/canonical-json.js';
import {ValueHasher} from '../../../../src/data/transforms/text/value-hash.js';
import {random} from './helpers.js';

const hasher = new ValueHasher();
const hashOf = (value: unknown) => {
  const out = new Int32Array(4);
  hasher.hash(value, out);
  return out.join(',');
};

/** A random JSON value from a small alphabet, so that equal values come up by chance too. */
function randomValue(next: () => number, depth: number): unknown {
  const kind = Math.floor(next() * (depth > 2 ? 5 : 7));
  switch (kind) {
    case 0:
      return ['a', 'b', '', 'é', '\ud800', 'long '.repeat(Math.floor(next() * 12))][
        Math.floor(next() * 6)
      ];
    case 1:
      return [0, -0, 1, 1.5, -2, 1e21, 2 ** 53][Math.floor(next() * 7)];
    case 2:
      return next() < 0.5;
    case 3:
      return null;
    case 4:
      return ['x', 'y'][Math.floor(next() * 2)];
    case 5:
      return Array.from({length: Math.floor(next() * 3)}, () => randomValue(next, depth + 1));
    default: {
      const out: Record<string, unknown> = {};
      for (const key of ['k', 'a', 'b', 'role', 'content']) {
        if (next() < 0.4) out[key] = randomValue(next, depth + 1);
      }
      return out;
    }
  }
}

/** The same value with every object's keys in reverse order. */
function reversedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversedKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).reverse()) {
      out[key] = reversedKeys((value as Record<string, unknown>)[key]);
    }
    return out;
  }
  return value;
}

describe('the value hash', () => {
  it('is equal exactly when the canonical JSON is equal (random values)', () => {
    const next = random(11);
    const values = Array.from({length: 600}, () => randomValue(next, 0));
    const byJson = new Map<string, string>();
    const byHash = new Map<string, string>();
    for (const value of values) {
      const json = canonicalJson(value);
      const hash = hashOf(value);
      expect(hashOf(reversedKeys(value))).toBe(hash);
      if (byJson.has(json)) expect(byJson.get(json)).toBe(hash);
      if (byHash.has(hash)) expect(byHash.get(hash)).toBe(json);
      byJson.set(json, hash);
      byHash.set(hash, json);
    }
    // The generator is small enough that many values repeat: both directions were exercised.
    expect(byJson.size).toBeLessThan(values.length);
    expect(byJson.size).toBeGreaterThan(100);
  });

  it('ignores key order and undefined members, as canonical JSON does', () => {
    expect(hashOf({a: 1, b: [1, {c: 'x', d: null}]})).toBe(
      hashOf({b: [1, {d: null, c: 'x'}], a: 1}),
    );
    expect(hashOf({a: 1, b: undefined})).toBe(hashOf({a: 1}));
    expect(hashOf([undefined])).toBe(hashOf([null]));
    // biome-ignore lint/suspicious/noSparseArray: a hole is null in JSON
    expect(hashOf([, 1])).toBe(hashOf([null, 1]));
    expect(hashOf(-0)).toBe(hashOf(0));
    expect(hashOf({a: -0})).toBe(hashOf({a: 0}));
  });

  it('tells apart what canonical JSON tells apart', () => {
    const distinct: unknown[] = [
      null,
      true,
      false,
      0,
      1,
      '1',
      '',
      'null',
      'true',
      [],
      {},
      [null],
      [[]],
      [{}],
      {a: null},
      {a: 1, b: 2},
      {a: 2, b: 1},
      {a: 'b'},
      {b: 'a'},
      {a: {b: 1}},
      {a: {}, b: 1},
      [1, 2],
      [2, 1],
      [1, [2]],
      [[1], 2],
      {x: {a: 1}, y: {b: 2}},
      {x: {b: 2}, y: {a: 1}},
      {'': ''},
      'a\ud800',
      'a\ufffd',
      '\u00e9',
      'e\u0301',
      0.1 + 0.2,
      0.3,
    ];
    const hashes = distinct.map(hashOf);
    expect(new Set(hashes).size).toBe(distinct.length);
    expect(new Set(distinct.map((v) => canonicalJson(v))).size).toBe(distinct.length);
  });

  it('throws on what canonical JSON has no form for', () => {
    expect(() => hashOf({a: Number.NaN})).toThrow(TypeError);
    expect(() => hashOf([Number.POSITIVE_INFINITY])).toThrow(TypeError);
    expect(() => hashOf({a: 1n})).toThrow(TypeError);
  });

  it('handles deep nesting and many distinct keys', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 200; i++) deep = i % 2 === 0 ? [deep] : {k: deep};
    expect(hashOf(deep)).toBe(hashOf(JSON.parse(JSON.stringify(deep))));
    const wide: Record<string, number> = {};
    for (let i = 0; i < 6000; i++) wide[`key${i}`] = i;
    const again = hashOf(wide);
    expect(hashOf(wide)).toBe(again);
    wide.key5999 = -1;
    expect(hashOf(wide)).not.toBe(again);
  });
});
