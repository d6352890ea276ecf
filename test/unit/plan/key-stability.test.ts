import {describe, expect, it} from 'vitest';
import type {Sha256} from '../../../src/core/hash.js';
import {
  datasetFingerprint,
  fileSetOf,
  keyOf,
  sourceFingerprint,
  trainFingerprint,
} from '../../../src/plan/fingerprint.js';
import type {NormalizedRecipe} from '../../../src/recipe/normalized.js';

/**
 * Pins the keys of one fixed recipe. Changing the fingerprint scheme (a field, its layout, the
 * canonical JSON) changes every key users have in their lockfiles and caches: this test makes
 * that a deliberate act (bump an IMPLEMENTATION version and update the values here).
 */
const recipe: NormalizedRecipe = {
  name: 'pinned',
  seed: 3,
  dir: '/anywhere',
  file: 'finetune.yaml',
  reportDir: '/anywhere/ft-report',
  sources: [{name: 'qa', kind: 'files', path: 'data/qa.jsonl', on_error: 'fail'}],
  transforms: [
    {template: {system: 'Be brief.', user: '{{prompt}}', assistant: '{{response}}'}},
    {split: {validation: 0.2, test: 0.1, seed: 3, by: null, missing: 'error'}},
  ],
  targets: [
    {
      name: 'default',
      backend: {type: 'openai', model: 'gpt-4o-mini-2024-07-18'},
      hyperparameters: {n_epochs: 3},
    },
  ],
};
const hash = (c: string) => `sha256:${c.repeat(64)}` as Sha256;

describe('stage keys are stable', () => {
  it('for a fixed recipe', () => {
    const source = sourceFingerprint(recipe.sources[0]!, {files: {'data/qa.jsonl': hash('a')}});
    // A source of more than FILE_SET_THRESHOLD files: keyed by the hash of its file list.
    const many = Array.from({length: 1001}, (_, i) => [`data/${i}.jsonl`, hash('e')] as const);
    const sourceSet = sourceFingerprint(recipe.sources[0]!, {file_set: fileSetOf(many).set});
    const dataset = datasetFingerprint(recipe, {qa: hash('b')});
    const train = trainFingerprint(recipe.targets[0]!, recipe.seed, {
      'train.jsonl': hash('c'),
      'validation.jsonl': hash('d'),
    });
    expect({
      source: keyOf(source),
      sourceSet: keyOf(sourceSet),
      dataset: keyOf(dataset),
      train: keyOf(train),
    }).toMatchInlineSnapshot(`
      {
        "dataset": "sha256:e69c30bcc4dcc1367982d25fccf61354b22b48a8ff28eb120f6c036704a7a6a0",
        "source": "sha256:3b7f55a16364bdec836256c4896f7f1d0831f6a3d6a5e7cd078d148797c1e06c",
        "sourceSet": "sha256:9823cff8e67f403626a3cf7e6504083a5fcb67df917dc0ece0e0e79b02e03bda",
        "train": "sha256:6a51916bdb91d9ddfae12987285d6656905cdecbf8861801ed8cbdd7bd64df05",
      }
    `);
  });

  it('do not depend on where the project lives or what the recipe is called', () => {
    const moved = {...recipe, dir: '/elsewhere', name: 'renamed'};
    expect(keyOf(datasetFingerprint(moved, {qa: hash('b')}))).toBe(
      keyOf(datasetFingerprint(recipe, {qa: hash('b')})),
    );
  });
});
