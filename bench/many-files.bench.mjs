// A glob source of 100,000 small files (issue 9, section 6), side by side in the same run with
// `find -newer` over the same files (the floor: it walks the folders and stats every file, in C).
// Target: a no-op `ft build` under 1 s. Also printed: the cold build (source hashing and the
// dataset stage) and the lockfile's size. Before the fix, on the issue's machine: cold 384 s,
// no-op 4.7 s, lockfile 11.5 MB.
import {execFileSync} from 'node:child_process';
import {existsSync, mkdirSync, rmSync, statSync, utimesSync, writeFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {median, noopRounds, runFt, time} from './lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const _ft = join(here, '..', 'dist', 'cli', 'bin.js');
const work = join(here, '.work', 'many-files');
const FILES = 100_000;
const PER_FOLDER = 1000;

function generate() {
  const done = join(work, `.generated-${FILES}`);
  if (existsSync(done)) return;
  rmSync(work, {recursive: true, force: true});
  // Old mtimes: the stat cache's racy-clean guard only distrusts files changed just now.
  const old = new Date(Date.now() - 3600_000);
  for (let i = 0; i < FILES; i++) {
    const folder = join(work, 'data', String(Math.floor(i / PER_FOLDER)).padStart(3, '0'));
    if (i % PER_FOLDER === 0) mkdirSync(folder, {recursive: true});
    const path = join(folder, `f${String(i).padStart(6, '0')}.jsonl`);
    writeFileSync(path, `${JSON.stringify({prompt: `question ${i}?`, response: `answer ${i}`})}\n`);
    utimesSync(path, old, old);
  }
  writeFileSync(
    join(work, 'finetune.yaml'),
    'version: 1\nname: many-files-bench\nsources:\n  many: { path: "data/**/*.jsonl" }\ntransforms:\n  - split: { validation: 0.1 }\n',
  );
  writeFileSync(done, '');
}

generate();
// `-newer` makes find stat every file (a plain -type f reads the type from the folder entry).
const find = () =>
  execFileSync('find', ['data', '-type', 'f', '-newer', 'finetune.yaml'], {
    cwd: work,
    stdio: 'pipe',
  });
find(); // the same warm page and inode caches for both

rmSync(join(work, '.ft'), {recursive: true, force: true});
rmSync(join(work, 'finetune.lock'), {force: true});
const cold = time(() => runFt(work, ['build']));
const lockBytes = statSync(join(work, 'finetune.lock')).size;
console.log(
  `cold build (${FILES.toLocaleString('en-US')} files, sources + dataset): ${cold.toFixed(1)} s`,
);
console.log(`lockfile: ${(lockBytes / 1024).toFixed(1)} KB`);

const {noop, base: baseline} = noopRounds(work, find);
const ms = (s) => `${(s * 1000).toFixed(0)} ms`;
console.log(
  `no-op build: ft ${ms(median(noop))} vs find -newer ${ms(median(baseline))} = ${(median(noop) / median(baseline)).toFixed(1)}x (target: ft < 1000 ms) ${median(noop) < 1 ? 'PASS' : 'FAIL'}`,
);
