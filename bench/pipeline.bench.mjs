// The data pipeline of `ft build` over generated JSONL files of 256 MiB and >= 1 GiB, side by
// side in the same run with jq doing the same work on the same file, for two shapes of input:
// - `mixed`: records of about 380 bytes (JSON.stringify's spacing, keys already sorted, 5%
//   repeats) through template -> filter -> dedupe -> split; jq: parse -> select -> reshape.
// - `python`: support tickets of about 500 bytes written the way Python's json.dumps writes
//   them (", " and ": " separators, keys in no order, non-ASCII as \uXXXX escapes) through
//   template -> split alone; jq: parse -> reshape.
// Targets (issues [3/8] and its follow-up): at least 5x jq's throughput for both shapes, and peak
// memory under 300 MB and flat (the larger run within 10% of the smaller).
import {execFileSync, spawnSync} from 'node:child_process';
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

const here = dirname(fileURLToPath(import.meta.url));
const ft = join(here, '..', 'dist', 'cli', 'bin.js');
const work = join(here, '.work', 'pipeline');
const MiB = 1024 * 1024;
const SIZES = [256 * MiB, 1024 * MiB + MiB];
/** Runs of each side per size. */
const RUNS = 2;

const WORDS = (
  'the of and to in is you that it he was for on are as with his they at be this have from or one had by word but not what ' +
  'all were we when your can said there use an each which she do how their if will up other about out many then them these so ' +
  'some her would make like him into time has look two more write go see number no way could people my than first water been ' +
  'call who oil its now find long down day did get come made may part café naïve 東京 データ'
).split(' ');

/**
 * Writes at least `bytes` of generated JSONL to `path` (kept when it is already there): line k
 * is `line(k, sentence, rnd)`, from a fixed xorshift `seed`, so every run reads the same data.
 */
function generate(path, bytes, seed, line) {
  if (existsSync(path) && statSync(path).size >= bytes) return;
  mkdirSync(dirname(path), {recursive: true});
  const fd = openSync(path, 'w');
  let s = seed;
  const rnd = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return s >>> 0;
  };
  const sentence = (n) => Array.from({length: n}, () => WORDS[rnd() % WORDS.length]).join(' ');
  let written = 0;
  for (let id = 0; written < bytes; ) {
    const lines = [];
    for (let k = 0; k < 5000; k++, id++) lines.push(line(id, sentence, rnd));
    const chunk = Buffer.from(`${lines.join('\n')}\n`);
    writeSync(fd, chunk);
    written += chunk.length;
  }
  closeSync(fd);
  const old = new Date(Date.now() - 3600_000);
  utimesSync(path, old, old);
}

/** Deterministic prompt/response records, 5% exact duplicates of an earlier one. */
function generateMixed(path, bytes) {
  let previous;
  generate(path, bytes, 42, (id, sentence, rnd) => {
    const record =
      id % 20 === 0 && previous
        ? {...previous, id}
        : {
            id,
            prompt: `${sentence(20 + (rnd() % 40))}?`,
            response: `${sentence(3 + (rnd() % 60))}.`,
            score: (rnd() % 1000) / 1000,
          };
    previous = record;
    return JSON.stringify(record);
  });
}

