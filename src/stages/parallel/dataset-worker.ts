import {parentPort, workerData} from 'node:worker_threads';
import type {ChunkMessage, WorkerResult, WorkerSetup} from './messages.js';
import {createPreparer} from './prepare-chunk.js';

/** A dataset worker thread: prepares the chunks the main thread sends (prepare-chunk.ts). */
const preparer = createPreparer(workerData as WorkerSetup);

parentPort?.on('message', (message: ChunkMessage | {type: 'finish'}) => {
  try {
    if (message.type === 'finish') {
      const result: WorkerResult = {
        type: 'finish',
        summaries: preparer.summaries(),
      };
      parentPort?.postMessage(result);
      return;
    }
    const result = preparer.prepare(message);
    // Buffer.from may hand out a view of a shared pool: copy such a one (a Buffer's slice()
    // would not), transfer the rest.
    const lines =
      result.lines.byteLength === result.lines.buffer.byteLength
        ? result.lines
        : new Uint8Array(result.lines);
    parentPort?.postMessage({...result, lines}, [
      lines.buffer as ArrayBuffer,
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
