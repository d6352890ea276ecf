import {existsSync, statSync} from 'node:fs';
import {availableParallelism} from 'node:os';
import {fileURLToPath} from 'node:url';
import {Worker} from 'node:worker_threads';
import type {Sha256} from '../../core/hash.js';
import {hashFile} from './hash-file.js';

/** Below this, starting a worker costs more than hashing on the main thread. */
const WORKER_THRESHOLD = 32 * 1024 * 1024;

interface Job {
  readonly path: string;
  readonly resolve: (r: {hash: Sha256; size: number}) => void;
  readonly reject: (e: Error) => void;
}

/**
 * Hashes big files on worker threads, one file per core at a time, so a cold build over many
 * large sources uses every core (OpenSSL's sha256 is single-threaded per file). Small files,
 * and runs from source without a compiled worker, hash on the main thread.
 */
export class HashPool {
  readonly #workerUrl = new URL('./hash-worker.js', import.meta.url);
  readonly #idle: Worker[] = [];
  readonly #queue: Job[] = [];
  readonly #jobs = new Map<number, Job>();
  readonly #busy = new Map<Worker, number>();
  #workers = 0;
  #nextId = 0;
  readonly #max = Math.max(1, Math.min(availableParallelism(), 8));

  /** Whether the compiled worker exists (not when running from source); checked once. */
  #haveWorker: boolean | undefined;

  /** `sizeHint`: the file's size from a stat the caller made (saves one); see hashFile. */
  hash(path: string, sizeHint?: number): Promise<{hash: Sha256; size: number}> {
    const size = sizeHint ?? statSync(path).size;
    this.#haveWorker ??= existsSync(fileURLToPath(this.#workerUrl));
    if (size < WORKER_THRESHOLD || !this.#haveWorker) return hashFile(path, size);
    return new Promise((resolve, reject) => {
      this.#queue.push({path, resolve, reject});
      this.#dispatch();
    });
  }

  /** Stops the workers (they would otherwise keep the process alive). */
  async close(): Promise<void> {
    clearTimeout(this.#retireTimer);
    const all = [...this.#idle, ...this.#busy.keys()];
    this.#idle.length = 0;
    await Promise.all(all.map((w) => w.terminate()));
  }

  #dispatch(): void {
    if (this.#queue.length === 0 && this.#busy.size === 0) this.#retireSoon();
    while (this.#queue.length > 0) {
      let worker = this.#idle.pop();
      if (!worker && this.#workers < this.#max) worker = this.#spawn();
      if (!worker) return;
      const job = this.#queue.shift()!;
      const id = this.#nextId++;
      this.#jobs.set(id, job);
      this.#busy.set(worker, id);
      worker.postMessage({id, path: job.path});
    }
  }

  #retireTimer: NodeJS.Timeout | undefined;

  /**
   * Idle workers hold memory (their own heap, two read buffers) that the stages after hashing
   * need more: stop them when no hashing is left, soon after the last job.
   */
  #retireSoon(): void {
    clearTimeout(this.#retireTimer);
    this.#retireTimer = setTimeout(() => {
      if (this.#queue.length > 0 || this.#busy.size > 0) return;
      for (const worker of this.#idle.splice(0)) {
        this.#workers--;
        void worker.terminate();
      }
    }, 100);
    this.#retireTimer.unref();
  }

  #spawn(): Worker {
    const worker = new Worker(this.#workerUrl);
    this.#workers++;
    worker.on('message', (m: {id: number; hash?: Sha256; size?: number; error?: string}) => {
      const job = this.#jobs.get(m.id);
      this.#jobs.delete(m.id);
      this.#busy.delete(worker);
      this.#idle.push(worker);
      if (m.error !== undefined) job?.reject(new Error(m.error));
      else job?.resolve({hash: m.hash!, size: m.size!});
      this.#dispatch();
    });
    worker.on('error', (e) => {
      const id = this.#busy.get(worker);
      if (id !== undefined) this.#jobs.get(id)?.reject(e);
      this.#busy.delete(worker);
      this.#workers--;
      this.#dispatch();
    });
    return worker;
  }
}
