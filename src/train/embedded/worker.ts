import {parentPort, workerData} from 'node:worker_threads';
import {type Job, Shared, type SharedState} from './pool.js';

/** A worker thread of ExamplePool: runs the jobs it is sent against the shared buffers. */
const shared = new Shared(workerData as SharedState);

parentPort!.on('message', (msg: {i: number; job: Job}) => {
  parentPort!.postMessage({i: msg.i, result: shared.job(msg.job)});
});
