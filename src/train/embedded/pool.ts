import {Worker} from 'node:worker_threads';
import type {ModelConfig} from './config.js';
import {type Layout, layout} from './model.js';
import {type Example, runExample, Workspace} from './network.js';

/**
 * Runs examples' forward/backward passes, in this thread or in worker threads sharing the
 * weights and gradient slots through SharedArrayBuffers. The partition is fixed by the data, not
 * by the threads: example k of a batch always writes its own slot k from a zeroed buffer with the
 * same sequential code, and the caller sums slots in order, so any thread count gives the same
 * bytes. Which thread runs which example is first-come, first-served.
 */
export interface Task {
  readonly example: Example;
  /** The gradient slot to write (train), or -1 for a forward pass only (evaluation). */
  readonly slot: number;
  readonly scale: number;
}

export class ExamplePool {
  readonly lay: Layout;
  /** The weights, shared with the workers (the caller updates them between batches). */
  readonly params: Float32Array;
  private readonly slots: Float64Array[];
  private readonly workers: Worker[] = [];
  private readonly ws: Workspace | undefined;

  constructor(config: ModelConfig, maxSlots: number, threads: number) {
    this.lay = layout(config);
    const P = this.lay.size;
    this.params = new Float32Array(new SharedArrayBuffer(P * 4));
    const gradBuffer = new SharedArrayBuffer(P * 8 * maxSlots);
    this.slots = Array.from(
      {length: maxSlots},
      (_, k) => new Float64Array(gradBuffer, k * P * 8, P),
    );
    if (threads <= 1) {
      this.ws = new Workspace(this.lay);
      return;
    }
    for (let i = 0; i < threads; i++) {
      const worker = new Worker(new URL('./worker.js', import.meta.url), {
        workerData: {config, params: this.params.buffer, grads: gradBuffer, slots: maxSlots},
      });
      this.workers.push(worker);
    }
  }

  /** A slot's gradient (valid after run). */
  slot(k: number): Float64Array {
    return this.slots[k]!;
  }

  /** Runs the tasks; returns each one's loss sum, in task order. */
  async run(tasks: readonly Task[]): Promise<number[]> {
    const losses = new Array<number>(tasks.length).fill(0);
    if (this.ws !== undefined) {
      tasks.forEach((t, i) => {
        losses[i] = runTask(this.lay, this.params, this.slots, t, this.ws!);
      });
      return losses;
    }
    let next = 0;
    const drive = (worker: Worker) =>
      new Promise<void>((resolve, reject) => {
        const send = () => {
          if (next >= tasks.length) {
            worker.off('message', onMessage);
            worker.off('error', reject);
            resolve();
            return;
          }
          const i = next++;
          const t = tasks[i]!;
          worker.postMessage({
            i,
            slot: t.slot,
            scale: t.scale,
            tokens: t.example.tokens,
            trained: t.example.trained,
            count: t.example.count,
          });
        };
        const onMessage = (msg: {i: number; loss: number}) => {
          losses[msg.i] = msg.loss;
          send();
        };
        worker.on('message', onMessage);
        worker.once('error', reject);
        send();
      });
    await Promise.all(this.workers.map(drive));
    return losses;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** One task in the current thread: zero its slot, run the example into it. */
export function runTask(
  lay: Layout,
  params: Float32Array,
  slots: Float64Array[],
  t: Task,
  ws: Workspace,
): number {
  if (t.slot < 0) return runExample(lay, params, t.example, 0, null, ws);
  const g = slots[t.slot]!;
  g.fill(0);
  return runExample(lay, params, t.example, t.scale, g, ws);
}
