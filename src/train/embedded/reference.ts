import {attentionBackward, attentionForward} from './attention.js';
import {geluBackward, geluForward, headLoss} from './head.js';
import {layerNormBackward, layerNormForward, linearBackward, linearForward} from './layers.js';
import type {Layout} from './model.js';
import type {Example} from './network.js';

/**
 * The f64 reference network: the same model as network.ts (which trains, in f32 WebAssembly),
 * written plainly in JS with f64 activations and gradients. It is not used for training; the
 * tests check it against finite differences, then check the WebAssembly network against it
 * tensor by tensor. Its kernels (layers.ts, attention.ts, head.ts) also serve generate.ts.
 */

/** The activations of one sequence and the backward pass's scratch, sized for the context. */
export class Workspace {
  readonly xin: Float64Array[] = [];
  readonly ln1: Float64Array[] = [];
  readonly m1: Float64Array[] = [];
  readonly r1: Float64Array[] = [];
  readonly qkv: Float64Array[] = [];
  readonly probs: Float64Array[] = [];
  readonly att: Float64Array[] = [];
  readonly xmid: Float64Array[] = [];
  readonly ln2: Float64Array[] = [];
  readonly m2: Float64Array[] = [];
  readonly r2: Float64Array[] = [];
  readonly fc: Float64Array[] = [];
  readonly act: Float64Array[] = [];
  readonly xout: Float64Array;
  readonly lnf: Float64Array;
  readonly mf: Float64Array;
  readonly rf: Float64Array;
  readonly dx: Float64Array;
  readonly dtmp: Float64Array;
  readonly dqkv: Float64Array;
  readonly datt: Float64Array;
  readonly dact: Float64Array;
  readonly dfc: Float64Array;
  readonly scratch: Float64Array;
  readonly logits: Float64Array;

  constructor(lay: Layout) {
    const {n_ctx: T, d_model: d, d_ff: f, n_head: H, n_layer: L, vocab_size: V} = lay.config;
    const a = (n: number) => new Float64Array(n);
    for (let l = 0; l < L; l++) {
      this.xin.push(a(T * d));
      this.ln1.push(a(T * d));
      this.m1.push(a(T));
      this.r1.push(a(T));
      this.qkv.push(a(T * 3 * d));
      this.probs.push(a(H * T * T));
      this.att.push(a(T * d));
      this.xmid.push(a(T * d));
      this.ln2.push(a(T * d));
      this.m2.push(a(T));
      this.r2.push(a(T));
      this.fc.push(a(T * f));
      this.act.push(a(T * f));
    }
    this.xout = a(T * d);
    this.lnf = a(T * d);
    this.mf = a(T);
    this.rf = a(T);
    this.dx = a(T * d);
    this.dtmp = a(T * d);
    this.dqkv = a(T * 3 * d);
    this.datt = a(T * d);
    this.dact = a(T * f);
    this.dfc = a(T * f);
    this.scratch = a(T);
    this.logits = a(V);
  }
}

/**
 * Forward (and, with g, backward) of one example: returns the sum of its trained tokens'
 * cross-entropy. With g, ADDS scale * d(loss sum)/d(params) into g (same offsets as p). The
 * example's first n_ctx + 1 tokens are used (the model reads at most n_ctx).
 */
