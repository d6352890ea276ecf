/** Summary of one per-example figure, as the cookbook notebook's `print_distribution` shows it. */
export interface Distribution {
  min: number | null;
  max: number | null;
  mean: number | null;
  median: number | null;
  /** np.quantile(values, 0.1) (the notebook labels it "p5" but computes the 10th percentile). */
  p10: number | null;
  /** np.quantile(values, 0.9) (labelled "p95" in the notebook). */
  p90: number | null;
}

/**
 * numpy's default quantile (method 'linear') of ascending values: position (n-1)*q, then
 * numpy's `_lerp`, which interpolates from the upper neighbour when the fraction is >= 0.5.
 * That branch changes the last bit of some results (e.g. 6.6000000000000005 for [2,2,3,3,9] at
 * 0.9), and the notebook prints these floats, so it is reproduced exactly.
 */
export function quantile(sortedValues: ArrayLike<number>, q: number): number {
  const n = sortedValues.length;
  if (n === 0) throw new RangeError('quantile of no values');
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile ${q} is not in [0, 1]`);
  const position = (n - 1) * q;
  const below = Math.floor(position);
  const a = sortedValues[below]!;
  const b = sortedValues[Math.min(below + 1, n - 1)]!;
  const t = position - below;
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/** np.median: the middle value, or the mean of the two middle values ((a+b)/2, as numpy). */
export function median(sortedValues: ArrayLike<number>): number {
  const n = sortedValues.length;
  if (n === 0) throw new RangeError('median of no values');
  const mid = n >> 1;
  return n % 2 === 1 ? sortedValues[mid]! : (sortedValues[mid - 1]! + sortedValues[mid]!) / 2;
}

/**
 * The distribution of ascending values; `sum` is their exact sum (integers below 2^53), so the
 * mean equals np.mean's. All null for no values, where the notebook would print nan.
 */
export function distribution(sortedValues: ArrayLike<number>, sum: number): Distribution {
  const n = sortedValues.length;
  if (n === 0) return {min: null, max: null, mean: null, median: null, p10: null, p90: null};
  return {
    min: sortedValues[0]!,
    max: sortedValues[n - 1]!,
    mean: sum / n,
    median: median(sortedValues),
    p10: quantile(sortedValues, 0.1),
    p90: quantile(sortedValues, 0.9),
  };
}
