import {describe, expect, it} from 'vitest';
import {cos, exp, gelu, log, powInt} from '../../../../src/train/embedded/numerics.js';
import {permutation, Rng} from '../../../../src/train/embedded/rng.js';

const relErr = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

describe('embedded numerics', () => {
  it('exp matches Math.exp to ~1e-15 relative over its whole range', () => {
    let worst = 0;
    for (let i = 0; i <= 20000; i++) {
      const x = -740 + (i / 20000) * 1449;
      worst = Math.max(worst, relErr(exp(x), Math.exp(x)));
    }
    for (const x of [0, 1e-300, -1e-12, 1e-8, 0.5, -0.34657359, 0.34657359]) {
      worst = Math.max(worst, relErr(exp(x), Math.exp(x)));
    }
    expect(worst).toBeLessThan(5e-15);
    expect(exp(0)).toBe(1);
    expect(exp(710)).toBe(Number.POSITIVE_INFINITY);
    expect(exp(-746)).toBe(0);
    expect(exp(Number.NEGATIVE_INFINITY)).toBe(0);
    expect(exp(Number.NaN)).toBeNaN();
    expect(relErr(exp(-744), Math.exp(-744))).toBeLessThan(0.5); // subnormal: few bits left
  });

  it('log matches Math.log over tiny, subnormal, ordinary and huge inputs', () => {
    let worst = 0;
    for (let i = -3000; i <= 3000; i++) {
      const x = 1.37 ** (i / 10) * 0.9;
      worst = Math.max(worst, Math.abs(log(x) - Math.log(x)) / Math.max(1, Math.abs(Math.log(x))));
    }
    for (const x of [5e-324, 1e-310, 1e-300, 0.5, 1, 1 + 1e-15, 2, 1e300, 1.7e308]) {
      worst = Math.max(worst, Math.abs(log(x) - Math.log(x)) / Math.max(1, Math.abs(Math.log(x))));
    }
    expect(worst).toBeLessThan(5e-16);
    expect(log(1)).toBe(0);
    expect(log(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(log(-1)).toBeNaN();
  });

  it('cos matches Math.cos to ~1e-15 absolute on [-1e4, 1e4]', () => {
    let worst = 0;
    for (let i = -200000; i <= 200000; i++) {
      const x = i * 0.05 + 0.001;
      worst = Math.max(worst, Math.abs(cos(x) - Math.cos(x)));
    }
    for (const x of [0, Math.PI / 4, Math.PI / 2, Math.PI, 2 * Math.PI, 1e5]) {
      worst = Math.max(worst, Math.abs(cos(x) - Math.cos(x)));
    }
    expect(worst).toBeLessThan(1e-14);
    expect(cos(0)).toBe(1);
    expect(cos(Math.PI)).toBe(-1);
  });

  it('powInt and gelu agree with Math', () => {
    expect(relErr(powInt(0.999, 12345), 0.999 ** 12345)).toBeLessThan(1e-12);
    expect(powInt(0.9, 0)).toBe(1);
    expect(gelu(0)).toBe(0);
    expect(gelu(-100)).toBe(-0);
    expect(gelu(100)).toBe(100);
  });

  it('pins exact bits of a few values (these must be the same on every machine)', () => {
    const bits = (x: number) => Buffer.from(new Float64Array([x]).buffer).toString('hex');
    expect([exp(1.2345), log(3.21), cos(2.5), gelu(0.7)].map(bits)).toMatchInlineSnapshot(`
      [
        "85a60d79477e0b40",
        "22ccd4b60ba9f23f",
        "7d8b85eff7a2e9bf",
        "8b5e19386efae03f",
      ]
    `);
  });

  it('the PRNG is a pure function of seed, purpose and index', () => {
    const draws = (seed: number, purpose: string, index: number) => {
      const r = new Rng(seed, purpose, index);
      return [r.nextU32(), r.nextU32(), r.uniform(), r.normal()];
    };
    expect(draws(1, 'a', 0)).toEqual(draws(1, 'a', 0));
    expect(draws(1, 'a', 0)).not.toEqual(draws(2, 'a', 0));
    expect(draws(1, 'a', 0)).not.toEqual(draws(1, 'b', 0));
    expect(draws(1, 'a', 0)).not.toEqual(draws(1, 'a', 1));
    expect(draws(2 ** 40, 'a', 0)).not.toEqual(draws(0, 'a', 0));
    expect(draws(42, 'shuffle', 3)).toMatchInlineSnapshot(`
      [
        2866431036,
        1560116236,
        0.9582773144622422,
        -0.059060212922638675,
      ]
    `);
    const order = permutation(10, new Rng(0, 'shuffle', 0));
    expect([...order].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    let sum = 0;
    let sq = 0;
    const r = new Rng(9, 'n');
    for (let i = 0; i < 20000; i++) {
      const z = r.normal();
      sum += z;
      sq += z * z;
    }
    expect(Math.abs(sum / 20000)).toBeLessThan(0.03);
    expect(Math.abs(sq / 20000 - 1)).toBeLessThan(0.05);
  });
});
