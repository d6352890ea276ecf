import {readdirSync, readFileSync} from 'node:fs';
import {join, relative, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';
import {describe, expect, it} from 'vitest';

/**
 * The folders under src/ are the pipeline, and imports flow one way:
 * cli -> recipe, plan, run, console, report, data; run -> plan, stages; stages -> data, train,
 * eval; report (the documents a build leaves) -> run, eval, console;
 * train -> data; everything -> core. stages/ holds what each stage kind is (its key, its
 * preflight, its run) and calls into the domain folders (data/, train/, eval/), which never
 * import stages/: they know nothing of the stage graph. recipe/ and plan/ stay pure (no
 * printing, no processes); core/ imports nothing of ours.
 */
const src = fileURLToPath(new URL('../../src', import.meta.url));
const allowed: Record<string, string[]> = {
  core: [],
  recipe: ['core'],
  plan: ['core', 'recipe'],
  data: ['core', 'recipe', 'tokens'],
  train: ['core', 'recipe', 'data'],
  openai: ['core', 'recipe', 'data', 'train'],
  stages: ['core', 'plan', 'recipe', 'data', 'train', 'eval', 'openai'],
  run: ['core', 'plan', 'recipe', 'stages', 'console'],
  console: ['core', 'plan'],
  report: ['core', 'plan', 'recipe', 'eval', 'run', 'console'],
  cli: ['core', 'recipe', 'plan', 'run', 'console', 'report', 'data', 'train', 'eval', 'openai'],
  tokens: [],
  eval: ['core', 'tokens'],
};

function files(dir: string): string[] {
  return readdirSync(dir, {recursive: true, withFileTypes: true})
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath, e.name));
}

/** The files of ours that a file imports, as paths under src/: static, type-only and dynamic. */
function importsOf(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(/(?:from|import\()\s*'(\.{1,2}\/[^']+)'/g)].map(
    (m) => relative(src, resolve(file, '..', m[1]!.replace(/\.js$/, '.ts'))),
  );
}

describe('architecture', () => {
  it('imports go one way between the folders of src/', () => {
    const violations: string[] = [];
    for (const file of files(src)) {
      const from = relative(src, file).split('/')[0]!;
      for (const target of importsOf(file)) {
        const to = target.split('/')[0]!;
        if (to !== from && !(allowed[from] ?? []).includes(to)) {
          violations.push(`${relative(src, file)} imports ${to}/`);
        }
      }
    }
    expect(violations).toEqual([]);
  });

  it('no file imports itself through others', () => {
    const graph = new Map(files(src).map((f) => [relative(src, f), importsOf(f)]));
    const cycles: string[] = [];
    const done = new Set<string>();
    /** Depth first; `path` is the chain of imports from the root to `file`. */
    const visit = (file: string, path: string[]) => {
      const at = path.indexOf(file);
      if (at >= 0) {
        cycles.push([...path.slice(at), file].join(' -> '));
        return;
      }
      if (done.has(file)) return;
      for (const next of graph.get(file) ?? []) visit(next, [...path, file]);
      done.add(file);
    };
    for (const file of graph.keys()) visit(file, []);
    expect(cycles).toEqual([]);
  });

  it('only cli/ and report/ print', () => {
    const printing = files(src)
      .filter((f) => !/\/(cli|report)\//.test(f))
      // The embedded trainer is its own process: its entry file prints protocol events (only it).
      .filter((f) => relative(src, f) !== 'train/embedded/main.ts')
      .filter((f) =>
        /console\.(log|error|warn)|process\.(stdout|stderr)\.write/.test(readFileSync(f, 'utf8')),
      )
      .map((f) => relative(src, f));
    expect(printing).toEqual([]);
  });
});
