import {describe, expect, it} from 'vitest';
import {
  distribution,
  GrowableUint32Array,
  median,
  quantile,
} from '../../../../src/data/checks/index.js';

describe('quantile (numpy linear interpolation)', () => {
  it('returns the only value for n = 1, at any q', () => {
    for (const q of [0, 0.1, 0.5, 0.9, 1]) expect(quantile([7], q)).toBe(7);
  });

  it('interpolates between two values for n = 2 (np.quantile([1, 4], q))', () => {
    // position (2-1)*q = q: 1 + 3q below 0.5, 4 - 3(1-q) from 0.5 on.
    expect(quantile([1, 4], 0)).toBe(1);
    expect(quantile([1, 4], 0.1)).toBe(1.3);
    expect(quantile([1, 4], 0.25)).toBe(1.75);
    expect(quantile([1, 4], 0.5)).toBe(2.5);
    expect(quantile([1, 4], 0.9)).toBe(3.7);
    expect(quantile([1, 4], 1)).toBe(4);
    // np.quantile([0, 3], 0.1) prints 0.30000000000000004 (3 * 0.1 in floats).
    expect(quantile([0, 3], 0.1)).toBe(0.30000000000000004);
  });

  it("interpolates from the upper value when the fraction is >= 0.5, as numpy's _lerp", () => {
    // np.quantile([2, 9], 0.6) = 9 - 7*(1-0.6) = 6.199999999999999; 2 + 7*0.6 would give 6.2.
    expect(quantile([2, 9], 0.6)).toBe(6.199999999999999);
    // np.quantile([26, 28, 45, 111, 8032], 0.9): position 3.6, 8032 - 7921*0.4 = 4863.6;
    // 111 + 7921*0.6 would give 4863.599999999999.
    expect(quantile([26, 28, 45, 111, 8032], 0.9)).toBe(4863.6);
    // np.quantile([111, 111, 111, 8032], 0.9): position 2.7 -> 5655.700000000001.
    expect(quantile([111, 111, 111, 8032], 0.9)).toBe(5655.700000000001);
  });

  it('works on typed arrays and rejects no values or q outside [0, 1]', () => {
    expect(quantile(Uint32Array.of(10, 20, 30, 40), 0.1)).toBe(13);
    expect(() => quantile([], 0.5)).toThrow(RangeError);
    expect(() => quantile([1], 1.5)).toThrow(RangeError);
    expect(() => quantile([1], Number.NaN)).toThrow(RangeError);
  });
});

describe('median and distribution', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([7])).toBe(7);
    expect(median([1, 2])).toBe(1.5);
    expect(median([2, 2, 3, 3, 9])).toBe(3);
    expect(median([10, 20, 30, 40])).toBe(25);
    expect(() => median([])).toThrow(RangeError);
  });

  it('summarizes sorted values, and is all null for none', () => {
    expect(distribution([2, 2, 3, 3, 9], 19)).toEqual({
      min: 2,
      max: 9,
      mean: 3.8,
      median: 3,
      p10: 2,
      // position 3.6: 9 - 6*(1-0.6) = 6.6000000000000005, as np.quantile prints it.
      p90: 6.6000000000000005,
    });
    expect(distribution([], 0)).toEqual({
      min: null,
      max: null,
      mean: null,
      median: null,
      p10: null,
      p90: null,
    });
  });
});

describe('GrowableUint32Array', () => {
  it('grows past its capacity, keeps the sum, and sorts numerically', () => {
    const values = new GrowableUint32Array(2);
    const pushed = Array.from({length: 3000}, (_, i) => (i * 7919) % 3001);
    for (const v of pushed) values.push(v);
    expect(values.length).toBe(3000);
    expect(values.sum).toBe(pushed.reduce((a, b) => a + b, 0));
    expect(Array.from(values.sorted())).toEqual([...pushed].sort((a, b) => a - b));
  });

  it('rejects what is not a 32-bit count', () => {
    const values = new GrowableUint32Array();
    for (const bad of [-1, 1.5, 2 ** 32, Number.NaN])
      expect(() => values.push(bad)).toThrow(RangeError);
    values.push(2 ** 32 - 1);
    expect(values.sum).toBe(2 ** 32 - 1);
  });
});
