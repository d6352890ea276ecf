// Hashing and no-op builds over >= 1 GiB of sources, side by side with `openssl dgst -sha256`
// over the same bytes in the same run. Targets (issue [1/8]):
//   - a no-op `ft build` takes under 10% of openssl's time to hash the sources;
//   - the cold build hashes at >= 0.9x openssl's throughput.
// Files stay in the page cache for both tools (each is read once before timing), so the
// comparison is hashing + I/O path, not disk speed.
import {execFileSync} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {median, noopRounds, runFt, time} from './lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const _ft = join(here, '..', 'dist', 'cli', 'bin.js');
const work = join(here, '.work', 'hashing');
const FILES = 8;
const FILE_BYTES = 128 * 1024 * 1024 + 4096; // 8 x 128 MiB (+ a little) > 1 GiB

function generate() {
  mkdirSync(join(work, 'data'), {recursive: true});
  const names = [];
  for (let f = 0; f < FILES; f++) {
    const name = `data/part-${f}.jsonl`;
    names.push(name);
    const path = join(work, name);
    if (existsSync(path) && statSync(path).size >= FILE_BYTES) continue;
    const fd = openSync(path, 'w');
    let written = 0;
    let i = 0;
    while (written < FILE_BYTES) {
      const lines = [];
      for (let k = 0; k < 2000; k++, i++) {
        const text = randomBytes(90).toString('base64');
        lines.push(
          JSON.stringify({prompt: `q${f}-${i} ${text.slice(0, 60)}`, response: text.slice(60)}),
        );
      }
      const chunk = Buffer.from(`${lines.join('\n')}\n`);
      writeSync(fd, chunk);
      written += chunk.length;
    }
    closeSync(fd);
    // Old mtimes: the stat cache's racy-clean guard only distrusts files changed just now.
    const old = new Date(Date.now() - 3600_000);
    utimesSync(path, old, old);
  }
  const sources = names.map((n, i) => `  p${i}: { path: ${n} }`).join('\n');
  writeFileSync(
    join(work, 'finetune.yaml'),
    `version: 1\nname: hashing-bench\nsources:\n${sources}\ntransforms:\n  - split: { validation: 0.01 }\n`,
  );
  return names.map((n) => join(work, n));
}

const files = generate();
const bytes = files.reduce((sum, f) => sum + statSync(f).size, 0);
console.log(`sources: ${files.length} files, ${(bytes / 2 ** 30).toFixed(2)} GiB`);
const openssl = () => execFileSync('openssl', ['dgst', '-sha256', ...files], {stdio: 'pipe'});
openssl(); // warm the page cache for both tools

// Cold hashing: only the source stages, from an empty store, alternating with openssl.
const sourceStages = files.map((_, i) => `source:p${i}`);
const coldFt = [];
const coldSsl = [];
for (let round = 0; round < 3; round++) {
  rmSync(join(work, '.ft'), {recursive: true, force: true});
  rmSync(join(work, 'finetune.lock'), {force: true});
  coldFt.push(time(() => runFt(work, ['build', ...sourceStages])));
  coldSsl.push(time(openssl));
}
const ftRate = bytes / median(coldFt);
const sslRate = bytes / median(coldSsl);
console.log(
  `cold hashing: ft ${(ftRate / 2 ** 20).toFixed(0)} MiB/s, openssl ${(sslRate / 2 ** 20).toFixed(0)} MiB/s, ratio ${(ftRate / sslRate).toFixed(2)}x (target >= 0.90x) ${ftRate / sslRate >= 0.9 ? 'PASS' : 'FAIL'}`,
);

// No-op: a full build first (dataset included), then builds with nothing to do.
const full = time(() => runFt(work, ['build']));
console.log(
  `full cold build (sources + dataset over ${(bytes / 2 ** 30).toFixed(2)} GiB): ${full.toFixed(1)} s`,
);
const {noop, base: ssl} = noopRounds(work, openssl);
const ratio = median(noop) / median(ssl);
console.log(
  `no-op build: ft ${(median(noop) * 1000).toFixed(0)} ms vs openssl ${(median(ssl) * 1000).toFixed(0)} ms = ${(ratio * 100).toFixed(1)}% (target < 10%) ${ratio < 0.1 ? 'PASS' : 'FAIL'}`,
);
