/**
 * The f64 JS kernels of the reference network (reference.ts) and of decoding (generate.ts);
 * training runs the f32 WebAssembly kernels of wasm/kernels.ts instead. Forward and backward of
 * each layer for one sequence of T rows. Parameters are
 * read from the flat f32 vector `p` at an offset; activations and gradients are f64. Every sum
 * runs in a fixed order that depends only on the shapes (never on threads), so results are the
 * same bytes everywhere. Backward functions ADD parameter gradients into `g` (same offsets as
 * `p`); what they do with input gradients is stated per function.
 *
 * Hot loops are written for V8: flat typed arrays, no closures, 4-row blocks sharing each weight
 * load (the per-element summation order stays the same as the plain loop's).
 */

export const LN_EPS = 1e-5;

/**
 * y[T,N] = x[T,K] W[K,N] + b[N], W at p[w], b at p[b]. Each output is b + x0 w0 + x1 w1 + ...
 * summed over k ascending, whatever the tiling: 4x4 output tiles kept in locals (fewer loads
 * and stores per multiply-add), with plain loops for the edges.
 */
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
  const T4 = T - (T % 4);
  const N4 = N - (N % 4);
  for (let t = 0; t < T4; t += 4) {
    const x0 = t * K;
    const x1 = x0 + K;
    const x2 = x1 + K;
    const x3 = x2 + K;
    for (let j = 0; j < N4; j += 4) {
      const bj0 = p[b + j]!;
      const bj1 = p[b + j + 1]!;
      const bj2 = p[b + j + 2]!;
      const bj3 = p[b + j + 3]!;
      let s00 = bj0,
        s01 = bj1,
        s02 = bj2,
        s03 = bj3;
      let s10 = bj0,
        s11 = bj1,
        s12 = bj2,
        s13 = bj3;
      let s20 = bj0,
        s21 = bj1,
        s22 = bj2,
        s23 = bj3;
      let s30 = bj0,
        s31 = bj1,
        s32 = bj2,
        s33 = bj3;
      let wk = w + j;
      for (let k = 0; k < K; k++, wk += N) {
        const w0 = p[wk]!;
        const w1 = p[wk + 1]!;
        const w2 = p[wk + 2]!;
        const w3 = p[wk + 3]!;
        const a0 = x[x0 + k]!;
        s00 += a0 * w0;
        s01 += a0 * w1;
        s02 += a0 * w2;
        s03 += a0 * w3;
        const a1 = x[x1 + k]!;
        s10 += a1 * w0;
        s11 += a1 * w1;
        s12 += a1 * w2;
        s13 += a1 * w3;
        const a2 = x[x2 + k]!;
        s20 += a2 * w0;
        s21 += a2 * w1;
        s22 += a2 * w2;
        s23 += a2 * w3;
        const a3 = x[x3 + k]!;
        s30 += a3 * w0;
        s31 += a3 * w1;
        s32 += a3 * w2;
        s33 += a3 * w3;
      }
      const y0 = t * N + j;
      y[y0] = s00;
      y[y0 + 1] = s01;
      y[y0 + 2] = s02;
      y[y0 + 3] = s03;
      const y1 = y0 + N;
      y[y1] = s10;
      y[y1 + 1] = s11;
      y[y1 + 2] = s12;
      y[y1 + 3] = s13;
      const y2 = y1 + N;
      y[y2] = s20;
      y[y2 + 1] = s21;
      y[y2 + 2] = s22;
      y[y2 + 3] = s23;
      const y3 = y2 + N;
      y[y3] = s30;
      y[y3 + 1] = s31;
      y[y3 + 2] = s32;
      y[y3 + 3] = s33;
    }
    for (let r = t; r < t + 4; r++)
      for (let j = N4; j < N; j++) y[r * N + j] = linearDot(x, r * K, K, p, w + j, N, p[b + j]!);
  }
  for (let t = T4; t < T; t++)
    for (let j = 0; j < N; j++) y[t * N + j] = linearDot(x, t * K, K, p, w + j, N, p[b + j]!);
}

/** start + sum over k ascending of x[xo + k] * p[wo + k * stride]. */
function linearDot(
  x: Float64Array,
  xo: number,
  K: number,
  p: Float32Array,
  wo: number,
  stride: number,
  start: number,
): number {
  let s = start;
  for (let k = 0; k < K; k++) s += x[xo + k]! * p[wo + k * stride]!;
  return s;
}

