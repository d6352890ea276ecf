import {type FileHandle, open} from 'node:fs/promises';
import {join} from 'node:path';
import type {SplitName} from '../records/example.js';
import type {JsonlWriter} from '../records/jsonl-writer.js';
import {DedupeKeySet} from '../transforms/text/dedupe-key-set.js';
import type {ChunkResult} from './messages.js';
import type {SuffixStep} from './parallel-plan.js';

/** Counters of one suffix step (see SuffixDecisions). */
export interface StepCounts {
  in: number;
  out: number;
  splits?: number[];
}

const SPLIT_NAMES: readonly SplitName[] = ['train', 'validation', 'test'];
/** Bytes read or gathered at a time. */
const BLOCK = 1 << 20;
/** A key on disk: its 96 kept bits (3 int32). */
const KEY_WORDS = 3;
/** A key in a partition: the record's number, then its 3 words. */
const ENTRY_WORDS = 4;
/** Entries gathered per part before they are written (64 KB). */
const PART_BUFFER_WORDS = 16 * 1024;

/**
 * The records of the suffix (dedupe, limit, split) once the dedupe sets have reached their
 * memory budget: kept on disk, in order, and decided at the end in passes whose memory does not
 * depend on the input's size. The lines go to one file, each record's split to another (a byte
 * each), and each dedupe step's keys to a third. At the end, each step in recipe order marks
 * which records it drops (a bit per record): a dedupe step partitions its keys by hash into
 * parts of at most `budget` keys and finds, part by part, keys seen before (in the sets of the
 * records decided in memory, or earlier in the part); limit and split count in order. A last
 * pass writes the surviving lines. The outcome is the one the in-memory path would reach.
 */
export class SuffixSpill {
  readonly #dir: string;
  readonly #budget: number;
  readonly #dedupes: number;
  #lines: FileHandle | undefined;
  #splits: FileHandle | undefined;
  #keys: FileHandle[] = [];
  #opened: Promise<void> | undefined;
  /** Records spilled. */
  count = 0;

  /** Files go to `dir`; a dedupe part holds at most `budget` keys. */
  constructor(dir: string, dedupes: number, budget: number) {
    this.#dir = dir;
    this.#dedupes = dedupes;
    this.#budget = budget;
  }

