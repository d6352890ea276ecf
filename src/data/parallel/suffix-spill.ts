import {type FileHandle, open, rm} from 'node:fs/promises';
import {join} from 'node:path';
import {writeAll} from '../../core/write-all.js';
import type {SplitName} from '../records/example.js';
import {ID_LINE_BYTES, type SplitWriter} from '../records/split-writer.js';
import {DedupeKeySet} from '../transforms/text/dedupe-key-set.js';
import {type ChunkResult, SPLIT_NAMES, SPLIT_SKIPPED} from './messages.js';
import type {SuffixStep} from './parallel-plan.js';

/** Counters of one suffix step (see SuffixDecisions). */
export interface StepCounts {
  in: number;
  out: number;
  splits?: number[];
}

/** Bytes read or gathered at a time. */
const BLOCK = 1 << 20;
/** A record's entry in the meta file: its line's length in bytes, and its split. */
const META_WORDS = 2;
/** Meta entries read at a time when writing: 4096 records, a few megabytes of lines. */
const META_BLOCK = 4096 * META_WORDS * 4;
/** Ids gathered per split before they are written. */
const ID_BLOCK = 4096 * ID_LINE_BYTES;
/** A key on disk: its 96 kept bits (3 int32). */
const KEY_WORDS = 3;
/** A key in a partition: the record's number, then its 3 words. */
const ENTRY_WORDS = 4;
/** Entries gathered per part before they are written (64 KB). */
const PART_BUFFER_WORDS = 16 * 1024;
/** Part files open at once while partitioning. */
const OPEN_PARTS = 64;
/** Spilled records are numbered in 32 bits. */
const MAX_RECORDS = 2 ** 32 - 1;

/**
 * The records of the suffix (dedupe, limit, split) once the dedupe sets have reached their
 * memory budget: kept on disk, in order, and decided at the end in passes whose memory is the
 * budget's, plus one bit per spilled record (which are still alive). The lines go to one file,
 * their ids to a second, each record's line length and split to a third (META_WORDS int32
 * each), and each dedupe step's keys to one more each. At the end, each step in recipe order
 * marks which records it drops (a bit per record): a dedupe step partitions its keys by hash
 * into parts of at most `budget` keys and finds, part by part, keys seen before (in the sets of
 * the records decided in memory, or earlier in the part); limit and split count in order. A
 * last pass writes the surviving lines and ids. The outcome is the one the in-memory path would
 * reach.
 */
