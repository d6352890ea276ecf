import type {NormalizedTransform} from '../../recipe/normalized.js';
import type {DataProblemsSnapshot} from '../records/data-error.js';
import type {SplitName} from '../records/example.js';
import type {SuffixStep} from './parallel-plan.js';

/** Splits by the number chunks carry for them (`ChunkResult.splits`). */
export const SPLIT_NAMES: readonly SplitName[] = ['train', 'validation', 'test'];

/** The number of each split in `ChunkResult.splits`. */
export const SPLIT_NUMBERS: Readonly<Record<SplitName, number>> = {
  train: 0,
  validation: 1,
  test: 2,
};

/**
 * In `ChunkResult.splits`: a record the suffix's split drops, its source record lacking a
 * `split.by` field under `missing: skip`.
 */
export const SPLIT_SKIPPED = 3;

/** What every dataset worker is started with. */
export interface WorkerSetup {
  readonly prefix: readonly NormalizedTransform[];
  readonly suffix: readonly SuffixStep[];
  readonly dir: string;
  readonly seed: number;
  /** Sources whose bad records are skipped. */
  readonly skipping: readonly string[];
  /** The split's `by` fields (records' groups are read from their source records), or null. */
  readonly splitBy: readonly string[] | null;
  /** Recipe line of each inline example, by source. */
  readonly inlineLines: Readonly<Record<string, readonly number[]>>;
}

/** The setup of a worker started before the stage knew it (run-parallel.ts prestartWorkers). */
export interface SetupMessage {
  readonly type: 'setup';
  readonly setup: WorkerSetup;
}

/** A chunk of whole JSONL lines, to be parsed and prepared. */
export interface ChunkMessage {
  readonly type: 'chunk';
  readonly seq: number;
  readonly bytes: Uint8Array;
  readonly file: string;
  readonly source: string;
  readonly firstLine: number;
  readonly atFileStart: boolean;
}

/**
 * The buffers of a chunk result the main thread is done with, handed back to the worker that
 * made them to hold its next results: memory then stays at a few chunks' worth, however long the
 * input, instead of waiting for garbage collections to free each chunk's buffers.
 */
export interface RecycleMessage {
  readonly type: 'recycle';
  /** The buffers of one result's lines, ids, lengths, splits and keys, in that order. */
  readonly buffers: readonly ArrayBuffer[];
}

/** A prepared chunk: its surviving records' final lines and what the suffix needs of each. */
export interface ChunkResult {
  readonly type: 'chunk';
  readonly seq: number;
  /** Records parsed from the chunk (before any step). */
  readonly parsed: number;
  /** Records that left the prefix. */
  readonly count: number;
  /** Their canonical lines, UTF-8, each ending in '\n'. */
  readonly lines: Uint8Array;
  /** Their ids, ID_LINE_BYTES each (split-writer.ts): 32 hex digits and '\n'. */
  readonly ids: Uint8Array;
  /** Byte length of each line. */
  readonly lengths: Uint32Array;
  /** Split of each record, by its number (SPLIT_NUMBERS), or SPLIT_SKIPPED. */
  readonly splits: Uint8Array;
  /** Per suffix dedupe step, 4 int32 per record: the 128-bit key (the set keeps 96 bits). */
  readonly keys: Int32Array;
  readonly problems: DataProblemsSnapshot;
  /** The chunk's input buffer, sent back from a worker for the next chunks (run-parallel.ts). */
  readonly input?: ArrayBuffer;
}

export interface FinishResult {
  readonly type: 'finish';
  /** The prefix steps' summaries over everything this worker saw. */
  readonly summaries: readonly Readonly<Record<string, unknown>>[];
  /**
   * Per suffix step, what this worker found of it (the fields a dedupe or split reads, and the
   * records they drop for a missing one), added to the step's summary.
   */
  readonly suffix: readonly Readonly<Record<string, unknown>>[];
}

export interface FailedResult {
  readonly type: 'failed';
  readonly seq?: number;
  readonly message: string;
  readonly stack?: string;
}

export type WorkerResult = ChunkResult | FinishResult | FailedResult;
