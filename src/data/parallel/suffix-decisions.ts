import type {SplitName} from '../records/example.js';
import {ID_LINE_BYTES, type SplitWriter} from '../records/split-writer.js';
import {DedupeKeySet} from '../transforms/text/dedupe-key-set.js';
import type {TransformSummary} from '../transforms/transform.js';
import {type ChunkResult, SPLIT_NAMES, SPLIT_SKIPPED} from './messages.js';
import type {ParallelPlan} from './parallel-plan.js';
import {type StepCounts, SuffixSpill} from './suffix-spill.js';

/** A record a suffix step dropped (instead of its split's index). */
const DROPPED = 255;

/**
 * How many keys each dedupe set holds in memory before records spill to disk: 786,432 (a table
 * of 2^20 slots, 12 MiB), or FT_DEDUPE_KEYS_IN_MEMORY.
 */
export function keysInMemory(): number {
  const configured = Number(process.env.FT_DEDUPE_KEYS_IN_MEMORY);
  return Number.isInteger(configured) && configured > 0 ? configured : 3 << 18;
}

/**
 * The suffix steps on the main thread (dedupe sets, limit counters, split counts), taking the
 * prepared chunks in order. The dedupe sets hold at most `keysInMemory()` keys each: from the
 * chunk that would take one past that, records are kept on disk and decided at the end
 * (suffix-spill.ts), so memory grows only by a bit per record past that, however large the input.
 */
export class SuffixDecisions {
  readonly #plan: ParallelPlan;
  readonly #writers: ReadonlyMap<SplitName, SplitWriter>;
  readonly #inputBytes: number;
  #sets: DedupeKeySet[] | undefined;
  readonly #counts: StepCounts[];
  readonly #tempDir: string;
  readonly #budget = keysInMemory();
  #spill: SuffixSpill | undefined;
  readonly #dedupes: number;
  /** Per record of a chunk: the split it is written to, or DROPPED. */
  #fate = new Uint8Array(0);
  /** Per split, where its lines of a chunk are gathered (reused: a write ends before the next). */
  readonly #gather: Buffer[] = [Buffer.alloc(0), Buffer.alloc(0), Buffer.alloc(0)];
  /** The same for their ids. */
  readonly #gatherIds: Buffer[] = [Buffer.alloc(0), Buffer.alloc(0), Buffer.alloc(0)];