export class SuffixSpill {
  readonly #dir: string;
  readonly #budget: number;
  readonly #dedupes: number;
  #lines: FileHandle | undefined;
  #ids: FileHandle | undefined;
  #meta: FileHandle | undefined;
  #keys: FileHandle[] = [];
  #opened: Promise<void> | undefined;
  #scratch = new Int32Array(0);
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
      this.#ids = await open(this.#path('ids'), 'w');
      this.#meta = await open(this.#path('meta'), 'w');
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
    // Record numbers are kept as 32-bit unsigned integers on disk.
    if (this.count + count > MAX_RECORDS) {
      throw new Error(`more than ${MAX_RECORDS} records to decide on disk`);
    }
    await writeAll(this.#lines!, result.lines);
    await writeAll(this.#ids!, result.ids);
    // One scratch array for the meta and keys of every chunk (each write ends before the next).
    if (this.#scratch.length < count * Math.max(META_WORDS, KEY_WORDS))
      this.#scratch = new Int32Array(count * Math.max(META_WORDS, KEY_WORDS) * 2);
    const scratch = this.#scratch;
    for (let i = 0; i < count; i++) {
      scratch[i * 2] = result.lengths[i]!;
      scratch[i * 2 + 1] = result.splits[i]!;
    }
    await writeAll(this.#meta!, new Uint8Array(scratch.buffer, 0, count * META_WORDS * 4));
    for (let d = 0; d < this.#dedupes; d++) {
      for (let i = 0; i < count; i++) {
        const from = (i * this.#dedupes + d) * 4;
        scratch[i * 3] = result.keys[from]!;
        scratch[i * 3 + 1] = result.keys[from + 1]!;
        scratch[i * 3 + 2] = result.keys[from + 2]!;
      }
      await writeAll(this.#keys[d]!, new Uint8Array(scratch.buffer, 0, count * KEY_WORDS * 4));
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
    writers: ReadonlyMap<SplitName, SplitWriter>,
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
        await this.#dedupe(dedupe, sets[dedupe]!, isAlive, drop, c, signal);
        dedupe++;
      } else if (step.kind === 'limit') {
        for (let i = 0; i < this.count; i++) {
          if (!isAlive(i)) continue;
          c.in++;
          if (c.out < step.n) c.out++;
          else drop(i);
        }
      } else {
        await eachBlock(this.#path('meta'), META_WORDS * 4, (bytes, first, n) => {
          const meta = new Uint32Array(bytes.buffer, bytes.byteOffset, n * META_WORDS);
          for (let j = 0; j < n; j++) {
            if (!isAlive(first + j)) continue;
            c.in++;
            const split = meta[j * 2 + 1]!;
            if (split === SPLIT_SKIPPED) {
              drop(first + j);
              continue;
            }
            c.out++;
            c.splits![split]!++;
          }
        });
      }
    }
    signal.throwIfAborted();
    await this.#write(isAlive, writers, signal);
  }

  /**
   * Writes the entries of parts [low, high) of dedupe step d's keys (of `parts`) to their files,
   * counting them in `sizes`.
   */
  async #partition(
    d: number,
    parts: number,
    low: number,
    high: number,
    isAlive: (i: number) => boolean,
    sizes: number[],
    signal: AbortSignal,
  ): Promise<void> {
    const files: FileHandle[] = [];
    const buffers = Array.from({length: high - low}, () => new Int32Array(PART_BUFFER_WORDS));
    const filled = new Array<number>(high - low).fill(0);
    const flush = async (k: number) => {
      if (filled[k] === 0) return;
      await writeAll(files[k]!, new Uint8Array(buffers[k]!.buffer, 0, filled[k]! * 4));
      filled[k] = 0;
    };
    try {
      for (let p = low; p < high; p++) files.push(await open(this.#path(`part-${d}-${p}`), 'w'));
      await eachBlock(this.#path(`keys-${d}`), KEY_WORDS * 4, async (bytes, first, n) => {
        signal.throwIfAborted();
        const words = new Int32Array(bytes.buffer, bytes.byteOffset, n * KEY_WORDS);
        for (let j = 0; j < n; j++) {
          if (!isAlive(first + j)) continue;
          // The part comes from the second word; the set's slot comes from the first.
          const p = (words[j * 3 + 1]! >>> 0) % parts;
          if (p < low || p >= high) continue;
          const k = p - low;
          const buffer = buffers[k]!;
          const at = filled[k]!;
          buffer[at] = first + j; // read back with >>> 0: up to 2^32 - 1
          buffer[at + 1] = words[j * 3]!;
          buffer[at + 2] = words[j * 3 + 1]!;
          buffer[at + 3] = words[j * 3 + 2]!;
          filled[k] = at + ENTRY_WORDS;
          sizes[p]!++;
          if (filled[k] === buffer.length) await flush(k);
        }
      });
      for (let k = 0; k < files.length; k++) await flush(k);
    } finally {
      await Promise.all(files.map((f) => f.close()));
    }
  }

  /** Marks the records whose key this dedupe step saw before. */
  async #dedupe(
    d: number,
    decided: DedupeKeySet,
    isAlive: (i: number) => boolean,
    drop: (i: number) => void,
    c: StepCounts,
    signal: AbortSignal,
  ): Promise<void> {
    let reaching = 0;
    for (let i = 0; i < this.count; i++) if (isAlive(i)) reaching++;
    c.in += reaching;
    const parts = Math.max(1, Math.ceil(reaching / this.#budget));
    const sizes = new Array<number>(parts).fill(0);
    // Partition the keys of the records still alive, each entry with its record's number; a
    // part lists its records in order, which is all "seen before" needs. At most OPEN_PARTS
    // part files are open at a time: more parts take more passes over the keys.
    for (let low = 0; low < parts; low += OPEN_PARTS) {
      const high = Math.min(parts, low + OPEN_PARTS);
      await this.#partition(d, parts, low, high, isAlive, sizes, signal);
    }
    const key = new Int32Array(4);
    // One table for every part, emptied in between.
    const seen = DedupeKeySet.forCount(Math.max(...sizes));
    for (let p = 0; p < parts; p++) {
      seen.clear();
      const part = this.#path(`part-${d}-${p}`);
      await eachBlock(part, ENTRY_WORDS * 4, (bytes, _first, n) => {
        signal.throwIfAborted();
        const words = new Int32Array(bytes.buffer, bytes.byteOffset, n * ENTRY_WORDS);
        for (let j = 0; j < n; j++) {
          key[0] = words[j * 4 + 1]!;
          key[1] = words[j * 4 + 2]!;
          key[2] = words[j * 4 + 3]!;
          if (decided.has(key) || !seen.add(key)) drop(words[j * 4]! >>> 0);
          else c.out++;
        }
      });
      await rm(part);
    }
  }

  /**
   * Writes the surviving lines and their ids, in order, to their splits' files. Reading and
   * writing overlap the work between them: the next block is read while one is sorted out, and
   * each split gathers into one pair of buffers while its other pair is being written.
   */
  async #write(
    isAlive: (i: number) => boolean,
    writers: ReadonlyMap<SplitName, SplitWriter>,
    signal: AbortSignal,
  ): Promise<void> {
    let metaFile: FileHandle | undefined;
    let linesFile: FileHandle | undefined;
    let idsFile: FileHandle | undefined;
    const outputs = SPLIT_NAMES.map((name) => ({
      name,
      buffers: [Buffer.allocUnsafe(BLOCK), Buffer.allocUnsafe(BLOCK)],
      idBuffers: [Buffer.allocUnsafe(ID_BLOCK), Buffer.allocUnsafe(ID_BLOCK)],
      current: 0,
      at: 0,
      idAt: 0,
      rows: 0,
      writing: Promise.resolve(),
    }));
    const flush = async (s: number) => {
      const o = outputs[s]!;
      if (o.rows === 0) return;
      const writer = writers.get(o.name);
      if (!writer) throw new Error(`no writer for split ${o.name}`);
      await o.writing; // one write at a time per file, in order
      o.writing = writer.writeChunk(
        o.buffers[o.current]!.subarray(0, o.at),
        o.idBuffers[o.current]!.subarray(0, o.idAt),
        o.rows,
      );
      // Its failure is seen where it is awaited; until then it is not an unhandled rejection.
      o.writing.catch(() => undefined);
      o.current = 1 - o.current;
      o.at = 0;
      o.idAt = 0;
      o.rows = 0;
    };
    /**
     * Appends `rows` records of split s to what goes to it: their lines, bytes[from, to), and
     * their ids, idBytes[idFrom, idFrom + rows * ID_LINE_BYTES).
     */
    const take = async (
      s: number,
      bytes: Buffer,
      from: number,
      to: number,
      idBytes: Buffer,
      idFrom: number,
      rows: number,
    ) => {
      const o = outputs[s]!;
      const idSize = rows * ID_LINE_BYTES;
      if (
        o.at + (to - from) > o.buffers[o.current]!.length ||
        o.idAt + idSize > o.idBuffers[o.current]!.length
      ) {
        await flush(s); // the buffers it leaves to fill have been written already
        if (to - from > o.buffers[o.current]!.length)
          o.buffers[o.current] = Buffer.allocUnsafe(to - from);
        if (idSize > o.idBuffers[o.current]!.length)
          o.idBuffers[o.current] = Buffer.allocUnsafe(idSize);
      }
      o.at += bytes.copy(o.buffers[o.current]!, o.at, from, to);
      o.idAt += idBytes.copy(o.idBuffers[o.current]!, o.idAt, idFrom, idFrom + idSize);
      o.rows += rows;
    };
    // Two slots, read alternately: one is read ahead while the other's lines are taken.
    const slots = [0, 1].map(() => ({
      meta: new Uint32Array(META_BLOCK / 4),
      lines: Buffer.allocUnsafe(BLOCK),
      ids: Buffer.allocUnsafe((META_BLOCK / (META_WORDS * 4)) * ID_LINE_BYTES),
    }));
    let metaAt = 0;
    let linesAt = 0;
    let idsAt = 0;
    let first = 0;
    const read = async (
      k: number,
    ): Promise<{n: number; first: number; size: number} | undefined> => {
      const slot = slots[k]!;
      const got = await readFull(metaFile!, new Uint8Array(slot.meta.buffer), metaAt);
      const n = Math.floor(got / (META_WORDS * 4));
      if (n === 0) return undefined;
      metaAt += n * META_WORDS * 4;
      let size = 0;
      for (let j = 0; j < n; j++) size += slot.meta[j * 2]!;
      if (size > slot.lines.length) slot.lines = Buffer.allocUnsafe(size);
      if ((await readFull(linesFile!, slot.lines.subarray(0, size), linesAt)) !== size) {
        throw new Error('the spilled lines are shorter than their lengths say');
      }
      linesAt += size;
      const idSize = n * ID_LINE_BYTES;
      if ((await readFull(idsFile!, slot.ids.subarray(0, idSize), idsAt)) !== idSize) {
        throw new Error('the spilled ids are fewer than their records');
      }
      idsAt += idSize;
      const block = {n, first, size};
      first += n;
      return block;
    };
    let next: Promise<unknown> = Promise.resolve();
    try {
      metaFile = await open(this.#path('meta'), 'r');
      linesFile = await open(this.#path('lines'), 'r');
      idsFile = await open(this.#path('ids'), 'r');
      let k = 0;
      let reading = read(k);
      for (;;) {
        const block = await reading;
        if (!block) break;
        signal.throwIfAborted();
        reading = read(1 - k);
        // A failure of the read ahead surfaces where it is awaited, not as an unhandled one.
        next = reading.catch(() => undefined);
        const {meta, lines, ids} = slots[k]!;
        // Runs of consecutive surviving records of one split are taken at once.
        let run = -1;
        let runFirst = 0;
        let runSplit = 0;
        let runRows = 0;
        let offset = 0;
        for (let j = 0; j < block.n; j++) {
          const split = meta[j * 2 + 1]!;
          const alive = isAlive(block.first + j);
          if (run >= 0 && (!alive || split !== runSplit)) {
            await take(runSplit, lines, run, offset, ids, runFirst * ID_LINE_BYTES, runRows);
            run = -1;
          }
          if (alive && run < 0) {
            run = offset;
            runFirst = j;
            runSplit = split;
            runRows = 0;
          }
          if (alive) runRows++;
          offset += meta[j * 2]!;
        }
        if (run >= 0)
          await take(runSplit, lines, run, offset, ids, runFirst * ID_LINE_BYTES, runRows);
        k = 1 - k;
      }
      for (let s = 0; s < outputs.length; s++) await flush(s);
      await Promise.all(outputs.map((o) => o.writing));
    } finally {
      // Whatever happened, no read or write may still be going when the files close and the
      // caller takes the writers back.
      await next;
      await Promise.all(outputs.map((o) => o.writing.catch(() => undefined)));
      await metaFile?.close();
      await linesFile?.close();
      await idsFile?.close();
    }
  }

  /** Closes the files being written (also when the stage stops early). */
  async close(): Promise<void> {
    await this.#opened?.catch(() => undefined);
    for (const f of [this.#lines, this.#ids, this.#meta, ...this.#keys])
      await f?.close().catch(() => undefined);
    this.#lines = undefined;
    this.#ids = undefined;
    this.#meta = undefined;
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
  blockBytes = BLOCK,
): Promise<void> {
  const file = await open(path, 'r');
  try {
    const buffer = new Uint8Array(Math.max(1, Math.floor(blockBytes / entryBytes)) * entryBytes);
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
