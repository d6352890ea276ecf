import {exp} from './numerics.js';

/**
 * Causal multi-head self-attention on one sequence, after the qkv projection. qkv is [T, 3d]:
 * columns [0, d) are the queries, [d, 2d) the keys, [2d, 3d) the values, and head h owns columns
 * h*hd..(h+1)*hd of each. probs [H, T, T] keeps the softmax rows (j <= i) for the backward pass;
 * out [T, d] is the heads' outputs side by side (before the output projection).
 */
export function attentionForward(
  qkv: Float64Array,
  T: number,
  d: number,
  H: number,
  probs: Float64Array,
  out: Float64Array,
): void {
  const hd = d / H;
  const scale = 1 / Math.sqrt(hd);
  const stride = 3 * d;
  out.fill(0, 0, T * d);
  for (let h = 0; h < H; h++) {
    const qo = h * hd;
    const ko = d + h * hd;
    const vo = 2 * d + h * hd;
    for (let i = 0; i < T; i++) {
      const row = (h * T + i) * T;
      const qi = i * stride + qo;
      let max = Number.NEGATIVE_INFINITY;
      for (let j = 0; j <= i; j++) {
        const kj = j * stride + ko;
        let s = 0;
        for (let c = 0; c < hd; c++) s += qkv[qi + c]! * qkv[kj + c]!;
        s *= scale;
        probs[row + j] = s;
        if (s > max) max = s;
      }
      let sum = 0;
      for (let j = 0; j <= i; j++) {
        const e = exp(probs[row + j]! - max);
        probs[row + j] = e;
        sum += e;
      }
      const inv = 1 / sum;
      const oi = i * d + h * hd;
      for (let j = 0; j <= i; j++) {
        const pij = probs[row + j]! * inv;
        probs[row + j] = pij;
        const vj = j * stride + vo;
        for (let c = 0; c < hd; c++) out[oi + c] = out[oi + c]! + pij * qkv[vj + c]!;
      }
    }
  }
}

/**
 * Backward of attentionForward: dqkv [T, 3d] is overwritten with the gradient of qkv given dout
 * [T, d]. scratch holds at least T numbers.
 */
export function attentionBackward(
  qkv: Float64Array,
  probs: Float64Array,
  dout: Float64Array,
  T: number,
  d: number,
  H: number,
  dqkv: Float64Array,
  scratch: Float64Array,
): void {
  const hd = d / H;
  const scale = 1 / Math.sqrt(hd);
  const stride = 3 * d;
  dqkv.fill(0, 0, T * stride);
  for (let h = 0; h < H; h++) {
    const qo = h * hd;
    const ko = d + h * hd;
    const vo = 2 * d + h * hd;
    for (let i = 0; i < T; i++) {
      const row = (h * T + i) * T;
      const oi = i * d + h * hd;
      // dP_ij = dout_i . v_j and dv_j += P_ij dout_i
      let dot = 0;
      for (let j = 0; j <= i; j++) {
        const vj = j * stride + vo;
        const pij = probs[row + j]!;
        let s = 0;
        for (let c = 0; c < hd; c++) {
          const doc = dout[oi + c]!;
          s += doc * qkv[vj + c]!;
          dqkv[vj + c] = dqkv[vj + c]! + pij * doc;
        }
        scratch[j] = s;
        dot += pij * s;
      }
      // dS_ij = P_ij (dP_ij - sum_k P_ik dP_ik); dq_i += dS k_j scale; dk_j += dS q_i scale
      const qi = i * stride + qo;
      for (let j = 0; j <= i; j++) {
        const ds = probs[row + j]! * (scratch[j]! - dot) * scale;
        const kj = j * stride + ko;
        for (let c = 0; c < hd; c++) {
          dqkv[qi + c] = dqkv[qi + c]! + ds * qkv[kj + c]!;
          dqkv[kj + c] = dqkv[kj + c]! + ds * qkv[qi + c]!;
        }
      }
    }
  }
}