  async #open(): Promise<void> {
    this.#opened ??= (async () => {
      this.#lines = await open(this.#path('lines'), 'w');
      this.#splits = await open(this.#path('splits'), 'w');
      for (let d = 0; d < this.#dedupes; d++)
        this.#keys.push(await open(this.#path(`keys-${d}`), 'w'));
    })();
    await this.#opened;
  }

  #path(name: string): string {
    return join(this.#dir, `suffix-${name}`);
  }

  /** Keeps a prepared chunk's records for the end. */
  async add(result: ChunkResult): Promise<void> {
    await this.#open();
    const count = result.count;
    await this.#lines!.write(result.lines);
    await this.#splits!.write(result.splits.subarray(0, count));
    for (let d = 0; d < this.#dedupes; d++) {
      const keys = new Int32Array(count * KEY_WORDS);
      for (let i = 0; i < count; i++) {
        const from = (i * this.#dedupes + d) * 4;
        keys[i * 3] = result.keys[from]!;
        keys[i * 3 + 1] = result.keys[from + 1]!;
        keys[i * 3 + 2] = result.keys[from + 2]!;
      }
      await this.#keys[d]!.write(new Uint8Array(keys.buffer));
    }
    this.count += count;
  }

  /**
   * Decides the spilled records after those decided in memory: `sets` hold the keys those
   * reached each dedupe step with, `counts` their counters (updated here). Then writes the
   * survivors.
   */
  async finish(
    steps: readonly SuffixStep[],
    sets: readonly DedupeKeySet[],
    counts: StepCounts[],
    writers: ReadonlyMap<SplitName, JsonlWriter>,
    signal: AbortSignal,
  ): Promise<void> {
    await this.close();
    const alive = new Uint8Array(Math.ceil(this.count / 8)).fill(0xff);
    const isAlive = (i: number) => (alive[i >>> 3]! & (1 << (i & 7))) !== 0;
    const drop = (i: number) => {
      alive[i >>> 3] = alive[i >>> 3]! & ~(1 << (i & 7));
    };
    let dedupe = 0;
    for (let k = 0; k < steps.length; k++) {
      signal.throwIfAborted();
      const step = steps[k]!;
      const c = counts[k]!;
      if (step.kind === 'dedupe') {
        await this.#dedupe(dedupe, sets[dedupe]!, isAlive, drop, c);
        dedupe++;
      } else if (step.kind === 'limit') {
        for (let i = 0; i < this.count; i++) {
          if (!isAlive(i)) continue;
          c.in++;
          if (c.out < step.n) c.out++;
          else drop(i);
        }
      } else {
        await eachBlock(this.#path('splits'), 1, (bytes, first, n) => {
          for (let j = 0; j < n; j++) {
            if (!isAlive(first + j)) continue;
            c.in++;
            c.out++;
            c.splits![bytes[j]!]!++;
          }
        });
      }
    }
    signal.throwIfAborted();
    await this.#write(isAlive, writers, signal);
  }

  /** Marks the records whose key this dedupe step saw before. */
  async #dedupe(
    d: number,
    decided: DedupeKeySet,
    isAlive: (i: number) => boolean,
    drop: (i: number) => void,
    c: StepCounts,
  ): Promise<void> {
    let reaching = 0;
    for (let i = 0; i < this.count; i++) if (isAlive(i)) reaching++;
    c.in += reaching;
    const parts = Math.max(1, Math.ceil(reaching / this.#budget));
    // Partition the keys of the records still alive, each entry with its record's number; a
    // part lists its records in order, which is all "seen before" needs.
    const files = await Promise.all(
      Array.from({length: parts}, (_, p) => open(this.#path(`part-${d}-${p}`), 'w')),
    );
    const buffers = Array.from({length: parts}, () => new Int32Array(PART_BUFFER_WORDS));
    const filled = new Array<number>(parts).fill(0);
    const sizes = new Array<number>(parts).fill(0);
    const flush = async (p: number) => {
      if (filled[p] === 0) return;
      await files[p]!.write(new Uint8Array(buffers[p]!.buffer, 0, filled[p]! * 4));
      filled[p] = 0;
    };
    try {
      await eachBlock(this.#path(`keys-${d}`), KEY_WORDS * 4, async (bytes, first, n) => {
        const words = new Int32Array(bytes.buffer, bytes.byteOffset, n * KEY_WORDS);
        for (let j = 0; j < n; j++) {
          if (!isAlive(first + j)) continue;
          // The part comes from the second word; the set's slot comes from the first.
          const p = (words[j * 3 + 1]! >>> 0) % parts;
          const buffer = buffers[p]!;
          const at = filled[p]!;
          buffer[at] = first + j;
          buffer[at + 1] = words[j * 3]!;
          buffer[at + 2] = words[j * 3 + 1]!;
          buffer[at + 3] = words[j * 3 + 2]!;
          filled[p] = at + ENTRY_WORDS;
          sizes[p]!++;
          if (filled[p] === buffer.length) await flush(p);
        }
      });
      for (let p = 0; p < parts; p++) await flush(p);
    } finally {
      await Promise.all(files.map((f) => f.close()));
    }
    const key = new Int32Array(4);
    // One table for every part, emptied in between.
    const seen = DedupeKeySet.forCount(Math.max(...sizes));
    for (let p = 0; p < parts; p++) {
      seen.clear();
      await eachBlock(this.#path(`part-${d}-${p}`), ENTRY_WORDS * 4, (bytes, _first, n) => {
        const words = new Int32Array(bytes.buffer, bytes.byteOffset, n * ENTRY_WORDS);
        for (let j = 0; j < n; j++) {
          key[0] = words[j * 4 + 1]!;
          key[1] = words[j * 4 + 2]!;
          key[2] = words[j * 4 + 3]!;
          if (decided.has(key) || !seen.add(key)) drop(words[j * 4]!);
          else c.out++;
        }
      });
    }
  }

  /** Writes the surviving lines, in order, to their splits' files. */
  async #write(
    isAlive: (i: number) => boolean,
    writers: ReadonlyMap<SplitName, JsonlWriter>,
    signal: AbortSignal,
  ): Promise<void> {
    const splits = await open(this.#path('splits'), 'r');
    const gather = SPLIT_NAMES.map(() => ({bytes: Buffer.allocUnsafe(BLOCK), at: 0, rows: 0}));
    const flush = async (s: number) => {
      const g = gather[s]!;
      if (g.rows === 0) return;
      const writer = writers.get(SPLIT_NAMES[s]!);
      if (!writer) throw new Error(`no writer for split ${SPLIT_NAMES[s]}`);
      await writer.writeBytes(g.bytes.subarray(0, g.at), g.rows);
      g.at = 0;
      g.rows = 0;
    };
    const splitOf = Buffer.allocUnsafe(BLOCK);
    let splitFirst = 0;
    let splitCount = 0;
    let record = 0;
    try {
      await eachLineBlock(this.#path('lines'), async (lines, starts, n) => {
        signal.throwIfAborted();
        for (let j = 0; j < n; j++, record++) {
          if (record >= splitFirst + splitCount) {
            splitFirst += splitCount;
            splitCount = await readFull(splits, splitOf, splitFirst);
          }
          if (!isAlive(record)) continue;
          const s = splitOf[record - splitFirst]!;
          const g = gather[s]!;
          const line = lines.subarray(starts[j]!, starts[j + 1]!);
          if (g.at + line.length > g.bytes.length) {
            await flush(s);
            if (line.length > g.bytes.length) g.bytes = Buffer.allocUnsafe(line.length);
          }
          g.at += line.copy(g.bytes, g.at);
          g.rows++;
        }
      });
      for (let s = 0; s < SPLIT_NAMES.length; s++) await flush(s);
    } finally {
      await splits.close();
    }
  }

  /** Closes the files being written (also when the stage stops early). */
  async close(): Promise<void> {
    await this.#opened?.catch(() => undefined);
    for (const f of [this.#lines, this.#splits, ...this.#keys])
      await f?.close().catch(() => undefined);
    this.#lines = undefined;
    this.#splits = undefined;
    this.#keys = [];
  }
}

/** Reads up to buffer.length bytes at `position`, as many as there are. */
async function readFull(file: FileHandle, buffer: Uint8Array, position: number): Promise<number> {
  let got = 0;
  while (got < buffer.length) {
    const {bytesRead} = await file.read(buffer, got, buffer.length - got, position + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return got;
}

/**
 * Reads a file of fixed-size entries front to back, a block at a time: `each(bytes, first, n)`
 * gets n whole entries (4-byte aligned), the first of them entry number `first`.
 */
async function eachBlock(
  path: string,
  entryBytes: number,
  each: (bytes: Uint8Array, first: number, n: number) => void | Promise<void>,
): Promise<void> {
  const file = await open(path, 'r');
  try {
    const buffer = new Uint8Array(Math.floor(BLOCK / entryBytes) * entryBytes);
    let position = 0;
    for (;;) {
      const got = await readFull(file, buffer, position);
      const n = Math.floor(got / entryBytes);
      if (n > 0) await each(buffer, position / entryBytes, n);
      if (got < buffer.length) break;
      position += got;
    }
  } finally {
    await file.close();
  }
}

/**
 * Reads a file of '\n'-terminated lines front to back: `each(bytes, starts, n)` gets n whole
 * lines, line j being bytes[starts[j], starts[j + 1]) with its '\n'.
 */
async function eachLineBlock(
  path: string,
  each: (bytes: Buffer, starts: Uint32Array, n: number) => Promise<void>,
): Promise<void> {
  const file = await open(path, 'r');
  try {
    let buffer = Buffer.allocUnsafe(BLOCK);
    let starts = new Uint32Array(1024);
    let carried = 0;
    let position = 0;
    for (;;) {
      if (carried === buffer.length) {
        // One line longer than the buffer: make room for it.
        const larger = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(larger, 0, 0, carried);
        buffer = larger;
      }
      const got = await readFull(file, buffer.subarray(carried), position);
      position += got;
      const end = carried + got;
      let n = 0;
      starts[0] = 0;
      for (let nl = buffer.indexOf(10, 0); nl !== -1 && nl < end; nl = buffer.indexOf(10, nl + 1)) {
        if (n + 2 > starts.length) {
          const grown = new Uint32Array(starts.length * 2);
          grown.set(starts);
          starts = grown;
        }
        starts[++n] = nl + 1;
      }
      if (n > 0) await each(buffer, starts, n);
      const used = starts[n]!;
      if (got === 0) {
        if (end > used) throw new Error('spilled lines end without a line end');
        return;
      }
      buffer.copy(buffer, 0, used, end);
      carried = end - used;
    }
  } finally {
    await file.close();
  }
}
