// `ft validate` on a recipe of 50,000 and of 200,000 inline examples (issue 9, section 6), side by
// side in the same run with the `yaml` package alone parsing the same file (the floor: ft parses
// it with yaml, then validates and locates every example). Target: linear, the time per example
// at 200,000 within 1.5x of the time at 50,000 (quadratic work makes it about 4x). Before the fix,
// on the machine: 11.7 s at 50,000, 180 s at 200,000.
import {spawnSync} from 'node:child_process';
import {existsSync, mkdirSync, writeFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {median} from './lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const ft = join(root, 'dist', 'cli', 'bin.js');
const work = join(here, '.work', 'inline-examples');
const SIZES = [50_000, 200_000];

function generate(n) {
  const dir = join(work, String(n));
  const file = join(dir, 'finetune.yaml');
  if (existsSync(file)) return dir;
  mkdirSync(dir, {recursive: true});
  const lines = ['version: 1', 'name: inline-bench', 'sources:', '  qa:', '    examples:'];
  for (let i = 0; i < n; i++) {
    lines.push(`      - { prompt: "What is ${i} + 1?", response: "${i + 1}" }`);
  }
  lines.push('transforms:', '  - split: { validation: 0.1 }');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return dir;
}

function run(args, cwd) {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, {
    cwd,
    encoding: 'utf8',
    env: {...process.env, CI: '1'},
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
  return seconds;
}

// The baseline: parse the recipe with the yaml package ft uses, and nothing else.
const parseOnly = `import {readFileSync} from 'node:fs';
import {LineCounter, parseAllDocuments} from 'yaml';
const docs = parseAllDocuments(readFileSync('finetune.yaml', 'utf8'), {lineCounter: new LineCounter(), uniqueKeys: true});
if (docs[0].errors.length > 0) process.exit(1);`;

const perExample = {};
for (const n of SIZES) {
  const dir = generate(n);
  const ftTimes = [];
  const yamlTimes = [];
  for (let round = 0; round < 3; round++) {
    ftTimes.push(run([ft, 'validate'], dir));
    // From the repository root, so that the import finds ft's own yaml package.
    yamlTimes.push(
      run(
        [
          '--input-type=module',
          '-e',
          parseOnly.replace('finetune.yaml', join(dir, 'finetune.yaml')),
        ],
        root,
      ),
    );
  }
  const [t, y] = [median(ftTimes), median(yamlTimes)];
  perExample[n] = t / n;
  console.log(
    `validate ${n.toLocaleString('en-US')} inline examples: ft ${t.toFixed(2)} s (${((t / n) * 1e6).toFixed(1)} us each) vs yaml parse ${y.toFixed(2)} s = ${(t / y).toFixed(2)}x`,
  );
}
const ratio = perExample[SIZES[1]] / perExample[SIZES[0]];
console.log(
  `time per example, ${SIZES[1].toLocaleString('en-US')} vs ${SIZES[0].toLocaleString('en-US')}: ${ratio.toFixed(2)}x (target <= 1.50x: linear) ${ratio <= 1.5 ? 'PASS' : 'FAIL'}`,
);
