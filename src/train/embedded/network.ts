import type {BlockOffsets, Layout} from './model.js';
import {log} from './numerics.js';
import {instantiateKernels, type Kernels, WASM_RESERVED_BYTES} from './wasm.js';

/** One example as the network sees it: tokens and, per token, whether predicting it trains. */
export interface Example {
  readonly tokens: Int32Array;
  readonly trained: Uint8Array;
  /** How many tokens are trained (targets with trained = 1 past the first token). */
  readonly count: number;
}

/** Byte offsets of one block's activations in the kernels' memory. */
interface BlockActs {
  readonly xin: number;
  readonly ln1: number;
  readonly m1: number;
  readonly r1: number;
  readonly qkv: number;
  readonly probs: number;
  readonly att: number;
  readonly xmid: number;
  readonly ln2: number;
  readonly m2: number;
  readonly r2: number;
  readonly fc: number;
  readonly act: number;
}

/** Byte offsets of one block's transposed weight matrices (for input gradients). */
interface BlockTransposed {
  readonly wqkv: number;
  readonly wo: number;
  readonly wfc: number;
  readonly wproj: number;
}

/**
 * One thread's network: a WebAssembly kernel instance whose memory holds an f32 copy of the
 * weights (plus transposed copies of the matrices), the f32 gradient of one example, and the
 * activations and scratch of one sequence of up to n_ctx tokens. Nothing is allocated per
 * example. Activations and gradients are f32; the loss is summed in f64.
 */
export class Workspace {
  readonly lay: Layout;
  readonly k: Kernels;
  /** Base byte offsets of the weights and of the gradient (same element layout as Layout). */
  readonly pBase: number;
  readonly gBase: number;
  /** The gradient of the last runExample with a gradient (f32, layout order). */
  readonly grad: Float32Array;
  /** The weights the kernels use (f32, layout order); setParams fills them. */
  readonly params: Float32Array;
  private readonly blocks: BlockActs[] = [];
  private readonly transposed: BlockTransposed[] = [];
  private readonly wteT: number;
  private readonly xout: number;
  private readonly lnf: number;
  private readonly mf: number;
  private readonly rf: number;
  private readonly logits: number;
  private readonly stats: number;
  private readonly targets: number;
  private readonly trained: number;
  private readonly dx: number;
  private readonly dtmp: number;
  private readonly dqkv: number;
  private readonly datt: number;
  private readonly dact: number;
  private readonly dfc: number;
  private readonly dprobs: number;
  private readonly kt: number;
  private readonly f32: Float32Array;
  private readonly i32: Int32Array;

  constructor(lay: Layout) {
    this.lay = lay;
    const {n_ctx: T, d_model: d, d_ff: f, n_head: H, n_layer: L, vocab_size: V} = lay.config;
    const hd = d / H;
    let next = WASM_RESERVED_BYTES;
    // 16-byte aligned regions of n f32 (or i32) values.
    const a = (n: number) => {
      const at = next;
      next += Math.ceil((n * 4) / 16) * 16;
      return at;
    };
    this.pBase = a(lay.size);
    this.gBase = a(lay.size);
    for (let l = 0; l < L; l++) {
      this.transposed.push({wqkv: a(3 * d * d), wo: a(d * d), wfc: a(f * d), wproj: a(d * f)});
    }
    this.wteT = a(d * V);
    for (let l = 0; l < L; l++) {
      this.blocks.push({
        xin: a(T * d),
        ln1: a(T * d),
        m1: a(T),
        r1: a(T),
        qkv: a(T * 3 * d),
        probs: a(H * T * T),
        att: a(T * d),
        xmid: a(T * d),
        ln2: a(T * d),
        m2: a(T),
        r2: a(T),
        fc: a(T * f),
        act: a(T * f),
      });
    }
    this.xout = a(T * d);
    this.lnf = a(T * d);
    this.mf = a(T);
    this.rf = a(T);
    this.logits = a(T * V);
    this.stats = a(2 * T);
    this.targets = a(T);
    this.trained = a(T);
    this.dx = a(T * d);
    this.dtmp = a(T * d);
    this.dqkv = a(T * 3 * d);
    this.datt = a(T * d);
    this.dact = a(T * f);
    this.dfc = a(T * f);
    this.dprobs = a(T * T);
    this.kt = a(hd * T);
    this.k = instantiateKernels(next - WASM_RESERVED_BYTES);
    const buffer = this.k.memory.buffer;
    this.f32 = new Float32Array(buffer);
    this.i32 = new Int32Array(buffer);
    this.params = new Float32Array(buffer, this.pBase, lay.size);
    this.grad = new Float32Array(buffer, this.gBase, lay.size);
  }

