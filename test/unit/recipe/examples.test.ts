import {readdirSync} from 'node:fs';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {describe, expect, it} from 'vitest';
import {loadRecipe} from '../../../src/recipe/load.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const recipes = [
  'finetune.yaml',
  ...readdirSync(join(root, 'recipes')).map((d) => join('recipes', d, 'finetune.yaml')),
];

describe('the recipes shipped in this repository', () => {
  it.each(recipes)('%s is valid', (file) => {
    const loaded = loadRecipe(file, {cwd: root});
    expect(loaded.ok ? [] : loaded.error.map((d) => d.message)).toEqual([]);
  });

  it("the issue's smoke recipe is valid as written", () => {
    const loaded = loadRecipe('recipes/smoke/finetune.yaml', {cwd: root});
    expect(loaded.ok && loaded.value.normalized.transforms).toEqual([
      {template: {user: '{{prompt}}', assistant: '{{response}}'}},
      {split: {validation: 0.2, test: 0, seed: 0, by: null, missing: 'error'}},
    ]);
  });
});
