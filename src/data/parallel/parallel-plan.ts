import type {
  MissingPolicy,
  NormalizedRecipe,
  NormalizedTransform,
} from '../../recipe/normalized.js';

/**
 * How the dataset stage can spread over worker threads. Workers take chunks of JSONL lines and
 * run every step that looks at one record at a time (the prefix), then prepare what the
 * remaining steps need (the suffix: dedupe keys, split positions) and the record's final
 * canonical line. The main thread only makes the decisions that depend on order (dedupe, limit)
 * and writes the lines: the output is byte for byte the single-threaded one.
 */
export interface ParallelPlan {
  /** The leading steps that run in the workers. */
  readonly prefix: readonly NormalizedTransform[];
  /** Decisions made on the main thread, in recipe order, with their step index. */
  readonly suffix: readonly SuffixStep[];
}

export type SuffixStep =
  | {
      readonly kind: 'dedupe';
      readonly index: number;
      readonly by: readonly string[] | null;
      readonly mode: 'exact' | 'normalized';
      /** Only `error` here: the workers report such records and the build fails. */
      readonly missing: MissingPolicy;
    }
  | {readonly kind: 'limit'; readonly index: number; readonly n: number}
  | {
      readonly kind: 'split';
      readonly index: number;
      readonly validation: number;
      readonly test: number;
      readonly seed: number;
      readonly by: readonly string[] | null;
      readonly missing: MissingPolicy;
    };

/** Steps that only look at one record: safe in any worker, in any chunk. */
function isRecordLocal(step: NormalizedTransform): boolean {
  return (
    'template' in step ||
    'system' in step ||
    'rename' in step ||
    'map' in step ||
    'filter' in step ||
    'redact' in step ||
    'split' in step ||
    ('sample' in step && step.sample.fraction !== undefined)
  );
}

/**
 * The plan for a recipe, or undefined when a step needs the records themselves in order (js,
 * command, shuffle, sample n, near-duplicate dedupe), which the single-threaded path handles;
 * so does a dedupe by fields that drops or passes records without them (`missing: skip|keep`),
 * a decision the suffix would have to carry per record and step.
 */
export function parallelPlan(recipe: NormalizedRecipe): ParallelPlan | undefined {
  const steps = recipe.transforms;
  let prefixLength = 0;
  while (prefixLength < steps.length && isRecordLocal(steps[prefixLength]!)) prefixLength++;
  const suffix: SuffixStep[] = [];
  for (let index = prefixLength; index < steps.length; index++) {
    const step = steps[index]!;
    if (
      'dedupe' in step &&
      step.dedupe.mode !== 'near' &&
      (step.dedupe.by === null || step.dedupe.missing === 'error')
    ) {
      const {by, mode, missing} = step.dedupe;
      suffix.push({kind: 'dedupe', index, by, mode, missing});
    } else if ('limit' in step) suffix.push({kind: 'limit', index, n: step.limit.n});
    else if ('split' in step) suffix.push({kind: 'split', index, ...step.split});
    else return undefined;
  }
  return {prefix: steps.slice(0, prefixLength), suffix};
}
