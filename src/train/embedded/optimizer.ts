import {ADAM} from './hyperparameters.js';
import {powInt} from './numerics.js';

/**
 * AdamW with decoupled weight decay (PyTorch's order: p -= lr * wd * p, then the Adam step),
 * moments kept in f64, parameters stored in f32. Everything it needs to continue exactly is
 * m, v and the step count (bias corrections are recomputed from the step by powInt).
 */
export class AdamW {
  readonly m: Float64Array;
  readonly v: Float64Array;

  constructor(size: number) {
    this.m = new Float64Array(size);
    this.v = new Float64Array(size);
  }

  /** One update for optimizer step `step` (1-based) with gradient g already clipped/scaled. */
  update(
    p: Float32Array,
    g: Float64Array,
    step: number,
    lr: number,
    weightDecay: number,
    decay: Uint8Array,
  ): void {
    const {beta1, beta2, eps} = ADAM;
    const c1 = 1 - powInt(beta1, step);
    const c2 = 1 - powInt(beta2, step);
    const shrink = 1 - lr * weightDecay;
    const m = this.m;
    const v = this.v;
    for (let i = 0; i < p.length; i++) {
      const gi = g[i]!;
      const mi = beta1 * m[i]! + (1 - beta1) * gi;
      const vi = beta2 * v[i]! + (1 - beta2) * gi * gi;
      m[i] = mi;
      v[i] = vi;
      const pi = decay[i] === 1 ? p[i]! * shrink : p[i]!;
      p[i] = pi - (lr * (mi / c1)) / (Math.sqrt(vi / c2) + eps);
    }
  }
}

/**
 * Scales g in place so its global L2 norm is at most maxNorm (PyTorch's clip_grad_norm_:
 * factor maxNorm / (norm + 1e-6) when that is below 1). maxNorm 0 turns clipping off. The sum
 * of squares runs over the flat vector in order. Returns the norm before clipping.
 */
export function clipGradients(g: Float64Array, maxNorm: number): number {
  let sq = 0;
  for (let i = 0; i < g.length; i++) sq += g[i]! * g[i]!;
  const norm = Math.sqrt(sq);
  if (maxNorm > 0) {
    const factor = maxNorm / (norm + 1e-6);
    if (factor < 1) for (let i = 0; i < g.length; i++) g[i] = g[i]! * factor;
  }
  return norm;
}
