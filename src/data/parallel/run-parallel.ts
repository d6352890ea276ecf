import {existsSync} from 'node:fs';
import {availableParallelism} from 'node:os';
import {fileURLToPath} from 'node:url';
import {setFlagsFromString} from 'node:v8';
import {Worker} from 'node:worker_threads';
import {readBytes, type SourceBytes} from '../records/byte-source.js';
import {DataProblems} from '../records/data-error.js';
import type {SplitName} from '../records/example.js';
import {lineTooLong, originOf, type RecordOrigin} from '../records/parse-jsonl.js';
import type {SplitWriter} from '../records/split-writer.js';
import {maxTextBytes, wholeLines} from '../records/whole-lines.js';
import type {TransformSummary} from '../transforms/transform.js';
import type {
  ChunkMessage,
  ChunkResult,
  RecycleMessage,
  SetupMessage,
  WorkerResult,
  WorkerSetup,
} from './messages.js';
import type {ParallelPlan} from './parallel-plan.js';
import {createPreparer} from './prepare-chunk.js';
import {SuffixDecisions} from './suffix-decisions.js';

/** Lines are sent to workers in chunks of about this size. */
const CHUNK_BYTES = 1024 * 1024;
/** A chunk this large holds an enormous line: it is prepared on the main thread instead. */
const OVERSIZED_CHUNK_BYTES = 8 * 1024 * 1024;
/** The size of a new chunk buffer: a chunk is CHUNK_BYTES and a bit (the line it ends in). */
const SPARE_BYTES = CHUNK_BYTES + 256 * 1024;
/**
 * Chunk buffers kept for the next chunks: as many as two workers have in flight (a third comes
 * while one is cut); more workers make the rest as they need them.
 */
const MAX_SPARE = 8;
/**
 * Chunks sent to each worker and not yet taken back: one being prepared, the rest queued, so that
 * a worker finds its next chunk waiting even when the main thread (sharing the cores with the
 * workers) is not scheduled for a few milliseconds. With two, the workers of a two-core machine
 * waited for chunks for 5-15% of the stage.
 */
const IN_FLIGHT_PER_WORKER = 4;
/** Below this much input, starting workers costs more than it saves. */
const PARALLEL_MIN_BYTES = 4 * 1024 * 1024;

const workerUrl = new URL('./dataset-worker.js', import.meta.url);

/** The cap on each worker's young generation. */
const YOUNG_GENERATION_MB = 16;

/**
 * Makes workers whose young generation starts at its cap instead of growing to it as the
 * collector sees fit: their memory is then the same from the first chunk on, for a small input
 * as for a large one (grown, it came a few seconds in: peak memory rose with the input's size).
 * V8 reads the size when a worker's heap is made: its flag is set for that (the cap clamps it)
 * and set back to its default once every worker has started, or failed to.
 */
function withYoungGenerationAtCap(make: () => Worker[]): Worker[] {
  setFlagsFromString(`--min-semi-space-size=${YOUNG_GENERATION_MB}`);
  let pool: Worker[];
  try {
    pool = make();
  } catch (e) {
    setFlagsFromString('--min-semi-space-size=0');
    throw e;
  }
  let starting = pool.length;
  if (starting === 0) setFlagsFromString('--min-semi-space-size=0');
  for (const worker of pool) {
    let started = false;
    const done = () => {
      if (started) return;
      started = true;
      if (--starting === 0) setFlagsFromString('--min-semi-space-size=0');
    };
    worker.once('online', done);
    worker.once('error', done);
    worker.once('exit', done);
  }
  return pool;
}

/** The options every dataset worker is made with. */
function newWorker(setup?: WorkerSetup): Worker {
  return new Worker(workerUrl, {
    ...(setup ? {workerData: setup} : {}),
    // Small generations keep each worker's memory flat: its objects die young, and a chunk's
    // live set is a few megabytes. A chunk that needs more (one huge line) makes the worker run
    // out, and the stage falls back to the single-threaded path (WorkersOutOfMemory).
    resourceLimits: {
      maxYoungGenerationSizeMb: YOUNG_GENERATION_MB,
      maxOldGenerationSizeMb: 64,
    },
  });
}

/**
 * Workers started ahead of the stage (prestartWorkers), waiting for their setup, each with what
 * drops it from the list when it fails or exits first.
 */
let prestarted: {worker: Worker; drop: () => void}[] = [];
/** How long started workers wait for a stage to take them before they go. */
const PRESTARTED_MS = 20_000;

