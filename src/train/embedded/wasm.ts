import {compileWasm, instantiateWasm, type WasmMemory} from '../../core/webassembly.js';

/**
 * The WebAssembly kernels (wasm/kernels.ts, built into dist/train/embedded/kernels.wasm by
 * `npm run build`). Pointers are byte offsets into the instance's memory; see wasm/kernels.ts
 * for each function's contract.
 */
export interface Kernels {
  readonly memory: WasmMemory;
  mm(
    x: number,
    ldx: number,
    w: number,
    ldw: number,
    y: number,
    ldy: number,
    T: number,
    K: number,
    N: number,
    bias: number,
    acc: number,
    causal: number,
  ): void;
  mmTN(
    x: number,
    ldx: number,
    dy: number,
    lddy: number,
    o: number,
    ldo: number,
    T: number,
    K: number,
    N: number,
    causal: number,
  ): void;
  colSum(dy: number, lddy: number, o: number, T: number, N: number): void;
  transpose(src: number, lds: number, R: number, C: number, dst: number, ldd: number): void;
  add(a: number, b: number, out: number, n: number): void;
  expInPlace(p: number, n: number): void;
  geluForward(x: number, y: number, n: number): void;
  geluBackward(x: number, dy: number, dx: number, n: number): void;
  layerNormForward(
    x: number,
    T: number,
    d: number,
    gain: number,
    bias: number,
    y: number,
    mean: number,
    rstd: number,
  ): void;
  layerNormBackward(
    x: number,
    dy: number,
    T: number,
    d: number,
    gain: number,
    mean: number,
    rstd: number,
    dx: number,
    gGain: number,
    gBias: number,
  ): void;
  attnSoftmax(s: number, T: number, scale: number): void;
  attnSoftmaxBackward(p: number, dp: number, T: number, scale: number): void;
  headSoftmax(
    logits: number,
    T: number,
    V: number,
    targets: number,
    trained: number,
    scale: number,
    stats: number,
  ): void;
}

let compiled: object | undefined;

/** The module: next to this file in dist/, or in dist/ when running from src/. */
function kernelsModule(): object {
  compiled ??= compileWasm([
    new URL('./kernels.wasm', import.meta.url),
    new URL('../../../dist/train/embedded/kernels.wasm', import.meta.url),
  ]);
  if (!compiled) throw new Error('kernels.wasm is missing: run `npm run build`');
  return compiled;
}

/** The low memory the module's own static data may use; the host's regions start above it. */
export const WASM_RESERVED_BYTES = 65536;

/** A fresh instance whose memory has at least `bytes` bytes above the reserved low memory. */
export function instantiateKernels(bytes: number): Kernels {
  const k = instantiateWasm<Kernels>(kernelsModule(), {
    env: {
      abort: () => {
        throw new Error('kernels.wasm aborted');
      },
    },
  });
  const need = Math.ceil((WASM_RESERVED_BYTES + bytes) / 65536);
  const have = k.memory.buffer.byteLength / 65536;
  // 32-bit WebAssembly addresses at most 4 GiB (65536 pages).
  if (need > 65536) {
    throw new Error(
      `the model needs ${Math.ceil(bytes / 2 ** 20)} MiB of working memory per thread; the embedded trainer's kernels address at most 4 GiB (use a smaller model or a shorter max_seq_len)`,
    );
  }
  if (need > have) k.memory.grow(need - have);
  return k;
}