/** Python's json.dumps of a string: ensure_ascii escapes everything past ASCII as \uXXXX. */
const pythonString = (text) =>
  JSON.stringify(text).replace(
    /[\u0080-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );

/** Deterministic support tickets, written as Python's json.dumps writes them. */
function generatePython(path, bytes) {
  const queues = ['billing', 'shipping', 'returns', 'account', 'technical'];
  generate(path, bytes, 7, (id, sentence, rnd) => {
    const question = `${sentence(35 + (rnd() % 30))}?`;
    const answer = `${sentence(25 + (rnd() % 30))}.`;
    return `{"id": "t-${String(id).padStart(8, '0')}", "question": ${pythonString(question)}, "answer": ${pythonString(answer)}, "queue": "${queues[rnd() % queues.length]}", "priority": ${1 + (rnd() % 5)}}`;
  });
}

const SHAPES = [
  {
    name: 'mixed',
    generate: generateMixed,
    recipe: `version: 1
name: pipeline-bench
sources:
  qa: { path: data.jsonl }
transforms:
  - template: { user: "{{prompt}}", assistant: "{{response}}" }
  - filter: { where: [{ field: messages.1.content, min_length: 5 }] }
  - dedupe: {}
  - split: { validation: 0.1 }
`,
    jq: 'select((.response | length) >= 5) | {messages: [{role: "user", content: .prompt}, {role: "assistant", content: .response}]}',
  },
  {
    name: 'python',
    generate: generatePython,
    recipe: `version: 1
name: pipeline-bench-python
sources:
  qa: { path: data.jsonl }
transforms:
  - template: { system: "Route the ticket.", user: "{{question}}", assistant: "{{answer}}" }
  - split: { validation: 0.1, test: 0.1 }
`,
    jq: '{messages: [{role: "system", content: "Route the ticket."}, {role: "user", content: .question}, {role: "assistant", content: .answer}]}',
  },
];

/**
 * Wall seconds and peak RSS (MB) of a command, via GNU time when present. Dirty pages that other
 * work left (the hashing bench writes gigabytes) are flushed first, so that their writeback does
 * not land in the middle of one side's run.
 */
function measure(command, args, cwd, stdoutFile) {
  spawnSync('sync');
  const gnuTime = existsSync('/usr/bin/time');
  const out = stdoutFile ? openSync(stdoutFile, 'w') : 'pipe';
  const start = process.hrtime.bigint();
  const r = gnuTime
    ? spawnSync('/usr/bin/time', ['-f', '%M', command, ...args], {
        cwd,
        stdio: ['ignore', out, 'pipe'],
        env: {...process.env, CI: '1'},
      })
    : spawnSync(command, args, {
        cwd,
        stdio: ['ignore', out, 'pipe'],
        env: {...process.env, CI: '1'},
      });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (typeof out === 'number') closeSync(out);
  if (r.status !== 0)
    throw new Error(`${command} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  const lines = String(r.stderr).trim().split('\n');
  const peakMb = gnuTime ? Number(lines.at(-1)) / 1024 : Number.NaN;
  return {seconds, peakMb, stdout: r.stdout ? String(r.stdout) : ''};
}

try {
  execFileSync('jq', ['--version']);
} catch {
  console.log('jq is not installed: apt-get install jq (the baseline of this bench)');
  process.exit(1);
}

let failed = false;
// `node bench/pipeline.bench.mjs python` runs one shape.
const only = process.argv.slice(2);
for (const shape of SHAPES.filter((s) => only.length === 0 || only.includes(s.name))) {
  console.log(`${shape.name}:`);
  const results = [];
  for (const size of SIZES) {
    const dir = join(work, shape.name, `${Math.round(size / MiB)}MiB`);
    mkdirSync(dir, {recursive: true});
    shape.generate(join(dir, 'data.jsonl'), size);
    writeFileSync(join(dir, 'finetune.yaml'), shape.recipe);
    const bytes = statSync(join(dir, 'data.jsonl')).size;
    // Each side runs RUNS times, alternating, and its best time counts (the machine is shared and
    // noisy: the best run is the one least disturbed); ft's memory is the largest of its runs.
    let pipeline = Number.POSITIVE_INFINITY;
    let peakMb = 0;
    let buildSeconds = Number.POSITIVE_INFINITY;
    let jqSeconds = Number.POSITIVE_INFINITY;
    for (let run = 0; run < RUNS; run++) {
      // A cold build from an empty store: the source's hashing, then the pipeline (the dataset
      // stage), whose own time is the one compared with jq.
      rmSync(join(dir, '.ft'), {recursive: true, force: true});
      rmSync(join(dir, 'finetune.lock'), {force: true});
      const build = measure(process.execPath, [ft, 'build', '--json'], dir);
      const end = build.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
        .find((e) => e.event === 'stage-end' && e.id === 'dataset');
      if (end?.status !== 'ran') throw new Error(`the dataset stage did not run: ${build.stdout}`);
      pipeline = Math.min(pipeline, end.duration_ms / 1000);
      buildSeconds = Math.min(buildSeconds, build.seconds);
      peakMb = Math.max(peakMb, build.peakMb);
      const jq = measure('jq', ['-c', shape.jq, 'data.jsonl'], dir, join(dir, 'jq.out'));
      rmSync(join(dir, 'jq.out'), {force: true});
      jqSeconds = Math.min(jqSeconds, jq.seconds);
    }
    results.push({size: bytes, peakMb});
    const ratio = jqSeconds / pipeline;
    const coldRatio = jqSeconds / buildSeconds;
    console.log(
      `  ${(bytes / MiB).toFixed(0)} MiB: ft pipeline ${pipeline.toFixed(1)} s (${(bytes / MiB / pipeline).toFixed(0)} MiB/s; ` +
        `cold build with source hashing ${buildSeconds.toFixed(1)} s, ${coldRatio.toFixed(1)}x jq), ` +
        `jq ${jqSeconds.toFixed(1)} s (${(bytes / MiB / jqSeconds).toFixed(0)} MiB/s): ${ratio.toFixed(1)}x jq (target >= 5x) ${ratio >= 5 ? 'PASS' : 'FAIL'}; ` +
        `ft peak memory ${peakMb.toFixed(0)} MB (target < 300 MB) ${peakMb < 300 ? 'PASS' : 'FAIL'}`,
    );
    if (ratio < 5 || !(peakMb < 300)) failed = true;
    // The store holds a copy of the data: the next run starts from nothing.
    rmSync(join(dir, '.ft'), {recursive: true, force: true});
  }
  const [small, large] = results;
  const growth = large.peakMb - small.peakMb;
  console.log(
    `  memory from ${(small.size / MiB).toFixed(0)} MiB to ${(large.size / MiB).toFixed(0)} MiB of input: ${small.peakMb.toFixed(0)} -> ${large.peakMb.toFixed(0)} MB ` +
      `(${growth >= 0 ? '+' : ''}${growth.toFixed(0)} MB; target: flat, within 10% ${Math.abs(growth) <= small.peakMb * 0.1 ? 'PASS' : 'FAIL'})`,
  );
  if (Math.abs(growth) > small.peakMb * 0.1) failed = true;
}
process.exit(failed ? 1 : 0);
