/**
 * Seeded bootstrap over examples: the same seed and the same examples give the same resamples
 * on any machine (integer arithmetic only), so a score's interval is part of a reproducible
 * result, and two models compared on one resample see the same examples (a paired bootstrap).
 */

/** Resamples per interval: sacreBLEU's default for its paired bootstrap. */
export const RESAMPLES = 1000;

/** splitmix32: a small, well-mixed generator of 32-bit integers. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/**
 * `resamples` draws of `n` example indices with replacement, from `seed`, each handed to `each`
 * as a count per example (how many times it was drawn), which is all a sum of statistics needs.
 * One buffer is reused, so memory stays O(n) however many examples; `each` must not keep it.
 */
export function forEachResample(
  n: number,
  seed: number,
  each: (counts: Uint16Array) => void,
  resamples = RESAMPLES,
): void {
  if (n === 0) return;
  const next = generator(seed);
  // Rejection keeps the draw uniform when n does not divide 2^32.
  const limit = 0x100000000 - (0x100000000 % n);
  const counts = new Uint16Array(n);
  for (let r = 0; r < resamples; r++) {
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      let x = next();
      while (x >= limit) x = next();
      counts[x % n] = counts[x % n]! + 1;
    }
    each(counts);
  }
}

/** The 2.5th and 97.5th percentiles of `values` (sorted in place): a 95% interval. */
export function interval95(values: number[]): [number, number] {
  values.sort((a, b) => a - b);
  const at = (q: number) =>
    values[Math.min(values.length - 1, Math.max(0, Math.round(q * (values.length - 1))))]!;
  return [at(0.025), at(0.975)];
}
