import {Worker} from 'node:worker_threads';
import type {ModelConfig} from './config.js';
import {decayMask, type Layout, layout} from './model.js';
import {type Example, Workspace} from './network.js';
import {adamwRange, clipFactor, sumSlotsRange} from './optimizer.js';

/**
 * Runs examples' forward/backward passes and the optimizer step, in this thread or in worker
 * threads sharing the weights, gradient slots, summed gradient and AdamW moments through
 * SharedArrayBuffers. Every partition is fixed by the data and the model, never by the threads:
 * example k of a batch always writes its own slot k with the same sequential code; the slots are
 * summed in order over fixed ranges of CHUNK parameters; the gradient norm adds the ranges' sums
 * of squares in range order; AdamW is elementwise. So any thread count gives the same bytes.
 * Which thread runs which example or range is first-come, first-served.
 */
export interface Task {
  readonly example: Example;
  /** The gradient slot to write (train), or -1 for a forward pass only (evaluation). */
  readonly slot: number;
  readonly scale: number;
}

/** Parameters per range of the slot sum, the norm and the AdamW update. Part of the numerics. */
export const CHUNK = 16384;

/** The shared memory both the pool and its workers view. */
export interface SharedState {
  readonly config: ModelConfig;
  readonly slots: number;
  readonly params: SharedArrayBuffer;
  readonly grads: SharedArrayBuffer;
  readonly sum: SharedArrayBuffer;
  readonly m: SharedArrayBuffer;
  readonly v: SharedArrayBuffer;
  readonly decay: SharedArrayBuffer;
}

/** Typed views of SharedState, and the code that runs one job on them (in any thread). */
export class Shared {
  readonly lay: Layout;
  readonly params: Float32Array;
  readonly slots: Float32Array[];
  readonly grad: Float64Array;
  readonly m: Float64Array;
  readonly v: Float64Array;
  readonly decay: Uint8Array;
  private ws: Workspace | undefined;
  private version = -1;

  constructor(readonly state: SharedState) {
    this.lay = layout(state.config);
    const P = this.lay.size;
    this.params = new Float32Array(state.params);
    this.slots = Array.from(
      {length: state.slots},
      (_, k) => new Float32Array(state.grads, k * P * 4, P),
    );
    this.grad = new Float64Array(state.sum);
    this.m = new Float64Array(state.m);
    this.v = new Float64Array(state.v);
    this.decay = new Uint8Array(state.decay);
  }

  /** Runs one job; returns its number (an example's loss sum, a range's sum of squares). */
  job(j: Job): number {
    switch (j.type) {
      case 'example': {
        this.ws ??= new Workspace(this.lay);
        if (this.version !== j.version) {
          this.ws.setParams(this.params);
          this.version = j.version;
        }
        const example = {tokens: j.tokens, trained: j.trained, count: j.count};
        const loss = this.ws.run(example, j.scale, j.slot >= 0);
        if (j.slot >= 0) this.slots[j.slot]!.set(this.ws.grad);
        return loss;
      }
      case 'sum': {
        const [from, to] = range(j.chunk, this.lay.size);
        return sumSlotsRange(this.slots, j.n, this.grad, from, to);
      }
      case 'adamw': {
        const [from, to] = range(j.chunk, this.lay.size);
        adamwRange(
          this.params,
          this.grad,
          this.m,
          this.v,
          this.decay,
          from,
          to,
          j.step,
          j.lr,
          j.weightDecay,
          j.factor,
        );
        return 0;
      }
    }
  }
}

const range = (chunk: number, size: number) =>
  [chunk * CHUNK, Math.min(size, (chunk + 1) * CHUNK)] as const;

