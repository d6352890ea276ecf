import {describe, expect, it} from 'vitest';
import {latencyStatistic, weightedQuantile} from '../../../src/eval/latency.js';

describe('latency statistics', () => {
  it('takes the nearest-rank median and 95th percentile', () => {
    const sorted = Array.from({length: 20}, (_, i) => i + 1);
    expect(weightedQuantile(sorted, 0.5)).toBe(10);
    expect(weightedQuantile(sorted, 0.95)).toBe(19);
    expect(weightedQuantile([7], 0.95)).toBe(7);
    // A resample's counts weigh each value.
    expect(weightedQuantile([1, 2, 3], 0.5, [0, 0, 3])).toBe(3);
    expect(weightedQuantile([1, 2, 3], 0.5, [2, 0, 1])).toBe(1);
  });

  it('gives a seeded interval around the statistic, the same for the same seed', () => {
    const times = Array.from({length: 50}, (_, i) => 100 + ((i * 37) % 50));
    const a = latencyStatistic(times, 'median', 7);
    expect(a).toEqual(latencyStatistic(times, 'median', 7));
    expect(a.value).toBe(124);
    expect(a.interval[0]).toBeLessThanOrEqual(a.value);
    expect(a.interval[1]).toBeGreaterThanOrEqual(a.value);
    expect(latencyStatistic(times, 'p95', 7).value).toBe(147);
  });
});
