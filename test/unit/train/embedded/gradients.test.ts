import {describe, expect, it} from 'vitest';
import {attentionBackward, attentionForward} from '../../../../src/train/embedded/attention.js';
import type {ModelConfig} from '../../../../src/train/embedded/config.js';
import {geluBackward, geluForward} from '../../../../src/train/embedded/head.js';
import {layerNormBackward, layerNormForward} from '../../../../src/train/embedded/layers.js';
import {initParams, layout} from '../../../../src/train/embedded/model.js';
import {type Example, Workspace} from '../../../../src/train/embedded/network.js';
import {
  Workspace as ReferenceWorkspace,
  runExample,
} from '../../../../src/train/embedded/reference.js';
import {Rng} from '../../../../src/train/embedded/rng.js';
import {VOCAB_SIZE} from '../../../../src/train/embedded/tokenizer.js';

// The f64 reference network (reference.ts) against central finite differences: activations are
// f64, so the checks are tight; parameters are f32, so each difference divides by the step the
// f32 value really took. The trainer's WebAssembly network (f32 activations) is then checked
// against that reference, tensor by tensor, and against finite differences with f32 tolerances.

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
  return {lay, p, ex, ws: new ReferenceWorkspace(lay)};
}

describe('embedded gradients', () => {
  it('of the f64 reference match finite differences for every parameter tensor of the model', () => {
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

  it('of the f64 reference: scale multiplies the gradient, untrained targets contribute nothing', () => {
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

  it('of the WebAssembly network match the f64 reference, tensor by tensor, at odd shapes too', () => {
    // [n_ctx, d_model, n_head, d_ff, n_layer]: rows, widths and head sizes that are not
    // multiples of the SIMD tiles, and a full-size one.
    const shapes = [
      [8, 8, 2, 16, 2],
      [13, 10, 5, 28, 1],
      [7, 12, 3, 20, 2],
      [37, 32, 4, 128, 2],
    ] as const;
    for (const [T, d, H, f, L] of shapes) {
      const cfg: ModelConfig = {
        vocab_size: VOCAB_SIZE,
        n_ctx: T,
        n_layer: L,
        d_model: d,
        n_head: H,
        d_ff: f,
      };
      const lay = layout(cfg);
      const p = new Float32Array(lay.size);
      initParams(lay, 7, p);
      const rng = new Rng(2, 'shapes');
      for (let i = 0; i < p.length; i++) p[i] = p[i]! * 5 + 0.1 * rng.normal();
      const tokens = Int32Array.from({length: T + 1}, (_, i) => (i * 37 + 5) % VOCAB_SIZE);
      const trained = Uint8Array.from({length: T + 1}, (_, i) => (i % 3 === 0 ? 0 : 1));
      const ex: Example = {tokens, trained, count: 0};
      const ref = new Float64Array(lay.size);
      const refLoss = runExample(lay, p, ex, 0.5, ref, new ReferenceWorkspace(lay));
      const ws = new Workspace(lay);
      ws.setParams(p);
      const loss = ws.run(ex, 0.5, true);
      expect(Math.abs(loss - refLoss) / refLoss).toBeLessThan(1e-5);
      // Relative L2 error per tensor: f32 rounding gives ~1e-5; a wrong term (a dropped path, a
      // wrong scale, a transposed index) gives errors of order 1.
      for (const t of lay.tensors) {
        let num = 0;
        let den = 0;
        for (let i = t.offset; i < t.offset + t.size; i++) {
          num += (ws.grad[i]! - ref[i]!) ** 2;
          den += ref[i]! ** 2;
        }
        expect(den, t.name).toBeGreaterThan(0);
        expect(Math.sqrt(num / den), `${t.name} at ${[T, d, H, f, L]}`).toBeLessThan(2e-4);
      }
    }
  });

  it('of the WebAssembly network match finite differences (f32 tolerances)', () => {
    // f32 activations make single-element differences noisy, so each tensor is checked along
    // directions u (unit length): L(p + su) - L(p - su) against g . (the steps really taken).
    // u is the tensor's own gradient direction plus as much random noise, so g . u cannot cancel
    // to ~0 and a gradient pointing the wrong way shows; the step s moves the loss by ~1e-2,
    // far above its f32 rounding noise, and stays short (<= 0.05) so curvature stays small.
    const {lay, p, ex} = setup();
    const ws = new Workspace(lay);
    ws.setParams(p);
    ws.run(ex, 1, true);
    const g = Float64Array.from(ws.grad);
    const dir = new Rng(9, 'direction');
    const failures: string[] = [];
    for (const t of lay.tensors) {
      let gn = 0;
      for (let j = t.offset; j < t.offset + t.size; j++) gn += g[j]! ** 2;
      gn = Math.sqrt(gn);
      expect(gn, t.name).toBeGreaterThan(0);
      for (let n = 0; n < 2; n++) {
        const u = Float64Array.from(
          {length: t.size},
          (_, j) => g[t.offset + j]! / gn + dir.normal() / Math.sqrt(t.size),
        );
        const un = Math.hypot(...u);
        const step = Math.min(0.05, 1e-2 / gn);
        const up = p.slice();
        const down = p.slice();
        let analytic = 0;
        for (let j = 0; j < t.size; j++) {
          const i = t.offset + j;
          const v = (step * u[j]!) / un;
          up[i] = p[i]! + v;
          down[i] = p[i]! - v;
          analytic += g[i]! * (up[i]! - down[i]!);
        }
        ws.setParams(up);
        const lossUp = ws.run(ex, 1, false);
        ws.setParams(down);
        const numeric = lossUp - ws.run(ex, 1, false);
        const error = Math.abs(analytic - numeric) / Math.abs(numeric);
        // Observed: below 0.05%. A gradient 2% off in any tensor fails.
        if (error > 3e-3) failures.push(`${t.name}: ${analytic} vs ${numeric}`);
        expect(Math.abs(1.02 * analytic - numeric) / Math.abs(numeric)).toBeGreaterThan(3e-3);
      }
    }
    expect(failures).toEqual([]);
  });

  it('of the WebAssembly network: scale multiplies the gradient, untrained targets give nothing', () => {
    const {lay, p, ex} = setup();
    const ws = new Workspace(lay);
    ws.setParams(p);
    const loss = ws.run(ex, 1, true);
    const g1 = Float32Array.from(ws.grad);
    const other: Example = {
      ...ex,
      tokens: Int32Array.from([258, 72, 105, 260, 99, 34, 200, 10, 260]),
    };
    expect(ws.run(other, 1, false)).not.toBe(loss);
    const masked: Example = {...ex, trained: Uint8Array.from([1, 1, 1, 1, 0, 0, 1, 1, 1])};
    expect(ws.run(masked, 1, true)).toBe(loss);
    expect(ws.grad).toEqual(g1);
    const none: Example = {...ex, trained: new Uint8Array(9), count: 0};
    expect(ws.run(none, 1, true)).toBe(0);
    expect(ws.grad.every((v) => v === 0)).toBe(true);
    // Halving is exact in binary floating point, through every linear step of the backward pass.
    ws.run(ex, 0.5, true);
    expect(ws.grad).toEqual(g1.map((v) => v / 2));
    // The same inputs give the same bytes, run after run, and whatever a thread ran before:
    // another workspace that first ran another example under other weights gives them too.
    ws.run(ex, 1, true);
    expect(ws.grad).toEqual(g1);
    const fresh = new Workspace(lay);
    const noise = new Float32Array(lay.size).map((_, i) => Math.sin(i));
    fresh.setParams(noise);
    fresh.run({...ex, tokens: Int32Array.from({length: 9}, (_, i) => 250 - i)}, 0.3, true);
    fresh.setParams(p);
    expect(fresh.run(ex, 1, true)).toBe(loss);
    expect(fresh.grad).toEqual(g1);
  });

  it('WebAssembly exp and GELU are accurate to f32 (own polynomial, no Math.exp)', () => {
    const {lay} = setup();
    const ws = new Workspace(lay);
    const f32 = new Float32Array(ws.k.memory.buffer);
    const at = ws.gBase;
    const xs = Float32Array.from({length: 403}, (_, i) => (i - 200) / 2.5);
    f32.set(xs, at / 4);
    ws.k.expInPlace(at, xs.length);
    for (let i = 0; i < xs.length; i++) {
      const x = Math.max(-80, Math.min(80, xs[i]!));
      expect(Math.abs(f32[at / 4 + i]! / Math.exp(x) - 1), `exp(${x})`).toBeLessThan(1e-6);
    }
    f32.set(xs, at / 4);
    ws.k.geluForward(at, at + 4 * 512, xs.length);
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i]!;
      const ref = 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
      expect(Math.abs(f32[at / 4 + 512 + i]! - ref), `gelu(${x})`).toBeLessThan(
        1e-6 * Math.max(1, Math.abs(x)),
      );
    }
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