  /**
   * `inputBytes`, the size of all input, sizes the dedupe sets once the first chunk is seen;
   * spilled records go to files in `tempDir`.
   */
  constructor(
    plan: ParallelPlan,
    writers: ReadonlyMap<SplitName, SplitWriter>,
    inputBytes: number,
    tempDir: string,
  ) {
    this.#plan = plan;
    this.#tempDir = tempDir;
    this.#writers = writers;
    this.#inputBytes = inputBytes;
    this.#dedupes = plan.suffix.filter((s) => s.kind === 'dedupe').length;
    this.#counts = plan.suffix.map((s) => ({
      in: 0,
      out: 0,
      ...(s.kind === 'split' ? {splits: [0, 0, 0]} : {}),
    }));
  }

  /**
   * The dedupe sets, made at the first chunk with room for as many records as the input holds
   * at that chunk's rate, so that they rarely grow (growing holds the old and the new table).
   */
  #setsFor(result: ChunkResult, chunkBytes: number): DedupeKeySet[] {
    if (this.#sets) return this.#sets;
    const perByte = result.count / Math.max(1, chunkBytes);
    const expected = Math.min(this.#budget, Math.ceil(this.#inputBytes * perByte * 1.05));
    this.#sets = Array.from({length: this.#dedupes}, () => DedupeKeySet.forCount(expected));
    return this.#sets;
  }

  /** Decides the records of the next chunk in order (`chunkBytes` of input), and writes them. */
  async consume(result: ChunkResult, chunkBytes: number): Promise<void> {
    const sets = this.#setsFor(result, chunkBytes);
    const count = result.count;
    if (!this.#spill && sets.some((set) => set.size + count > this.#budget)) {
      this.#spill = new SuffixSpill(this.#tempDir, this.#dedupes, this.#budget);
    }
    if (this.#spill) {
      await this.#spill.add(result);
      return;
    }
    const steps = this.#plan.suffix;
    const counts = this.#counts;
    const dedupes = this.#dedupes;
    const {keys, splits, lengths} = result;
    if (this.#fate.length < count) this.#fate = new Uint8Array(count * 2);
    const fate = this.#fate;
    const sizes = [0, 0, 0];
    const rows = [0, 0, 0];
    for (let d = 0; d < dedupes; d++) sets[d]!.touch(keys, count, d, dedupes);
    for (let i = 0; i < count; i++) {
      let alive = true;
      let dedupe = 0;
      for (let k = 0; k < steps.length && alive; k++) {
        const step = steps[k]!;
        const c = counts[k]!;
        c.in++;
        if (step.kind === 'dedupe') {
          alive = sets[dedupe]!.add(keys, (i * dedupes + dedupe) * 4);
          dedupe++;
        } else if (step.kind === 'limit') alive = c.out < step.n;
        else if (splits[i] === SPLIT_SKIPPED) alive = false;
        else c.splits![splits[i]!]!++;
        if (alive) c.out++;
      }
      const split = splits[i]!;
      fate[i] = alive ? split : DROPPED;
      if (alive) {
        sizes[split]! += lengths[i]!;
        rows[split]!++;
      }
    }
    const lines = Buffer.from(
      result.lines.buffer,
      result.lines.byteOffset,
      result.lines.byteLength,
    );
    const ids = Buffer.from(result.ids.buffer, result.ids.byteOffset, result.ids.byteLength);
    for (let s = 0; s < 3; s++) {
      if (rows[s] === 0) continue;
      const writer = this.#writers.get(SPLIT_NAMES[s]!);
      if (!writer) throw new Error(`no writer for split ${SPLIT_NAMES[s]}`);
      if (rows[s] === count) {
        await writer.writeChunk(lines, ids, count); // the whole chunk, as it came
        continue;
      }
      if (this.#gather[s]!.length < sizes[s]!) this.#gather[s] = Buffer.allocUnsafe(sizes[s]! * 2);
      const idBytes = rows[s]! * ID_LINE_BYTES;
      if (this.#gatherIds[s]!.length < idBytes)
        this.#gatherIds[s] = Buffer.allocUnsafe(idBytes * 2);
      const out = this.#gather[s]!;
      const outIds = this.#gatherIds[s]!;
      // Runs of consecutive records of this split are copied at once, lines and ids.
      let at = 0;
      let idAt = 0;
      let offset = 0;
      let run = -1;
      let runFirst = 0;
      for (let i = 0; i <= count; i++) {
        const mine = i < count && fate[i] === s;
        if (mine && run < 0) {
          run = offset;
          runFirst = i;
        } else if (!mine && run >= 0) {
          at += lines.copy(out, at, run, offset);
          idAt += ids.copy(outIds, idAt, runFirst * ID_LINE_BYTES, i * ID_LINE_BYTES);
          run = -1;
        }
        if (i < count) offset += lengths[i]!;
      }
      await writer.writeChunk(out.subarray(0, at), outIds.subarray(0, idAt), rows[s]!);
    }
  }

  /** Decides and writes what was spilled, if anything; after the last chunk. */
  async finish(signal: AbortSignal): Promise<void> {
    if (!this.#spill) return;
    await this.#spill.finish(
      this.#plan.suffix,
      this.#sets ?? [],
      this.#counts,
      this.#writers,
      signal,
    );
  }

  /** Records decided on disk. */
  get spilled(): number {
    return this.#spill?.count ?? 0;
  }

  /** Lets go of spill files still open (the stage removes its temp folder). */
  async close(): Promise<void> {
    await this.#spill?.close();
  }

  summaries(): TransformSummary[] {
    return this.#plan.suffix.map((step, k): TransformSummary => {
      const c = this.#counts[k]!;
      switch (step.kind) {
        case 'dedupe':
          return {in: c.in, out: c.out, dropped: {duplicate: c.in - c.out}, mode: step.mode};
        case 'limit':
          return {in: c.in, out: c.out, dropped: {limit: c.in - c.out}};
        default: // split (records it dropped, and why, come from the workers)
          return {
            in: c.in,
            out: c.out,
            train: c.splits![0]!,
            validation: c.splits![1]!,
            test: c.splits![2]!,
          };
      }
    });
  }
}
