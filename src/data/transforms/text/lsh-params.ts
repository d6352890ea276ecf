/**
 * LSH banding for a Jaccard threshold, chosen as datasketch's `MinHashLSH._optimal_param` does:
 * over every (bands b, rows r) with b * r <= numPerm, minimise 0.5 * FP + 0.5 * FN, where FP is
 * the area under the candidate probability 1 - (1 - s^r)^b for s in [0, threshold] and FN the
 * area above it for s in [threshold, 1]; the first minimum (b ascending, then r) wins. datasketch
 * integrates with scipy's `quad`; composite Gauss-Legendre on these polynomials agrees with it
 * to ~1e-15, which is what lets both pick the same pair (checked against scipy in the tests).
 */
export interface LshParams {
  readonly bands: number;
  readonly rows: number;
}

const ORDER = 16;
const PIECES = 16;
const GAUSS = gaussLegendre(ORDER);
const cache = new Map<string, LshParams>();

export function optimalLshParams(threshold: number, numPerm: number): LshParams {
  const key = `${threshold}:${numPerm}`;
  const cached = cache.get(key);
  if (cached) return cached;
  let best = Number.POSITIVE_INFINITY;
  let params: LshParams = {bands: 0, rows: 0};
  for (let b = 1; b <= numPerm; b++) {
    const maxRows = Math.floor(numPerm / b);
    for (let r = 1; r <= maxRows; r++) {
      const candidate = (s: number) => 1 - (1 - s ** r) ** b;
      const falsePositive = integrate(candidate, 0, threshold);
      const falseNegative = integrate((s) => 1 - candidate(s), threshold, 1);
      const error = falsePositive * 0.5 + falseNegative * 0.5;
      if (error < best) {
        best = error;
        params = {bands: b, rows: r};
      }
    }
  }
  cache.set(key, params);
  return params;
}

function integrate(f: (x: number) => number, from: number, to: number): number {
  if (to <= from) return 0;
  const width = (to - from) / PIECES;
  let sum = 0;
  for (let piece = 0; piece < PIECES; piece++) {
    const mid = from + (piece + 0.5) * width;
    let part = 0;
    for (let i = 0; i < ORDER; i++) {
      part += GAUSS.weights[i]! * f(mid + 0.5 * width * GAUSS.nodes[i]!);
    }
    sum += part * 0.5 * width;
  }
  return sum;
}

/** Nodes and weights of n-point Gauss-Legendre quadrature on [-1, 1] (Newton on P_n). */
function gaussLegendre(n: number): {nodes: Float64Array; weights: Float64Array} {
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let x = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let derivative = 0;
    for (let iteration = 0; iteration < 100; iteration++) {
      let p0 = 1;
      let p1 = x;
      for (let k = 2; k <= n; k++) {
        const p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k;
        p0 = p1;
        p1 = p2;
      }
      derivative = (n * (x * p1 - p0)) / (x * x - 1);
      const step = p1 / derivative;
      x -= step;
      if (Math.abs(step) < 1e-16) break;
    }
    nodes[i] = x;
    weights[i] = 2 / ((1 - x * x) * derivative * derivative);
  }
  return {nodes, weights};
}