/**
 * Starts `count` workers now, for a dataset stage that will most likely run soon (warm-up.ts):
 * they boot while the build hashes the sources, and runParallel takes them. They never keep the
 * process alive, and go by themselves when no stage takes them in PRESTARTED_MS.
 */
export function prestartWorkers(count: number): void {
  if (count === 0 || prestarted.length > 0) return;
  const pool = withYoungGenerationAtCap(() => Array.from({length: count}, () => newWorker()));
  prestarted = pool.map((worker) => {
    worker.unref();
    // One that fails or exits before it is taken is not taken.
    const drop = () => {
      prestarted = prestarted.filter((p) => p.worker !== worker);
    };
    worker.once('error', drop);
    worker.once('exit', drop);
    return {worker, drop};
  });
  setTimeout(() => {
    for (const {worker} of prestarted.splice(0)) void worker.terminate();
  }, PRESTARTED_MS).unref();
}

/** `count` workers for `setup`: those started ahead first (`ahead` of them), then new ones. */
function workersFor(count: number, setup: WorkerSetup): {pool: Worker[]; ahead: number} {
  const taken = prestarted.splice(0, count).map(({worker, drop}) => {
    worker.off('error', drop);
    worker.off('exit', drop);
    worker.ref();
    worker.postMessage({type: 'setup', setup} satisfies SetupMessage);
    return worker;
  });
  for (const {worker} of prestarted.splice(0)) void worker.terminate();
  const more = count - taken.length;
  const pool = [
    ...taken,
    ...(more > 0
      ? withYoungGenerationAtCap(() => Array.from({length: more}, () => newWorker(setup)))
      : []),
  ];
  return {pool, ahead: taken.length};
}

/** One JSONL file to read (compressed or not). */
export interface ParallelFile extends SourceBytes {
  readonly source: string;
  readonly size: number;
}

/**
 * How many worker threads the dataset stage uses for `bytes` of input: FT_WORKERS when set (0:
 * none), else one per core for inputs large enough to be worth it. Also 0 when the compiled
 * worker is not there (running from source).
 */
export function workerCount(bytes: number): number {
  const configured = process.env.FT_WORKERS;
  if (!existsSync(fileURLToPath(workerUrl))) return 0;
  if (configured !== undefined && configured !== '')
    return Math.max(0, Math.floor(Number(configured)) || 0);
  return bytes >= PARALLEL_MIN_BYTES ? Math.min(availableParallelism(), 8) : 0;
}

export interface ParallelRun {
  readonly plan: ParallelPlan;
  readonly setup: WorkerSetup;
  readonly workers: number;
  readonly files: readonly ParallelFile[];
  readonly writers: ReadonlyMap<SplitName, SplitWriter>;
  readonly problems: DataProblems;
  readonly signal: AbortSignal;
  /** Where the suffix may keep files (removed after the stage). */
  readonly tempDir: string;
}

export interface ParallelOutcome {
  readonly perSource: Record<string, number>;
  readonly summaries: TransformSummary[];
  /** Records the suffix decided on disk, the dedupe sets being full (0: none). */
  readonly spilled: number;
  /** Workers that had been started ahead, while the sources were hashed (warm-up.ts). */
  readonly ahead: number;
}

/**
 * Runs the dataset pipeline over worker threads (see parallel-plan.ts): the main thread reads
 * and hashes the files, cuts them into chunks of whole lines, and takes the prepared chunks back
 * in order, where it makes the order-dependent decisions and writes the lines.
 */
