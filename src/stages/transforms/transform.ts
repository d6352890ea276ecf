import type {DataProblems} from '../records/data-error.js';
import type {Example} from '../records/example.js';

/**
 * One streaming transform step. `process` takes a batch and returns what passes on (it may
 * reuse the array). Steps that must see everything first (shuffle, sample) hold records back and
 * release them from `finish`. `summary` feeds the stage log and `ft plan`: a step that drops
 * records says how many and why.
 */
export interface TransformStep {
  readonly name: string;
  process(batch: Example[]): Example[];
  finish?(): Example[];
  summary(): Readonly<Record<string, unknown>>;
}

export interface TransformContext {
  readonly problems: DataProblems;
}
