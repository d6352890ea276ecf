import {describe, expect, it} from 'vitest';
import {attentionBackward, attentionForward} from '../../../../src/train/embedded/attention.js';
import type {ModelConfig} from '../../../../src/train/embedded/config.js';
import {geluBackward, geluForward} from '../../../../src/train/embedded/head.js';
import {layerNormBackward, layerNormForward} from '../../../../src/train/embedded/layers.js';
import {initParams, layout} from '../../../../src/train/embedded/model.js';
import {type Example, runExample, Workspace} from '../../../../src/train/embedded/network.js';
import {Rng} from '../../../../src/train/embedded/rng.js';
import {VOCAB_SIZE} from '../../../../src/train/embedded/tokenizer.js';

// Analytic gradients against central finite differences. Activations are f64, so the checks are
// tight; parameters are f32, so each difference divides by the step the f32 value really took.

const close = (analytic: number, numeric: number, rel = 1e-4, abs = 1e-7) =>
  Math.abs(analytic - numeric) <= rel * Math.max(Math.abs(analytic), Math.abs(numeric)) + abs;

const config: ModelConfig = {
  vocab_size: VOCAB_SIZE,
  n_ctx: 8,
  n_layer: 2,
  d_model: 8,
  n_head: 2,
  d_ff: 16,
};

function setup() {
  const lay = layout(config);
  const p = new Float32Array(lay.size);
  initParams(lay, 7, p);
  // Larger, non-trivial weights so every path carries signal (LN gains and biases too).
  const rng = new Rng(1, 'test');
  for (let i = 0; i < p.length; i++) p[i] = p[i]! * 5 + 0.1 * rng.normal();
  const tokens = Int32Array.from([258, 72, 105, 260, 257, 33, 200, 10, 260]);
  const trained = Uint8Array.from([0, 1, 1, 1, 0, 0, 1, 1, 1]);
  const ex: Example = {tokens, trained, count: 6};
  return {lay, p, ex, ws: new Workspace(lay)};
}

