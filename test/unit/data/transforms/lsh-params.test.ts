import {describe, expect, it} from 'vitest';
import {optimalLshParams} from '../../../../src/data/transforms/text/lsh-params.js';

/**
 * [threshold, num_perm, bands, rows] from datasketch's `_optimal_param(threshold, num_perm, 0.5,
 * 0.5)` (its lsh.py, integrating with scipy.integrate.quad), computed with scipy 1.17.1.
 */
const DATASKETCH: [number, number, number, number][] = [
  [0.1, 8, 8, 1],
  [0.3, 8, 4, 1],
  [0.5, 8, 3, 2],
  [0.7, 8, 2, 4],
  [0.75, 8, 2, 4],
  [0.8, 8, 1, 7],
  [0.85, 8, 1, 8],
  [0.9, 8, 1, 8],
  [0.95, 8, 1, 8],
  [1.0, 8, 1, 8],
  [0.1, 16, 15, 1],
  [0.3, 16, 8, 2],
  [0.5, 16, 5, 3],
  [0.7, 16, 3, 5],
  [0.75, 16, 2, 6],
  [0.8, 16, 2, 8],
  [0.85, 16, 2, 8],
  [0.9, 16, 1, 15],
  [0.95, 16, 1, 16],
  [1.0, 16, 1, 16],
  [0.1, 32, 15, 1],
  [0.3, 32, 12, 2],
  [0.5, 32, 8, 4],
  [0.7, 32, 5, 6],
  [0.75, 32, 4, 8],
  [0.8, 32, 3, 10],
  [0.85, 32, 3, 10],
  [0.9, 32, 2, 16],
  [0.95, 32, 1, 32],
  [1.0, 32, 1, 32],
  [0.1, 64, 15, 1],
  [0.3, 64, 21, 3],
  [0.5, 64, 14, 4],
  [0.7, 64, 8, 8],
  [0.75, 64, 7, 9],
  [0.8, 64, 5, 11],
  [0.85, 64, 4, 15],
  [0.9, 64, 3, 21],
  [0.95, 64, 2, 32],
  [1.0, 64, 1, 64],
  [0.1, 100, 50, 2],
  [0.3, 100, 33, 3],
  [0.5, 100, 20, 5],
  [0.7, 100, 11, 9],
  [0.75, 100, 10, 10],
  [0.8, 100, 8, 12],
  [0.85, 100, 6, 16],
  [0.9, 100, 4, 23],
  [0.95, 100, 3, 33],
  [1.0, 100, 1, 100],
  [0.1, 128, 64, 2],
  [0.3, 128, 37, 3],
  [0.5, 128, 25, 5],
  [0.7, 128, 14, 9],
  [0.75, 128, 11, 11],
  [0.8, 128, 9, 13],
  [0.85, 128, 8, 16],
  [0.9, 128, 5, 25],
  [0.95, 128, 3, 42],
  [1.0, 128, 1, 128],
  [0.1, 256, 117, 2],
  [0.3, 256, 64, 4],
  [0.5, 256, 42, 6],
  [0.7, 256, 25, 10],
  [0.75, 256, 21, 12],
  [0.8, 256, 17, 15],
  [0.85, 256, 13, 19],
  [0.9, 256, 9, 28],
  [0.95, 256, 5, 51],
  [1.0, 256, 1, 256],
  [0.8, 512, 28, 18],
];

describe('LSH parameters', () => {
  it("equal datasketch's MinHashLSH choice", () => {
    for (const [threshold, numPerm, bands, rows] of DATASKETCH) {
      expect({threshold, numPerm, ...optimalLshParams(threshold, numPerm)}).toEqual({
        threshold,
        numPerm,
        bands,
        rows,
      });
    }
  });

  it('for the defaults (0.8, 128): 9 bands of 13 rows', () => {
    expect(optimalLshParams(0.8, 128)).toEqual({bands: 9, rows: 13});
  });

  it('never use more slots than there are', () => {
    for (const numPerm of [8, 9, 33, 127]) {
      for (const threshold of [0.2, 0.55, 0.99]) {
        const {bands, rows} = optimalLshParams(threshold, numPerm);
        expect(bands * rows).toBeLessThanOrEqual(numPerm);
        expect(bands).toBeGreaterThanOrEqual(1);
        expect(rows).toBeGreaterThanOrEqual(1);
      }
    }
  });
});