  /** Copies the weights in and refreshes the transposed copies. */
  setParams(p: Float32Array): void {
    const {k, lay} = this;
    const {d_model: d, d_ff: f, vocab_size: V} = lay.config;
    this.params.set(p);
    const P = (o: number) => this.pBase + o * 4;
    lay.blocks.forEach((o, l) => {
      const t = this.transposed[l]!;
      k.transpose(P(o.wqkv), 3 * d, d, 3 * d, t.wqkv, d);
      k.transpose(P(o.wo), d, d, d, t.wo, d);
      k.transpose(P(o.wfc), f, d, f, t.wfc, d);
      k.transpose(P(o.wproj), d, f, d, t.wproj, f);
    });
    k.transpose(P(lay.wte), d, V, d, this.wteT, V);
  }

  /**
   * Forward (and, with grad, backward) of one example against the weights of the last
   * setParams: returns the sum of its trained tokens' cross-entropy (f64). With grad, `grad`
   * becomes scale * d(loss sum)/d(params) (overwritten). The example's first n_ctx + 1 tokens
   * are used (the model reads at most n_ctx).
   */
  run(ex: Example, scale: number, withGrad: boolean): number {
    const {lay, k, f32, i32} = this;
    const {d_model: d, d_ff: f, n_head: H, n_layer: L, vocab_size: V} = lay.config;
    const T = Math.min(ex.tokens.length - 1, lay.config.n_ctx);
    if (withGrad) this.grad.fill(0);
    if (T <= 0) return 0;
    const hd = d / H;
    const attScale = Math.fround(1 / Math.sqrt(hd));
    const P = (o: number) => this.pBase + o * 4;
    const G = (o: number) => this.gBase + o * 4;
    const p = this.params;
    const tokens = ex.tokens;

    // Embeddings (f32 sums).
    const x0 = (L > 0 ? this.blocks[0]!.xin : this.xout) / 4;
    for (let t = 0; t < T; t++) {
      const e = lay.wte + tokens[t]! * d;
      const q = lay.wpe + t * d;
      for (let c = 0; c < d; c++) f32[x0 + t * d + c] = p[e + c]! + p[q + c]!;
    }
    for (let l = 0; l < L; l++) {
      const o = lay.blocks[l]!;
      const b = this.blocks[l]!;
      const xnext = l + 1 < L ? this.blocks[l + 1]!.xin : this.xout;
      k.layerNormForward(b.xin, T, d, P(o.ln1g), P(o.ln1b), b.ln1, b.m1, b.r1);
      k.mm(b.ln1, d, P(o.wqkv), 3 * d, b.qkv, 3 * d, T, d, 3 * d, P(o.bqkv), 0, 0);
      for (let h = 0; h < H; h++) {
        const s = b.probs + h * T * T * 4;
        k.transpose(b.qkv + (d + h * hd) * 4, 3 * d, T, hd, this.kt, T);
        k.mm(b.qkv + h * hd * 4, 3 * d, this.kt, T, s, T, T, hd, T, 0, 0, 1);
        k.attnSoftmax(s, T, attScale);
        k.mm(s, T, b.qkv + (2 * d + h * hd) * 4, 3 * d, b.att + h * hd * 4, d, T, T, hd, 0, 0, 2);
      }
      k.mm(b.att, d, P(o.wo), d, b.xmid, d, T, d, d, P(o.bo), 0, 0);
      k.add(b.xmid, b.xin, b.xmid, T * d);
      k.layerNormForward(b.xmid, T, d, P(o.ln2g), P(o.ln2b), b.ln2, b.m2, b.r2);
      k.mm(b.ln2, d, P(o.wfc), f, b.fc, f, T, d, f, P(o.bfc), 0, 0);
      k.geluForward(b.fc, b.act, T * f);
      k.mm(b.act, f, P(o.wproj), d, xnext, d, T, f, d, P(o.bproj), 0, 0);
      k.add(xnext, b.xmid, xnext, T * d);
    }
    k.layerNormForward(this.xout, T, d, P(lay.lnfg), P(lay.lnfb), this.lnf, this.mf, this.rf);
    k.mm(this.lnf, d, this.wteT, V, this.logits, V, T, d, V, 0, 0, 0);
    const tg = this.targets / 4;
    const tr = this.trained / 4;
    for (let t = 0; t < T; t++) {
      i32[tg + t] = tokens[t + 1]!;
      i32[tr + t] = ex.trained[t + 1]!;
    }
    k.headSoftmax(this.logits, T, V, this.targets, this.trained, withGrad ? scale : 0, this.stats);
    let loss = 0;
    const st = this.stats / 4;
    for (let t = 0; t < T; t++)
      if (i32[tr + t] !== 0) loss += log(f32[st + 2 * t]!) - f32[st + 2 * t + 1]!;
    if (!withGrad) return loss;

    // Backward: dx is the gradient of the residual stream, walking down.
    const {dx, dtmp, dqkv, datt, dact, dfc, dprobs} = this;
    k.mm(this.logits, V, P(lay.wte), d, dtmp, d, T, V, d, 0, 0, 0);
    k.mmTN(this.logits, V, this.lnf, d, G(lay.wte), d, T, V, d, 0);
    f32.fill(0, dx / 4, dx / 4 + T * d);
    k.layerNormBackward(
      this.xout,
      dtmp,
      T,
      d,
      P(lay.lnfg),
      this.mf,
      this.rf,
      dx,
      G(lay.lnfg),
      G(lay.lnfb),
    );
    for (let l = L - 1; l >= 0; l--) {
      const o: BlockOffsets = lay.blocks[l]!;
      const b = this.blocks[l]!;
      const tw = this.transposed[l]!;
      // MLP: xnext = xmid + act Wproj + bproj; act = gelu(fc); fc = ln2 Wfc + bfc.
      k.mmTN(b.act, f, dx, d, G(o.wproj), d, T, f, d, 0);
      k.colSum(dx, d, G(o.bproj), T, d);
      k.mm(dx, d, tw.wproj, f, dact, f, T, d, f, 0, 0, 0);
      k.geluBackward(b.fc, dact, dfc, T * f);
      k.mmTN(b.ln2, d, dfc, f, G(o.wfc), f, T, d, f, 0);
      k.colSum(dfc, f, G(o.bfc), T, f);
      k.mm(dfc, f, tw.wfc, d, dtmp, d, T, f, d, 0, 0, 0);
      k.layerNormBackward(b.xmid, dtmp, T, d, P(o.ln2g), b.m2, b.r2, dx, G(o.ln2g), G(o.ln2b));
      // Attention: xmid = xin + att Wo + bo.
      k.mmTN(b.att, d, dx, d, G(o.wo), d, T, d, d, 0);
      k.colSum(dx, d, G(o.bo), T, d);
      k.mm(dx, d, tw.wo, d, datt, d, T, d, d, 0, 0, 0);
      f32.fill(0, dqkv / 4, dqkv / 4 + T * 3 * d);
      for (let h = 0; h < H; h++) {
        const s = b.probs + h * T * T * 4;
        const dO = datt + h * hd * 4;
        const q = h * hd * 4;
        const kk = (d + h * hd) * 4;
        const v = (2 * d + h * hd) * 4;
        k.transpose(b.qkv + v, 3 * d, T, hd, this.kt, T);
        k.mm(dO, d, this.kt, T, dprobs, T, T, hd, T, 0, 0, 1);
        k.mmTN(s, T, dO, d, dqkv + v, 3 * d, T, T, hd, 1);
        k.attnSoftmaxBackward(s, dprobs, T, attScale);
        k.mm(dprobs, T, b.qkv + kk, 3 * d, dqkv + q, 3 * d, T, T, hd, 0, 0, 2);
        k.mmTN(dprobs, T, b.qkv + q, 3 * d, dqkv + kk, 3 * d, T, T, hd, 1);
      }
      k.mmTN(b.ln1, d, dqkv, 3 * d, G(o.wqkv), 3 * d, T, d, 3 * d, 0);
      k.colSum(dqkv, 3 * d, G(o.bqkv), T, 3 * d);
      k.mm(dqkv, 3 * d, tw.wqkv, d, dtmp, d, T, 3 * d, d, 0, 0, 0);
      k.layerNormBackward(b.xin, dtmp, T, d, P(o.ln1g), b.m1, b.r1, dx, G(o.ln1g), G(o.ln1b));
    }
    const g = this.grad;
    const dx0 = dx / 4;
    for (let t = 0; t < T; t++) {
      const e = lay.wte + tokens[t]! * d;
      const q = lay.wpe + t * d;
      for (let c = 0; c < d; c++) {
        const v = f32[dx0 + t * d + c]!;
        g[e + c] = g[e + c]! + v;
        g[q + c] = g[q + c]! + v;
      }
    }
    return loss;
  }
}
