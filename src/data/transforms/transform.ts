import type {DataProblems} from '../records/data-error.js';
import type {Example} from '../records/example.js';
import type {SourceIdentity} from '../records/identity.js';

/**
 * One streaming transform step. `process` takes a batch and returns what passes on (it may
 * reuse and mutate the array and its examples). Steps that must see everything first (shuffle,
 * sample) or that run elsewhere (command) hold records back and release them, in batches, from
 * `finish`, which runs once after the last batch. `summary` feeds the stage log and `ft plan`:
 * a step that drops records says how many and why.
 */
export interface TransformStep {
  readonly name: string;
  process(batch: Example[]): Example[] | Promise<Example[]>;
  finish?(): AsyncIterable<Example[]> | Iterable<Example[]>;
  summary(): TransformSummary;
  /** Releases what the step holds (a child process) when the stage ends, however it ends. */
  close?(): Promise<void>;
}

/** Counts of a step: records in, records out, and per reason the records it dropped. */
export interface TransformSummary {
  readonly in: number;
  readonly out: number;
  readonly dropped?: Readonly<Record<string, number>>;
  readonly [detail: string]: unknown;
}

export interface TransformContext {
  /** Bad records: reported with their origin; the build then fails (exit 2). */
  readonly problems: DataProblems;
  /** Absolute folder of the recipe (user modules and commands are relative to it). */
  readonly dir: string;
  /** The recipe's seed, the default of seeded steps. */
  readonly seed: number;
  /** Where a step may keep work files (removed after the stage). */
  readonly tempDir: string;
  /** Identifies records a step makes from nothing of the input (a command's output). */
  readonly identity: SourceIdentity;
  readonly signal: AbortSignal;
}
