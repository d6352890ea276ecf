import {parentPort, workerData} from 'node:worker_threads';
import type {ModelConfig} from './config.js';
import {layout} from './model.js';
import {Workspace} from './network.js';
import {runTask} from './pool.js';

/** A worker thread of ExamplePool: runs the tasks it is sent against the shared buffers. */
const data = workerData as {
  config: ModelConfig;
  params: SharedArrayBuffer;
  grads: SharedArrayBuffer;
  slots: number;
};
const lay = layout(data.config);
const P = lay.size;
const params = new Float32Array(data.params);
const slots = Array.from(
  {length: data.slots},
  (_, k) => new Float64Array(data.grads, k * P * 8, P),
);
const ws = new Workspace(lay);

parentPort!.on(
  'message',
  (msg: {
    i: number;
    slot: number;
    scale: number;
    tokens: Int32Array;
    trained: Uint8Array;
    count: number;
  }) => {
    const example = {tokens: msg.tokens, trained: msg.trained, count: msg.count};
    const loss = runTask(lay, params, slots, {example, slot: msg.slot, scale: msg.scale}, ws);
    parentPort!.postMessage({i: msg.i, loss});
  },
);
