import {ADAM} from './hyperparameters.js';
import {powInt} from './numerics.js';

/**
 * AdamW with decoupled weight decay (PyTorch's order: p -= lr * wd * p, then the Adam step),
 * moments kept in f64, parameters stored in f32. Everything it needs to continue exactly is
 * m, v and the step count (bias corrections are recomputed from the step by powInt). The moments
 * live in shared memory (ExamplePool's) so that worker threads update disjoint ranges in parallel
 * with adamwRange: each element's update depends only on its own values, so any partition gives
 * the same bytes.
 */
export class AdamW {
  readonly m: Float64Array;
  readonly v: Float64Array;

  constructor(size: number, m?: Float64Array, v?: Float64Array) {
    this.m = m ?? new Float64Array(size);
    this.v = v ?? new Float64Array(size);
  }
}

/**
 * The AdamW update of elements [from, to) for step `step`, with the gradient g * factor
 * (factor < 1 is gradient clipping's scale; 1 leaves g as is).
 */
export function adamwRange(
  p: Float32Array,
  g: Float64Array,
  m: Float64Array,
  v: Float64Array,
  decay: Uint8Array,
  from: number,
  to: number,
  step: number,
  lr: number,
  weightDecay: number,
  factor: number,
): void {
  const {beta1, beta2, eps} = ADAM;
  const c1 = 1 - powInt(beta1, step);
  const c2 = 1 - powInt(beta2, step);
  const shrink = 1 - lr * weightDecay;
  const clip = factor < 1;
  for (let i = from; i < to; i++) {
    const gi = clip ? g[i]! * factor : g[i]!;
    const mi = beta1 * m[i]! + (1 - beta1) * gi;
    const vi = beta2 * v[i]! + (1 - beta2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    const pi = decay[i] === 1 ? p[i]! * shrink : p[i]!;
    p[i] = pi - (lr * (mi / c1)) / (Math.sqrt(vi / c2) + eps);
  }
}

/**
 * grad[i] = slot 0[i] + slot 1[i] + ... (f64, slots in order) for i in [from, to); returns the
 * sum of squares of those grad values, i ascending. Works in blocks that stay in cache (the
 * order of each element's additions, and of the squares, is the same as without blocks).
 */
export function sumSlotsRange(
  slots: readonly Float32Array[],
  n: number,
  grad: Float64Array,
  from: number,
  to: number,
): number {
  let sq = 0;
  const s0 = slots[0]!;
  for (let lo = from; lo < to; lo += 2048) {
    const hi = Math.min(to, lo + 2048);
    for (let i = lo; i < hi; i++) grad[i] = s0[i]!;
    for (let k = 1; k < n; k++) {
      const s = slots[k]!;
      for (let i = lo; i < hi; i++) grad[i] = grad[i]! + s[i]!;
    }
    for (let i = lo; i < hi; i++) sq += grad[i]! * grad[i]!;
  }
  return sq;
}

/**
 * Gradient clipping's scale (PyTorch's clip_grad_norm_: maxNorm / (norm + 1e-6) when that is
 * below 1, else 1) from the norm. maxNorm 0 turns clipping off.
 */
export function clipFactor(norm: number, maxNorm: number): number {
  if (maxNorm > 0) {
    const factor = maxNorm / (norm + 1e-6);
    if (factor < 1) return factor;
  }
  return 1;
}
