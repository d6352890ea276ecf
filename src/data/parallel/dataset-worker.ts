import {parentPort, workerData} from 'node:worker_threads';
import type {
  ChunkMessage,
  ChunkResult,
  RecycleMessage,
  SetupMessage,
  WorkerResult,
  WorkerSetup,
} from './messages.js';
import {createPreparer} from './prepare-chunk.js';

/**
 * A dataset worker thread: prepares the chunks the main thread sends (prepare-chunk.ts). Its
 * setup comes as its workerData, or, for a worker started ahead (run-parallel.ts
 * prestartWorkers), as its first message.
 */
let preparer = workerData ? createPreparer(workerData as WorkerSetup) : undefined;

type Message = ChunkMessage | RecycleMessage | SetupMessage | {type: 'finish'};

parentPort?.on('message', (message: Message) => {
  if (message.type === 'setup') {
    preparer = createPreparer(message.setup);
    return;
  }
  if (!preparer) throw new Error('a dataset worker got work before its setup');
  if (message.type === 'recycle') {
    preparer.recycle(message.buffers);
    return;
  }
  try {
    if (message.type === 'finish') {
      const result: WorkerResult = {
        type: 'finish',
        summaries: preparer.summaries(),
        suffix: preparer.suffixSummaries(),
      };
      parentPort?.postMessage(result);
      return;
    }
    const prepared = preparer.prepare(message);
    // The input is done with (nothing made from it points into it): it goes back to be reused.
    const input = message.bytes.buffer as ArrayBuffer;
    const result: ChunkResult = {...prepared, input};
    // The lines are a view of a buffer of their own (never Node's shared pool): it goes whole.
    parentPort?.postMessage(result, [
      input,
      result.lines.buffer as ArrayBuffer,
      result.ids.buffer as ArrayBuffer,
      result.lengths.buffer as ArrayBuffer,
      result.splits.buffer as ArrayBuffer,
      result.keys.buffer as ArrayBuffer,
    ]);
  } catch (e) {
    const err = e as Error;
    parentPort?.postMessage({
      type: 'failed',
      ...(message.type === 'chunk' ? {seq: message.seq} : {}),
      message: err?.message ?? String(e),
      ...(err?.stack ? {stack: err.stack} : {}),
    } satisfies WorkerResult);
  }
});