export function runExample(
  lay: Layout,
  p: Float32Array,
  ex: Example,
  scale: number,
  g: Float64Array | null,
  ws: Workspace,
): number {
  const {d_model: d, d_ff: f, n_head: H, n_layer: L, vocab_size: V} = lay.config;
  const T = Math.min(ex.tokens.length - 1, lay.config.n_ctx);
  if (T <= 0) return 0;
  const inputs = ex.tokens;
  const targets = ex.tokens.subarray(1, T + 1);
  const trained = ex.trained.subarray(1, T + 1);

  // Embeddings.
  const x0 = L > 0 ? ws.xin[0]! : ws.xout;
  for (let t = 0; t < T; t++) {
    const e = lay.wte + inputs[t]! * d;
    const q = lay.wpe + t * d;
    for (let c = 0; c < d; c++) x0[t * d + c] = p[e + c]! + p[q + c]!;
  }
  // Blocks.
  for (let l = 0; l < L; l++) {
    const o = lay.blocks[l]!;
    const xin = ws.xin[l]!;
    const xmid = ws.xmid[l]!;
    const xnext = l + 1 < L ? ws.xin[l + 1]! : ws.xout;
    layerNormForward(xin, T, d, p, o.ln1g, o.ln1b, ws.ln1[l]!, ws.m1[l]!, ws.r1[l]!);
    linearForward(ws.ln1[l]!, T, d, p, o.wqkv, o.bqkv, 3 * d, ws.qkv[l]!);
    attentionForward(ws.qkv[l]!, T, d, H, ws.probs[l]!, ws.att[l]!);
    linearForward(ws.att[l]!, T, d, p, o.wo, o.bo, d, xmid);
    for (let i = 0; i < T * d; i++) xmid[i] = xmid[i]! + xin[i]!;
    layerNormForward(xmid, T, d, p, o.ln2g, o.ln2b, ws.ln2[l]!, ws.m2[l]!, ws.r2[l]!);
    linearForward(ws.ln2[l]!, T, d, p, o.wfc, o.bfc, f, ws.fc[l]!);
    geluForward(ws.fc[l]!, T * f, ws.act[l]!);
    linearForward(ws.act[l]!, T, f, p, o.wproj, o.bproj, d, xnext);
    for (let i = 0; i < T * d; i++) xnext[i] = xnext[i]! + xmid[i]!;
  }
  layerNormForward(ws.xout, T, d, p, lay.lnfg, lay.lnfb, ws.lnf, ws.mf, ws.rf);
  const dlnf = g === null ? null : ws.dtmp;
  const loss = headLoss(ws.lnf, T, d, V, p, lay.wte, targets, trained, scale, dlnf, g, ws.logits);
  if (g === null) return loss;

  // Backward. dx is the gradient of the residual stream, walking down.
  const dx = ws.dx;
  dx.fill(0, 0, T * d);
  layerNormBackward(ws.xout, ws.dtmp, T, d, p, lay.lnfg, lay.lnfb, ws.mf, ws.rf, dx, g);
  for (let l = L - 1; l >= 0; l--) {
    const o = lay.blocks[l]!;
    linearBackward(ws.act[l]!, dx, T, f, p, o.wproj, o.bproj, d, ws.dact, g);
    geluBackward(ws.fc[l]!, ws.dact, T * f, ws.dfc);
    linearBackward(ws.ln2[l]!, ws.dfc, T, d, p, o.wfc, o.bfc, f, ws.dtmp, g);
    layerNormBackward(ws.xmid[l]!, ws.dtmp, T, d, p, o.ln2g, o.ln2b, ws.m2[l]!, ws.r2[l]!, dx, g);
    linearBackward(ws.att[l]!, dx, T, d, p, o.wo, o.bo, d, ws.datt, g);
    attentionBackward(ws.qkv[l]!, ws.probs[l]!, ws.datt, T, d, H, ws.dqkv, ws.scratch);
    linearBackward(ws.ln1[l]!, ws.dqkv, T, d, p, o.wqkv, o.bqkv, 3 * d, ws.dtmp, g);
    layerNormBackward(ws.xin[l]!, ws.dtmp, T, d, p, o.ln1g, o.ln1b, ws.m1[l]!, ws.r1[l]!, dx, g);
  }
  for (let t = 0; t < T; t++) {
    const e = lay.wte + inputs[t]! * d;
    const q = lay.wpe + t * d;
    for (let c = 0; c < d; c++) {
      const v = dx[t * d + c]!;
      g[e + c] = g[e + c]! + v;
      g[q + c] = g[q + c]! + v;
    }
  }
  return loss;
}
