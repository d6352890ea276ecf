/**
 * The kernels: forward and backward of each layer for one sequence of T rows. Parameters are
 * read from the flat f32 vector `p` at an offset; activations and gradients are f64. Every sum
 * runs in a fixed order that depends only on the shapes (never on threads), so results are the
 * same bytes everywhere. Backward functions ADD parameter gradients into `g` (same offsets as
 * `p`); what they do with input gradients is stated per function.
 *
 * Hot loops are written for V8: flat typed arrays, no closures, 4-row blocks sharing each weight
 * load (the per-element summation order stays the same as the plain loop's).
 */

export const LN_EPS = 1e-5;

/** y[T,N] = x[T,K] W[K,N] + b[N], W at p[w], b at p[b]. Sums run over k ascending. */
export function linearForward(
  x: Float64Array,
  T: number,
  K: number,
  p: Float32Array,
  w: number,
  b: number,
  N: number,
  y: Float64Array,
): void {
  let t = 0;
  for (; t + 4 <= T; t += 4) {
    const y0 = t * N;
    const y1 = y0 + N;
    const y2 = y1 + N;
    const y3 = y2 + N;
    for (let j = 0; j < N; j++) {
      const bj = p[b + j]!;
      y[y0 + j] = bj;
      y[y1 + j] = bj;
      y[y2 + j] = bj;
      y[y3 + j] = bj;
    }
    const x0 = t * K;
    for (let k = 0; k < K; k++) {
      const a0 = x[x0 + k]!;
      const a1 = x[x0 + K + k]!;
      const a2 = x[x0 + 2 * K + k]!;
      const a3 = x[x0 + 3 * K + k]!;
      const wk = w + k * N;
      for (let j = 0; j < N; j++) {
        const wv = p[wk + j]!;
        y[y0 + j] = y[y0 + j]! + a0 * wv;
        y[y1 + j] = y[y1 + j]! + a1 * wv;
        y[y2 + j] = y[y2 + j]! + a2 * wv;
        y[y3 + j] = y[y3 + j]! + a3 * wv;
      }
    }
  }
  for (; t < T; t++) {
    const y0 = t * N;
    for (let j = 0; j < N; j++) y[y0 + j] = p[b + j]!;
    const x0 = t * K;
    for (let k = 0; k < K; k++) {
      const a0 = x[x0 + k]!;
      const wk = w + k * N;
      for (let j = 0; j < N; j++) y[y0 + j] = y[y0 + j]! + a0 * p[wk + j]!;
    }
  }
}

/**
 * Backward of linearForward: dx[T,K] = dy W^T (overwritten), g[W] += x^T dy, g[b] += sum_t dy.
 * dW sums rows in blocks of four: g += ((x0 dy0 + x1 dy1) + x2 dy2) + x3 dy3, a fixed order.
 */