/**
 * Backward of linearForward: dx[T,K] = dy W^T (overwritten; each a sum over j ascending),
 * g[W] += x^T dy (each element g + x0 dy0 + x1 dy1 + ... over t ascending), g[b] += sum_t dy.
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
  const T4 = T - (T % 4);
  if (dx !== null) {
    const K4 = K - (K % 4);
    for (let t = 0; t < T4; t += 4) {
      const d0 = t * N;
      const d1 = d0 + N;
      const d2 = d1 + N;
      const d3 = d2 + N;
      for (let k = 0; k < K4; k += 4) {
        const w0 = w + k * N;
        const w1 = w0 + N;
        const w2 = w1 + N;
        const w3 = w2 + N;
        let s00 = 0,
          s01 = 0,
          s02 = 0,
          s03 = 0;
        let s10 = 0,
          s11 = 0,
          s12 = 0,
          s13 = 0;
        let s20 = 0,
          s21 = 0,
          s22 = 0,
          s23 = 0;
        let s30 = 0,
          s31 = 0,
          s32 = 0,
          s33 = 0;
        for (let j = 0; j < N; j++) {
          const v0 = p[w0 + j]!;
          const v1 = p[w1 + j]!;
          const v2 = p[w2 + j]!;
          const v3 = p[w3 + j]!;
          const e0 = dy[d0 + j]!;
          s00 += e0 * v0;
          s01 += e0 * v1;
          s02 += e0 * v2;
          s03 += e0 * v3;
          const e1 = dy[d1 + j]!;
          s10 += e1 * v0;
          s11 += e1 * v1;
          s12 += e1 * v2;
          s13 += e1 * v3;
          const e2 = dy[d2 + j]!;
          s20 += e2 * v0;
          s21 += e2 * v1;
          s22 += e2 * v2;
          s23 += e2 * v3;
          const e3 = dy[d3 + j]!;
          s30 += e3 * v0;
          s31 += e3 * v1;
          s32 += e3 * v2;
          s33 += e3 * v3;
        }
        const o0 = t * K + k;
        dx[o0] = s00;
        dx[o0 + 1] = s01;
        dx[o0 + 2] = s02;
        dx[o0 + 3] = s03;
        const o1 = o0 + K;
        dx[o1] = s10;
        dx[o1 + 1] = s11;
        dx[o1 + 2] = s12;
        dx[o1 + 3] = s13;
        const o2 = o1 + K;
        dx[o2] = s20;
        dx[o2 + 1] = s21;
        dx[o2 + 2] = s22;
        dx[o2 + 3] = s23;
        const o3 = o2 + K;
        dx[o3] = s30;
        dx[o3 + 1] = s31;
        dx[o3 + 2] = s32;
        dx[o3 + 3] = s33;
      }
      for (let r = t; r < t + 4; r++)
        for (let k = K4; k < K; k++) dx[r * K + k] = rowDot(dy, r * N, p, w + k * N, N);
    }
    for (let t = T4; t < T; t++)
      for (let k = 0; k < K; k++) dx[t * K + k] = rowDot(dy, t * N, p, w + k * N, N);
  }
  // Weight gradient: 4x4 tiles of g held in locals across all rows t.
  const K4 = K - (K % 4);
  const N4 = N - (N % 4);
  for (let k = 0; k < K4; k += 4) {
    for (let j = 0; j < N4; j += 4) {
      const g0 = w + k * N + j;
      const g1 = g0 + N;
      const g2 = g1 + N;
      const g3 = g2 + N;
      let s00 = g[g0]!,
        s01 = g[g0 + 1]!,
        s02 = g[g0 + 2]!,
        s03 = g[g0 + 3]!;
      let s10 = g[g1]!,
        s11 = g[g1 + 1]!,
        s12 = g[g1 + 2]!,
        s13 = g[g1 + 3]!;
      let s20 = g[g2]!,
        s21 = g[g2 + 1]!,
        s22 = g[g2 + 2]!,
        s23 = g[g2 + 3]!;
      let s30 = g[g3]!,
        s31 = g[g3 + 1]!,
        s32 = g[g3 + 2]!,
        s33 = g[g3 + 3]!;
      for (let t = 0; t < T; t++) {
        const xa = t * K + k;
        const da = t * N + j;
        const a0 = x[xa]!,
          a1 = x[xa + 1]!,
          a2 = x[xa + 2]!,
          a3 = x[xa + 3]!;
        const y0 = dy[da]!,
          y1 = dy[da + 1]!,
          y2 = dy[da + 2]!,
          y3 = dy[da + 3]!;
        s00 += a0 * y0;
        s01 += a0 * y1;
        s02 += a0 * y2;
        s03 += a0 * y3;
        s10 += a1 * y0;
        s11 += a1 * y1;
        s12 += a1 * y2;
        s13 += a1 * y3;
        s20 += a2 * y0;
        s21 += a2 * y1;
        s22 += a2 * y2;
        s23 += a2 * y3;
        s30 += a3 * y0;
        s31 += a3 * y1;
        s32 += a3 * y2;
        s33 += a3 * y3;
      }
      g[g0] = s00;
      g[g0 + 1] = s01;
      g[g0 + 2] = s02;
      g[g0 + 3] = s03;
      g[g1] = s10;
      g[g1 + 1] = s11;
      g[g1 + 2] = s12;
      g[g1 + 3] = s13;
      g[g2] = s20;
      g[g2 + 1] = s21;
      g[g2 + 2] = s22;
      g[g2 + 3] = s23;
      g[g3] = s30;
      g[g3 + 1] = s31;
      g[g3 + 2] = s32;
      g[g3 + 3] = s33;
    }
  }
  // Edges (k >= K4 or j >= N4), element by element in the same order.
  for (let k = 0; k < K; k++) {
    for (let j = k < K4 ? N4 : 0; j < N; j++) {
      let s = g[w + k * N + j]!;
      for (let t = 0; t < T; t++) s += x[t * K + k]! * dy[t * N + j]!;
      g[w + k * N + j] = s;
    }
  }
  for (let r = 0; r < T; r++) {
    const d0 = r * N;
    for (let j = 0; j < N; j++) g[b + j] = g[b + j]! + dy[d0 + j]!;
  }
}

/** sum over j ascending of dy[d + j] * p[wo + j]. */
function rowDot(dy: Float64Array, d: number, p: Float32Array, wo: number, N: number): number {
  let s = 0;
  for (let j = 0; j < N; j++) s += dy[d + j]! * p[wo + j]!;
  return s;
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
