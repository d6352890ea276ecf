import {readdirSync, readFileSync} from 'node:fs';
import {join, relative, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';
import {describe, expect, it} from 'vitest';

/**
 * The folders under src/ are the pipeline, and imports flow one way:
 * cli -> recipe, plan, run, report; run -> plan, stages; everything -> core.
 * recipe/ and plan/ stay pure (no printing, no processes); core/ imports nothing of ours.
 */
const src = fileURLToPath(new URL('../../src', import.meta.url));
const allowed: Record<string, string[]> = {
  core: [],
  recipe: ['core'],
  plan: ['core', 'recipe'],
  data: ['core', 'recipe', 'tokens'],
  train: ['core', 'recipe', 'data'],
  stages: ['core', 'plan', 'recipe', 'tokens', 'data', 'train'],
  run: ['core', 'plan', 'recipe', 'stages', 'report'],
  report: ['core', 'plan'],
  cli: ['core', 'recipe', 'plan', 'run', 'report', 'stages', 'data'],
  tokens: [],
  eval: ['core', 'tokens'],
};

function files(dir: string): string[] {
  return readdirSync(dir, {recursive: true, withFileTypes: true})
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath, e.name));
}

describe('architecture', () => {
  it('imports go one way between the folders of src/', () => {
    const violations: string[] = [];
    for (const file of files(src)) {
      const from = relative(src, file).split('/')[0]!;
      for (const m of readFileSync(file, 'utf8').matchAll(/from '(\.{1,2}\/[^']+)'/g)) {
        const to = relative(src, resolve(file, '..', m[1]!)).split('/')[0]!;
        if (to !== from && !(allowed[from] ?? []).includes(to)) {
          violations.push(`${relative(src, file)} imports ${to}/`);
        }
      }
    }
    expect(violations).toEqual([]);
  });

  it('only cli/ and report/ print', () => {
    const printing = files(src)
      .filter((f) => !/\/(cli|report)\//.test(f))
      .filter((f) =>
        /console\.(log|error|warn)|process\.(stdout|stderr)\.write/.test(readFileSync(f, 'utf8')),
      )
      .map((f) => relative(src, f));
    expect(printing).toEqual([]);
  });
});
