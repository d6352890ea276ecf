import {canonicalJson} from '../../core/canonical-json.js';
import type {Example, SplitName} from '../records/example.js';
import {position, positionOf} from './position.js';
import type {TransformStep} from './transform.js';

export interface SplitOptions {
  readonly validation: number;
  readonly test: number;
  readonly seed: number;
}

/**
 * The position of an example in [0, 1): the first 8 bytes of
 * sha256("<seed>:" + canonical JSON of the example), as a big-endian unsigned integer, divided
 * by 2^64. Depends on nothing but the example and the seed, so adding or removing one example
 * never moves another, and identical examples always land together (no leak across splits).
 * Number(bigint) rounds to nearest and the division by a power of two is exact, so this equals
 * Python's `int.from_bytes(h[:8], 'big') / 2**64`.
 */
export function splitPosition(record: unknown, seed: number): number {
  return position(record, `${seed}:`);
}

/** validation when u < validation, test when u < validation + test, train otherwise. */
export function splitOf(u: number, options: SplitOptions): SplitName {
  if (u < options.validation) return 'validation';
  if (u < options.validation + options.test) return 'test';
  return 'train';
}

/**
 * With `keepCanonical`, the canonical text split computes is left on each example for the writer
 * (no second serialization); only safe when no later step changes records (createTransforms).
 */
export function splitTransform(options: SplitOptions, keepCanonical = false): TransformStep {
  const counts = {train: 0, validation: 0, test: 0};
  return {
    name: 'split',
    process(batch: Example[]) {
      const prefix = `${options.seed}:`;
      for (const example of batch) {
        const canonical = canonicalJson(example.record);
        if (keepCanonical) example.canonical = canonical;
        const split = splitOf(positionOf(canonical, prefix), options);
        example.split = split;
        counts[split]++;
      }
      return batch;
    },
    summary: () => {
      const total = counts.train + counts.validation + counts.test;
      return {in: total, out: total, ...counts};
    },
  };
}
