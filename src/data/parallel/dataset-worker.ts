import {parentPort, workerData} from 'node:worker_threads';
import type {
  ChunkMessage,
  ChunkResult,
  RecycleMessage,
  WorkerResult,
  WorkerSetup,
} from './messages.js';
import {createPreparer} from './prepare-chunk.js';

/** A dataset worker thread: prepares the chunks the main thread sends (prepare-chunk.ts). */
const preparer = createPreparer(workerData as WorkerSetup);

parentPort?.on('message', (message: ChunkMessage | RecycleMessage | {type: 'finish'}) => {
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
