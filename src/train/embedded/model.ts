import type {ModelConfig} from './config.js';
import {Rng} from './rng.js';

/** One named tensor inside the flat parameter vector. */
export interface TensorSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly offset: number;
  readonly size: number;
  /** AdamW decays matrices and embeddings only, never LayerNorm gains or any bias. */
  readonly decay: boolean;
  /** Initialization: normal with this std, or a constant. */
  readonly init: {readonly std: number} | {readonly value: number};
}

/** Offsets of one block's tensors in the flat vector. */
export interface BlockOffsets {
  readonly ln1g: number;
  readonly ln1b: number;
  readonly wqkv: number;
  readonly bqkv: number;
  readonly wo: number;
  readonly bo: number;
  readonly ln2g: number;
  readonly ln2b: number;
  readonly wfc: number;
  readonly bfc: number;
  readonly wproj: number;
  readonly bproj: number;
}

/**
 * The parameters' layout: every tensor, in the fixed order that the flat vector, safetensors
 * files and the optimizer all follow. Matrices are [in, out] (y = x W + b). The output head is
 * tied to wte (logits = h wte^T).
 */
export interface Layout {
  readonly config: ModelConfig;
  readonly tensors: readonly TensorSpec[];
  readonly size: number;
  readonly wte: number;
  readonly wpe: number;
  readonly blocks: readonly BlockOffsets[];
  readonly lnfg: number;
  readonly lnfb: number;
}

const INIT_STD = 0.02;

export function layout(config: ModelConfig): Layout {
  const {vocab_size: V, n_ctx: T, n_layer: L, d_model: d, d_ff: f} = config;
  const tensors: TensorSpec[] = [];
  let offset = 0;
  const add = (name: string, shape: number[], decay: boolean, init: TensorSpec['init']) => {
    const size = shape.reduce((a, b) => a * b, 1);
    tensors.push({name, shape, offset, size, decay, init});
    offset += size;
    return offset - size;
  };
  // Residual projections get a smaller std so the residual stream's variance stays put (GPT-2).
  const residStd = INIT_STD / Math.sqrt(2 * L);
  const wte = add('wte', [V, d], true, {std: INIT_STD});
  const wpe = add('wpe', [T, d], true, {std: INIT_STD / 2});
  const blocks: BlockOffsets[] = [];
  for (let l = 0; l < L; l++) {
    const p = `h.${l}.`;
    blocks.push({
      ln1g: add(`${p}ln_1.weight`, [d], false, {value: 1}),
      ln1b: add(`${p}ln_1.bias`, [d], false, {value: 0}),
      wqkv: add(`${p}attn.c_attn.weight`, [d, 3 * d], true, {std: INIT_STD}),
      bqkv: add(`${p}attn.c_attn.bias`, [3 * d], false, {value: 0}),
      wo: add(`${p}attn.c_proj.weight`, [d, d], true, {std: residStd}),
      bo: add(`${p}attn.c_proj.bias`, [d], false, {value: 0}),
      ln2g: add(`${p}ln_2.weight`, [d], false, {value: 1}),
      ln2b: add(`${p}ln_2.bias`, [d], false, {value: 0}),
      wfc: add(`${p}mlp.c_fc.weight`, [d, f], true, {std: INIT_STD}),
      bfc: add(`${p}mlp.c_fc.bias`, [f], false, {value: 0}),
      wproj: add(`${p}mlp.c_proj.weight`, [f, d], true, {std: residStd}),
      bproj: add(`${p}mlp.c_proj.bias`, [d], false, {value: 0}),
    });
  }
  const lnfg = add('ln_f.weight', [d], false, {value: 1});
  const lnfb = add('ln_f.bias', [d], false, {value: 0});
  return {config, tensors, size: offset, wte, wpe, blocks, lnfg, lnfb};
}

/**
 * Fresh weights for `embedded:tiny`: a pure function of the layout and the seed. Each tensor
 * draws from its own stream (seed, "init", tensor index), so the values of one tensor do not
 * depend on the sizes of those before it.
 */
export function initParams(lay: Layout, seed: number, out: Float32Array): void {
  lay.tensors.forEach((t, index) => {
    const view = out.subarray(t.offset, t.offset + t.size);
    if ('value' in t.init) {
      view.fill(t.init.value);
      return;
    }
    const rng = new Rng(seed, 'init', index);
    for (let i = 0; i < t.size; i++) view[i] = t.init.std * rng.normal();
  });
}

/** The mask of decayed parameters, as 1/0 per element of the flat vector. */
export function decayMask(lay: Layout): Uint8Array {
  const mask = new Uint8Array(lay.size);
  for (const t of lay.tensors) if (t.decay) mask.fill(1, t.offset, t.offset + t.size);
  return mask;
}
