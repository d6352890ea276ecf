import {exp, gelu, geluGrad, log} from './numerics.js';

/** GELU (tanh form, computed tanh-free) elementwise over n values. */
export function geluForward(x: Float64Array, n: number, y: Float64Array): void {
  for (let i = 0; i < n; i++) y[i] = gelu(x[i]!);
}

/** Backward of geluForward: dx = dy * gelu'(x) (overwritten). */
export function geluBackward(x: Float64Array, dy: Float64Array, n: number, dx: Float64Array): void {
  for (let i = 0; i < n; i++) dx[i] = dy[i]! * geluGrad(x[i]!);
}

/**
 * The output head (tied to wte at p[wte], [V, d]) and the masked cross-entropy, fused: for each
 * trained row t (trained[t] = 1) the logits h_t wte^T, the loss -log softmax(logits)[target_t],
 * and with `scale` != 0 the backward: dh[t] = (dlogits) wte (overwritten; zero for untrained
 * rows) and g[wte] += dlogits^T h, where dlogits = (softmax - onehot) * scale. Returns the sum of
 * the trained rows' losses. logits holds at least V numbers.
 */
export function headLoss(
  h: Float64Array,
  T: number,
  d: number,
  V: number,
  p: Float32Array,
  wte: number,
  targets: Int32Array,
  trained: Uint8Array,
  scale: number,
  dh: Float64Array | null,
  g: Float64Array | null,
  logits: Float64Array,
): number {
  let total = 0;
  if (dh !== null) dh.fill(0, 0, T * d);
  for (let t = 0; t < T; t++) {
    if (trained[t] === 0) continue;
    const ho = t * d;
    let max = Number.NEGATIVE_INFINITY;
    for (let v = 0; v < V; v++) {
      const wv = wte + v * d;
      let s = 0;
      for (let c = 0; c < d; c++) s += h[ho + c]! * p[wv + c]!;
      logits[v] = s;
      if (s > max) max = s;
    }
    const target = targets[t]!;
    const zTarget = logits[target]! - max;
    let sum = 0;
    for (let v = 0; v < V; v++) {
      const e = exp(logits[v]! - max);
      logits[v] = e;
      sum += e;
    }
    total += log(sum) - zTarget;
    if (dh === null || g === null || scale === 0) continue;
    const inv = 1 / sum;
    for (let v = 0; v < V; v++) {
      const dl = (logits[v]! * inv - (v === target ? 1 : 0)) * scale;
      const wv = wte + v * d;
      for (let c = 0; c < d; c++) {
        dh[ho + c] = dh[ho + c]! + dl * p[wv + c]!;
        g[wv + c] = g[wv + c]! + dl * h[ho + c]!;
      }
    }
  }
  return total;
}
