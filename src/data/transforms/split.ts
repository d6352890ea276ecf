import type {MissingPolicy} from '../../recipe/normalized.js';
import type {Example, MissingGroup, SplitName} from '../records/example.js';
import {sourceIdOf} from '../records/identity.js';
import {byLabels, MissingFields} from './missing-fields.js';
import {type PositionKey, positionKey, positionOf} from './position.js';
import type {TransformContext, TransformStep} from './transform.js';

export interface SplitOptions {
  readonly validation: number;
  readonly test: number;
  readonly seed: number;
  readonly by: readonly string[] | null;
  readonly missing: MissingPolicy;
}

/**
 * The position in [0, 1) of a split key (a source record's id, or its group's with `by`):
 * splitmix64 of the key's first 64 bits XOR the first 8 bytes of sha256("split:<seed>"), over
 * 2^64 (position.ts). It depends on nothing but the source record (never on what the transforms
 * made of it) and the seed, so adding or removing a record never moves another, prompt edits
 * move nothing, and the records one source record becomes land together.
 */
export function splitPosition(key: string, seed: number): number {
  return positionOf(key, splitKeyOf(seed));
}

let lastSeed: number | undefined;
let lastKey: PositionKey | undefined;

/** The split's position key for a seed (the last one is kept: a recipe has one split). */
function splitKeyOf(seed: number): PositionKey {
  if (seed !== lastSeed) {
    lastKey = positionKey('split', seed);
    lastSeed = seed;
  }
  return lastKey!;
}

/** validation when u < validation, test when u < validation + test, train otherwise. */
export function splitOf(
  u: number,
  options: {readonly validation: number; readonly test: number},
): SplitName {
  if (u < options.validation) return 'validation';
  if (u < options.validation + options.test) return 'test';
  return 'train';
}

/**
 * What places an example: its group with `by`, else its source record's id; with `by`, the
 * field its source record lacks when it lacks one (the caller asks MissingFields what then).
 */
export function splitKey(example: Example): string | MissingGroup {
  const group = example.group;
  return group === undefined ? sourceIdOf(example.id) : group;
}

/**
 * Tags each example with its split, placed by its source record (splitPosition). With `by`, a
 * record whose source record lacks one of the fields is handled by `missing`: an error, dropped
 * (`missing <field>`), or placed by its whole source record (`keep`).
 */
export function splitTransform(
  options: SplitOptions,
  ctx: TransformContext,
  index = 0,
): TransformStep {
  const counts = {train: 0, validation: 0, test: 0};
  const missing = new MissingFields('split', index, options.missing, () => ctx.problems);
  const labels = byLabels(options.by);
  let seen = 0;
  return {
    name: 'split',
    process(batch: Example[]) {
      let kept = 0;
      for (const example of batch) {
        seen++;
        const split = placeOf(example, options, missing, labels);
        if (split === undefined) continue;
        example.split = split;
        counts[split]++;
        batch[kept++] = example;
      }
      batch.length = kept;
      return batch;
    },
    summary: () => {
      const out = counts.train + counts.validation + counts.test;
      return {in: seen, out, ...counts, ...missing.droppedField(), ...missing.summary()};
    },
  };
}

/**
 * The split of one example, or undefined when its source record lacks a `by` field and
 * `missing` drops it (an error is reported through `missing`). Counts the `by` fields.
 */
export function placeOf(
  example: Example,
  options: SplitOptions,
  missing: MissingFields,
  labels: readonly string[],
): SplitName | undefined {
  const key = splitKey(example);
  let placed: string;
  if (typeof key === 'string') {
    for (let k = 0; k < labels.length; k++)
      missing.check(example, labels[k]!, options.by![k]!, true);
    placed = key;
  } else {
    const k = options.by!.indexOf(key.missing);
    const outcome = missing.check(example, labels[k]!, key.missing, undefined, {names: key.names});
    if (outcome === 'drop') return undefined;
    placed = sourceIdOf(example.id);
  }
  return splitOf(splitPosition(placed, options.seed), options);
}