export async function runParallel(run: ParallelRun): Promise<ParallelOutcome> {
  const {pool, ahead} = workersFor(run.workers, run.setup);
  const busy = new Map<Worker, number>(pool.map((w) => [w, 0]));
  const results = new Map<number, ChunkResult>();
  const waiting: (() => void)[] = [];
  let failure: Error | undefined;
  let inFlight = 0;
  let nextToConsume = 0;
  let seq = 0;
  const perSource: Record<string, number> = {};
  /** The source and input size of each chunk sent (refused: a line too long, see `refuse`). */
  const sent = new Map<
    number,
    {source: string; bytes: number; worker?: Worker; refused?: boolean}
  >();
  const maxLineBytes = maxTextBytes();
  const bytes = run.files.reduce((sum, f) => sum + f.size, 0);
  const suffix = new SuffixDecisions(run.plan, run.writers, bytes, run.tempDir);
  let consuming = Promise.resolve();

  const wake = () => {
    for (const w of waiting.splice(0)) w();
  };
  const fail = (e: Error) => {
    failure ??= e;
    wake();
  };
  const onAbort = () => fail((run.signal.reason as Error) ?? new Error('interrupted'));
  run.signal.addEventListener('abort', onAbort, {once: true});

  const consumeReady = () => {
    consuming = consuming
      .then(async () => {
        while (!failure && results.has(nextToConsume)) {
          const result = results.get(nextToConsume)!;
          results.delete(nextToConsume);
          const {source, bytes: chunkBytes, worker, refused} = sent.get(nextToConsume)!;
          sent.delete(nextToConsume);
          perSource[source] = (perSource[source] ?? 0) + result.parsed;
          run.problems.absorb(result.problems);
          if (!refused) {
            await suffix.consume(result, chunkBytes);
            // Written (or spilled): its big buffers go back to hold the worker's next results.
            const buffers = [
              result.lines.buffer,
              result.ids.buffer,
              result.lengths.buffer,
              result.splits.buffer,
              result.keys.buffer,
            ] as ArrayBuffer[];
            if (worker)
              worker.postMessage({type: 'recycle', buffers} satisfies RecycleMessage, buffers);
            else local?.recycle(buffers);
          }
          nextToConsume++;
          inFlight--;
          wake();
        }
      })
      .catch((e: Error) => fail(e));
  };

  for (const worker of pool) {
    worker.on('message', (message: WorkerResult) => {
      if (message.type === 'chunk') {
        busy.set(worker, busy.get(worker)! - 1);
        const input = message.input;
        if (input && input.byteLength <= SPARE_BYTES && spare.length < MAX_SPARE) spare.push(input);
        results.set(message.seq, message);
        consumeReady();
      } else if (message.type === 'failed') {
        const e = new Error(`dataset worker: ${message.message}`);
        if (message.stack) e.stack = message.stack;
        fail(e);
      }
    });
    worker.on('error', (e) => {
      const code = (e as {code?: unknown}).code;
      fail(code === 'ERR_WORKER_OUT_OF_MEMORY' ? new WorkersOutOfMemory(e.message) : e);
    });
  }

  /**
   * Chunk buffers the workers sent back, done with (ChunkResult.input): the next chunks are cut
   * into them, so the input's memory is a few chunks' worth, reused, however long the input.
   */
  const spare: ArrayBuffer[] = [];
  const spareBuffer = (size: number): Buffer => {
    const at = spare.findIndex((b) => b.byteLength >= size);
    if (at !== -1) return Buffer.from(spare.splice(at, 1)[0]!, 0, size);
    // Room for the usual chunk (a read past CHUNK_BYTES, and the line it ends in) to come back.
    return Buffer.from(new ArrayBuffer(Math.max(size, SPARE_BYTES)), 0, size);
  };

  let local: ReturnType<typeof createPreparer> | undefined;
  const dispatch = async (message: Omit<ChunkMessage, 'type' | 'seq'>) => {
    while (!failure && inFlight >= pool.length * IN_FLIGHT_PER_WORKER)
      await new Promise<void>((r) => waiting.push(r));
    if (failure) throw failure;
    if (message.bytes.length > OVERSIZED_CHUNK_BYTES) {
      // Workers have small heaps on purpose; one huge line is prepared here instead.
      local ??= createPreparer(run.setup);
      inFlight++;
      const id = seq++;
      sent.set(id, {source: message.source, bytes: message.bytes.length});
      results.set(id, local.prepare({type: 'chunk', seq: id, ...message}));
      consumeReady();
      return;
    }
    const worker = [...busy].sort((a, b) => a[1] - b[1])[0]![0];
    busy.set(worker, busy.get(worker)! + 1);
    inFlight++;
    const id = seq++;
    sent.set(id, {source: message.source, bytes: message.bytes.length, worker});
    const chunk: ChunkMessage = {type: 'chunk', seq: id, ...message};
    worker.postMessage(chunk, [chunk.bytes.buffer as ArrayBuffer]);
  };

  /**
   * A line too long to read: a result of no records with only the problem, taken in its place
   * among the chunks, so problems come in input order as from one thread.
   */
  const refuse = (file: ParallelFile, line: number, bytes: number) => {
    if (failure) throw failure;
    const inline = run.setup.inlineLines[file.source];
    const where: RecordOrigin = {
      file: file.shown,
      source: file.source,
      ...(inline ? {lineOf: (n: number) => inline[n - 1] ?? 1} : {}),
    };
    const problems = new DataProblems(run.setup.skipping);
    problems.add(
      originOf(where, line),
      lineTooLong(bytes, maxLineBytes),
      1,
      undefined,
      'line too long',
    );
    inFlight++;
    const id = seq++;
    sent.set(id, {source: file.source, bytes: 0, refused: true});
    results.set(id, refusedResult(id, problems));
    consumeReady();
  };

  try {
    for (const file of run.files) {
      perSource[file.source] ??= 0;
      let line = 1;
      let atFileStart = true;
      const pieces = wholeLines(readBytes(file, run.signal, true), {
        maxLineBytes,
        minBytes: CHUNK_BYTES,
        // One copy: the read bytes go straight into the buffer that is sent, whole: one the
        // workers sent back when there is one (see `spare`), and the reads reuse one buffer.
        own: true,
        alloc: spareBuffer,
        transient: true,
      });
      for await (const piece of pieces) {
        if (piece.kind === 'too-long') {
          refuse(file, line++, piece.bytes);
          atFileStart = false;
          continue;
        }
        // Whole lines, in a buffer of their own that goes to the worker as it is.
        const bytes = piece.bytes;
        const firstLine = line;
        for (let i = bytes.indexOf(10); i !== -1; i = bytes.indexOf(10, i + 1)) line++;
        await dispatch({bytes, file: file.shown, source: file.source, firstLine, atFileStart});
        atFileStart = false;
      }
    }
    while (!failure && inFlight > 0) await new Promise<void>((r) => waiting.push(r));
    await consuming;
    if (failure) throw failure;
    const finished = await Promise.all(
      pool.map(
        (worker) =>
          new Promise<Extract<WorkerResult, {type: 'finish'}>>((resolve, reject) => {
            worker.once('message', (m: WorkerResult) =>
              m.type === 'finish' ? resolve(m) : reject(new Error('dataset worker did not finish')),
            );
            worker.postMessage({type: 'finish'});
          }),
      ),
    );
    // The workers are done: their memory goes before the suffix decides what it kept on disk,
    // so that deciding it adds nothing to the stage's peak.
    await Promise.all(pool.map((w) => w.terminate()));
    await suffix.finish(run.signal);
    if (local)
      finished.push({
        type: 'finish',
        summaries: local.summaries(),
        suffix: local.suffixSummaries(),
      });
    const prefix = run.plan.prefix.map(
      (_, i) => sumAll(finished.map((f) => f.summaries[i] ?? {})) as TransformSummary,
    );
    // The suffix's own counts, with what the workers found of the fields it reads.
    const decided = suffix
      .summaries()
      .map(
        (summary, k) =>
          sumAll([summary, ...finished.map((f) => f.suffix[k] ?? {})]) as TransformSummary,
      );
    return {perSource, summaries: [...prefix, ...decided], spilled: suffix.spilled, ahead};
  } finally {
    run.signal.removeEventListener('abort', onAbort);
    // Whatever happened, nothing may still be writing when the caller takes the writers back.
    failure ??= new Error('stopped');
    await consuming.catch(() => undefined);
    await suffix.close();
    await Promise.all(pool.map((w) => w.terminate()));
  }
}

/** The result of a chunk that is one line too long to read: no records, one problem. */
function refusedResult(seq: number, problems: DataProblems): ChunkResult {
  return {
    type: 'chunk',
    seq,
    parsed: 0,
    count: 0,
    lines: new Uint8Array(0),
    ids: new Uint8Array(0),
    lengths: new Uint32Array(0),
    splits: new Uint8Array(0),
    keys: new Int32Array(0),
    problems: problems.snapshot(),
  };
}

/** A worker's memory limit was too small for the data (e.g. one enormous line). */
export class WorkersOutOfMemory extends Error {
  override readonly name = 'WorkersOutOfMemory';
}

/** Adds up counters of several summaries (numbers add, objects recurse, the rest is kept). */
function sumAll(parts: readonly Readonly<Record<string, unknown>>[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const part of parts) {
    for (const [key, value] of Object.entries(part)) {
      const have = out[key];
      if (typeof value === 'number') out[key] = (typeof have === 'number' ? have : 0) + value;
      else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
        out[key] = sumAll([
          (have ?? {}) as Record<string, unknown>,
          value as Record<string, unknown>,
        ]);
      } else if (!(key in out)) out[key] = value;
    }
  }
  return out;
}