describe('embedded gradients', () => {
  it('match finite differences for every parameter tensor of the model', () => {
    const {lay, p, ex, ws} = setup();
    const g = new Float64Array(lay.size);
    runExample(lay, p, ex, 1, g, ws);
    const failures: string[] = [];
    const pick = new Rng(3, 'pick');
    for (const t of lay.tensors) {
      const samples =
        t.name === 'wte'
          ? [72 * 8 + 1, 260 * 8 + 3, 33 * 8 + 5, 1 * 8]
          : [0, 1, 2, 3, 4, 5].map(() => pick.below(t.size));
      if (t.name === 'wpe') samples.push(7 * 8 + 2);
      for (const s of samples) {
        const i = t.offset + s;
        const orig = p[i]!;
        p[i] = orig + 1e-4;
        const up = p[i]!;
        const lossUp = runExample(lay, p, ex, 1, null, ws);
        p[i] = orig - 1e-4;
        const down = p[i]!;
        const lossDown = runExample(lay, p, ex, 1, null, ws);
        p[i] = orig;
        const numeric = (lossUp - lossDown) / (up - down);
        if (!close(g[i]!, numeric, 1e-4, 1e-6))
          failures.push(`${t.name}[${s}]: ${g[i]} vs ${numeric}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('scale multiplies the gradient, and untrained targets contribute nothing', () => {
    const {lay, p, ex, ws} = setup();
    const g1 = new Float64Array(lay.size);
    const loss = runExample(lay, p, ex, 1, g1, ws);
    // Changing untrained targets (positions 4 and 5: "<user>" and "!") changes neither.
    const other: Example = {
      ...ex,
      tokens: Int32Array.from([258, 72, 105, 260, 99, 34, 200, 10, 260]),
    };
    expect(runExample(lay, p, other, 1, null, ws)).not.toBe(loss); // inputs changed, so the context did
    const masked: Example = {...ex, trained: Uint8Array.from([1, 1, 1, 1, 0, 0, 1, 1, 1])};
    const g2 = new Float64Array(lay.size);
    // Token 0 is never a target: marking it trained changes nothing.
    expect(runExample(lay, p, masked, 1, g2, ws)).toBe(loss);
    expect(g2).toEqual(g1);
    const none: Example = {...ex, trained: new Uint8Array(9), count: 0};
    const g3 = new Float64Array(lay.size);
    expect(runExample(lay, p, none, 1, g3, ws)).toBe(0);
    expect(g3.every((v) => v === 0)).toBe(true);
    const gHalf = new Float64Array(lay.size);
    runExample(lay, p, ex, 0.5, gHalf, ws);
    let maxErr = 0;
    for (let i = 0; i < lay.size; i++) maxErr = Math.max(maxErr, Math.abs(gHalf[i]! - g1[i]! / 2));
    expect(maxErr).toBeLessThan(1e-12);
  });

  it('layernorm input gradient matches finite differences', () => {
    const T = 3;
    const d = 5;
    const rng = new Rng(5, 'ln');
    const x = Float64Array.from({length: T * d}, () => rng.normal());
    const p = Float32Array.from({length: 2 * d}, () => 1 + 0.5 * rng.normal());
    const r = Float64Array.from({length: T * d}, () => rng.normal());
    const y = new Float64Array(T * d);
    const m = new Float64Array(T);
    const s = new Float64Array(T);
    const f = () => {
      layerNormForward(x, T, d, p, 0, d, y, m, s);
      return y.reduce((a, v, i) => a + v * r[i]!, 0);
    };
    f();
    const dx = new Float64Array(T * d);
    const g = new Float64Array(2 * d);
    layerNormBackward(x, r, T, d, p, 0, d, m, s, dx, g);
    for (let i = 0; i < T * d; i++) {
      const o = x[i]!;
      x[i] = o + 1e-6;
      const up = f();
      x[i] = o - 1e-6;
      const down = f();
      x[i] = o;
      expect(close(dx[i]!, (up - down) / 2e-6, 1e-6, 1e-8)).toBe(true);
    }
  });

  it('attention input gradient matches finite differences (causal, two heads)', () => {
    const T = 4;
    const d = 6;
    const H = 2;
    const rng = new Rng(6, 'att');
    const qkv = Float64Array.from({length: T * 3 * d}, () => rng.normal());
    const r = Float64Array.from({length: T * d}, () => rng.normal());
    const probs = new Float64Array(H * T * T);
    const out = new Float64Array(T * d);
    const f = () => {
      attentionForward(qkv, T, d, H, probs, out);
      return out.reduce((a, v, i) => a + v * r[i]!, 0);
    };
    f();
    const dqkv = new Float64Array(T * 3 * d);
    attentionBackward(qkv, probs, r, T, d, H, dqkv, new Float64Array(T));
    for (let i = 0; i < qkv.length; i++) {
      const o = qkv[i]!;
      qkv[i] = o + 1e-6;
      const up = f();
      qkv[i] = o - 1e-6;
      const down = f();
      qkv[i] = o;
      expect(close(dqkv[i]!, (up - down) / 2e-6, 1e-6, 1e-8)).toBe(true);
    }
    // Causality: the last row's keys and values do not touch earlier outputs.
    attentionForward(qkv, T, d, H, probs, out);
    const before = out.slice(0, (T - 1) * d);
    for (let c = d; c < 3 * d; c++) qkv[(T - 1) * 3 * d + c] = 9;
    attentionForward(qkv, T, d, H, probs, out);
    expect(out.slice(0, (T - 1) * d)).toEqual(before);
  });

  it('GELU derivative matches finite differences over a wide range', () => {
    const xs = Float64Array.from({length: 201}, (_, i) => (i - 100) / 12.5);
    const y = new Float64Array(xs.length);
    const dx = new Float64Array(xs.length);
    geluBackward(xs, new Float64Array(xs.length).fill(1), xs.length, dx);
    for (let i = 0; i < xs.length; i++) {
      const up = new Float64Array([xs[i]! + 1e-6]);
      const down = new Float64Array([xs[i]! - 1e-6]);
      geluForward(up, 1, up);
      geluForward(down, 1, down);
      expect(close(dx[i]!, (up[0]! - down[0]!) / 2e-6, 1e-6, 1e-8)).toBe(true);
    }
    geluForward(xs, xs.length, y);
    // Against the tanh formula with Math.tanh (accuracy, not bytes).
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i]!;
      const ref = 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
      expect(Math.abs(y[i]! - ref)).toBeLessThan(1e-12);
    }
  });
});
