import type {SplitName} from './records/example.js';

/**
 * The dataset stage's output file of each split. Stages that read a split (train, eval) and
 * `ft data head` name it by these; this module imports nothing at run time, so they can without
 * loading the pipeline.
 */
export const SPLIT_FILES: Readonly<Record<SplitName, string>> = {
  train: 'train.jsonl',
  validation: 'validation.jsonl',
  test: 'test.jsonl',
};

/** The output file of each split's ids: line for line, the source record of each example. */
export const ID_FILES: Readonly<Record<SplitName, string>> = {
  train: 'train.ids',
  validation: 'validation.ids',
  test: 'test.ids',
};