export function linearBackward(
  x: Float64Array,
  dy: Float64Array,
  T: number,
  K: number,
  p: Float32Array,
  w: number,
  b: number,
  N: number,
  dx: Float64Array | null,
  g: Float64Array,
): void {
  // Input gradient: dot products over j, four rows at a time.
  if (dx !== null) {
    let t = 0;
    for (; t + 4 <= T; t += 4) {
      const d0 = t * N;
      const d1 = d0 + N;
      const d2 = d1 + N;
      const d3 = d2 + N;
      for (let k = 0; k < K; k++) {
        const wk = w + k * N;
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        for (let j = 0; j < N; j++) {
          const wv = p[wk + j]!;
          s0 += dy[d0 + j]! * wv;
          s1 += dy[d1 + j]! * wv;
          s2 += dy[d2 + j]! * wv;
          s3 += dy[d3 + j]! * wv;
        }
        dx[t * K + k] = s0;
        dx[(t + 1) * K + k] = s1;
        dx[(t + 2) * K + k] = s2;
        dx[(t + 3) * K + k] = s3;
      }
    }
    for (; t < T; t++) {
      const d0 = t * N;
      for (let k = 0; k < K; k++) {
        const wk = w + k * N;
        let s0 = 0;
        for (let j = 0; j < N; j++) s0 += dy[d0 + j]! * p[wk + j]!;
        dx[t * K + k] = s0;
      }
    }
  }
  // Weight gradient.
  let t = 0;
  for (; t + 4 <= T; t += 4) {
    const d0 = t * N;
    const d1 = d0 + N;
    const d2 = d1 + N;
    const d3 = d2 + N;
    const x0 = t * K;
    for (let k = 0; k < K; k++) {
      const a0 = x[x0 + k]!;
      const a1 = x[x0 + K + k]!;
      const a2 = x[x0 + 2 * K + k]!;
      const a3 = x[x0 + 3 * K + k]!;
      const wk = w + k * N;
      for (let j = 0; j < N; j++) {
        g[wk + j] =
          g[wk + j]! + (a0 * dy[d0 + j]! + a1 * dy[d1 + j]! + a2 * dy[d2 + j]! + a3 * dy[d3 + j]!);
      }
    }
  }
  for (; t < T; t++) {
    const d0 = t * N;
    const x0 = t * K;
    for (let k = 0; k < K; k++) {
      const a0 = x[x0 + k]!;
      const wk = w + k * N;
      for (let j = 0; j < N; j++) g[wk + j] = g[wk + j]! + a0 * dy[d0 + j]!;
    }
  }
  for (let r = 0; r < T; r++) {
    const d0 = r * N;
    for (let j = 0; j < N; j++) g[b + j] = g[b + j]! + dy[d0 + j]!;
  }
}

/** LayerNorm over the last axis (d): y = g * (x - mean) / sqrt(var + eps) + b. */
export function layerNormForward(
  x: Float64Array,
  T: number,
  d: number,
  p: Float32Array,
  gain: number,
  bias: number,
  y: Float64Array,
  mean: Float64Array,
  rstd: Float64Array,
): void {
  for (let t = 0; t < T; t++) {
    const o = t * d;
    let s = 0;
    for (let c = 0; c < d; c++) s += x[o + c]!;
    const m = s / d;
    let v = 0;
    for (let c = 0; c < d; c++) {
      const u = x[o + c]! - m;
      v += u * u;
    }
    const r = 1 / Math.sqrt(v / d + LN_EPS);
    mean[t] = m;
    rstd[t] = r;
    for (let c = 0; c < d; c++) y[o + c] = (x[o + c]! - m) * r * p[gain + c]! + p[bias + c]!;
  }
}

/** Backward of layerNormForward: ADDS the input gradient into dx; g[gain], g[bias] += ... */
export function layerNormBackward(
  x: Float64Array,
  dy: Float64Array,
  T: number,
  d: number,
  p: Float32Array,
  gain: number,
  bias: number,
  mean: Float64Array,
  rstd: Float64Array,
  dx: Float64Array,
  g: Float64Array,
): void {
  for (let t = 0; t < T; t++) {
    const o = t * d;
    const m = mean[t]!;
    const r = rstd[t]!;
    let sumD = 0;
    let sumDX = 0;
    for (let c = 0; c < d; c++) {
      const xhat = (x[o + c]! - m) * r;
      const dyc = dy[o + c]!;
      const dxhat = dyc * p[gain + c]!;
      g[gain + c] = g[gain + c]! + dyc * xhat;
      g[bias + c] = g[bias + c]! + dyc;
      sumD += dxhat;
      sumDX += dxhat * xhat;
    }
    const meanD = sumD / d;
    const meanDX = sumDX / d;
    for (let c = 0; c < d; c++) {
      const xhat = (x[o + c]! - m) * r;
      dx[o + c] = dx[o + c]! + r * (dy[o + c]! * p[gain + c]! - meanD - xhat * meanDX);
    }
  }
}