export type Job =
  | {
      readonly type: 'example';
      /** The weights' version: a thread copies them into its kernels when it changes. */
      readonly version: number;
      readonly slot: number;
      readonly scale: number;
      readonly tokens: Int32Array;
      readonly trained: Uint8Array;
      readonly count: number;
    }
  | {readonly type: 'sum'; readonly chunk: number; readonly n: number}
  | {
      readonly type: 'adamw';
      readonly chunk: number;
      readonly step: number;
      readonly lr: number;
      readonly weightDecay: number;
      readonly factor: number;
    };

export class ExamplePool {
  readonly lay: Layout;
  /** The weights, shared with the workers (updated by `update`, or by the caller between runs). */
  readonly params: Float32Array;
  /** AdamW's moments (shared). */
  readonly m: Float64Array;
  readonly v: Float64Array;
  private readonly shared: Shared;
  private readonly workers: Worker[] = [];
  private readonly chunks: number;
  private version = 0;

  constructor(config: ModelConfig, maxSlots: number, threads: number) {
    const lay = layout(config);
    const P = lay.size;
    const state: SharedState = {
      config,
      slots: maxSlots,
      params: new SharedArrayBuffer(P * 4),
      grads: new SharedArrayBuffer(P * 4 * maxSlots),
      sum: new SharedArrayBuffer(P * 8),
      m: new SharedArrayBuffer(P * 8),
      v: new SharedArrayBuffer(P * 8),
      decay: new SharedArrayBuffer(P),
    };
    this.shared = new Shared(state);
    this.shared.decay.set(decayMask(lay));
    this.lay = lay;
    this.params = this.shared.params;
    this.m = this.shared.m;
    this.v = this.shared.v;
    this.chunks = Math.ceil(P / CHUNK);
    if (threads <= 1) return;
    for (let i = 0; i < threads; i++) {
      this.workers.push(new Worker(new URL('./worker.js', import.meta.url), {workerData: state}));
    }
  }

  /** Runs the tasks against the current weights; returns each one's loss sum, in task order. */
  async run(tasks: readonly Task[]): Promise<number[]> {
    const version = ++this.version;
    return this.jobs(
      tasks.map((t) => ({
        type: 'example',
        version,
        slot: t.slot,
        scale: t.scale,
        tokens: t.example.tokens,
        trained: t.example.trained,
        count: t.example.count,
      })),
    );
  }

  /**
   * The optimizer step after `run` filled slots 0..n-1: sums them (in slot order), clips the
   * sum to maxNorm (0: no clipping) and applies AdamW step `step` (1-based). Returns the norm.
   */
  async update(
    n: number,
    step: number,
    lr: number,
    weightDecay: number,
    maxNorm: number,
  ): Promise<number> {
    const ids = Array.from({length: this.chunks}, (_, chunk) => chunk);
    const squares = await this.jobs(ids.map((chunk) => ({type: 'sum', chunk, n})));
    let sq = 0;
    for (const s of squares) sq += s;
    const norm = Math.sqrt(sq);
    const factor = clipFactor(norm, maxNorm);
    await this.jobs(ids.map((chunk) => ({type: 'adamw', chunk, step, lr, weightDecay, factor})));
    return norm;
  }

  /** Runs jobs here or on the workers (first come, first served); results in job order. */
  private async jobs(list: readonly Job[]): Promise<number[]> {
    const results = new Array<number>(list.length).fill(0);
    if (this.workers.length === 0) {
      list.forEach((j, i) => {
        results[i] = this.shared.job(j);
      });
      return results;
    }
    let next = 0;
    const drive = (worker: Worker) =>
      new Promise<void>((resolve, reject) => {
        const send = () => {
          if (next >= list.length) {
            worker.off('message', onMessage);
            worker.off('error', reject);
            resolve();
            return;
          }
          const i = next++;
          worker.postMessage({i, job: list[i]!});
        };
        const onMessage = (msg: {i: number; result: number}) => {
          results[msg.i] = msg.result;
          send();
        };
        worker.on('message', onMessage);
        worker.once('error', reject);
        send();
      });
    await Promise.all(this.workers.map(drive));
    return results;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
