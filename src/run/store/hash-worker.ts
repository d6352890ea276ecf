import {parentPort} from 'node:worker_threads';
import {hashFile} from './hash-file.js';

/** Runs in a worker thread: hashes the files it is sent, one at a time. */
parentPort?.on('message', (message: {id: number; path: string}) => {
  hashFile(message.path).then(
    (result) => parentPort?.postMessage({id: message.id, ...result}),
    (error: unknown) =>
      parentPort?.postMessage({id: message.id, error: (error as Error)?.message ?? String(error)}),
  );
});
