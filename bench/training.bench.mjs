// Embedded trainer speed against PyTorch on the CPU, side by side in one run: the same
// decoder-only transformer (4 layers, 128 wide, 4 heads, batch 8 x 128 tokens, AdamW, gradient
// clipping) trained by ft's embedded trainer and by bench/torch_baseline.py, with 2 threads and
// with 1, alternating rounds so both see the same machine. Prints tokens/s (input tokens through
// forward + backward + optimizer step, the first step excluded), the ratio to PyTorch against
// the 0.25x target (PASS/FAIL at 2 threads), and each side's peak RSS. Exit code 1 on FAIL.
// Needs `npm run build`. PyTorch is looked for with PYTHONPATH=$FT_BENCH_TORCH, then
// PYTHONPATH=/tmp/torch213, then in plain python3; without it only ft's numbers are printed.
// Usage: node bench/training.bench.mjs [--steps 20] [--rounds 3]
import {spawnSync} from 'node:child_process';
import {copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {cpus, loadavg, tmpdir} from 'node:os';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {median} from './lib.mjs';

const TARGET_RATIO = 0.25;
const SEQ = 128;
const BATCH = 8;
const LAYERS = 4;
const WIDTH = 128;
const HEADS = 4;
const VOCAB = 261; // the embedded tokenizer's
const HP = {
  n_layer: LAYERS,
  d_model: WIDTH,
  n_head: HEADS,
  batch_size: BATCH,
  max_seq_len: SEQ,
  n_epochs: 1,
  grad_clip: 1,
};
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};

if (process.argv[2] === '--child') {
  // One ft training run in this process: prints {tokens_per_s, peak_rss_mib}.
  const [, , , threads, steps] = process.argv;
  const {train} = await import('../dist/train/embedded/train.js');
  const dir = mkdtempSync(join(tmpdir(), 'ft-training-bench-'));
  // Examples of at least SEQ + 1 tokens: <user> 60 bytes <eot> <assistant> bytes... (truncated).
  const text = (i) =>
    Array.from({length: 200}, (_, j) => String.fromCharCode(97 + ((i * 7 + j * 3) % 26))).join('');
  const lines = Array.from({length: BATCH * (Number(steps) + 1)}, (_, i) =>
    JSON.stringify({
      messages: [
        {role: 'user', content: text(i).slice(0, 60)},
        {role: 'assistant', content: text(i + 1)},
      ],
    }),
  );
  writeFileSync(join(dir, 'train.jsonl'), `${lines.join('\n')}\n`);
  const times = [];
  await train(
    {
      protocol: 1,
      stage: 'train:bench',
      base_model: 'embedded:tiny',
      train_file: join(dir, 'train.jsonl'),
      validation_file: null,
      format: 'chat',
      hyperparameters: HP,
      seed: 0,
      output_dir: join(dir, 'out'),
      resume_from: null,
    },
    Number(threads),
    (e) => {
      if (e.type === 'progress') times.push(performance.now());
    },
  );
  rmSync(dir, {recursive: true, force: true});
  const seconds = (times.at(-1) - times[0]) / 1000;
  const tokens = (times.length - 1) * BATCH * SEQ;
  const peak = Math.round(process.resourceUsage().maxRSS / 1024);
  process.stdout.write(`${JSON.stringify({tokens_per_s: tokens / seconds, peak_rss_mib: peak})}\n`);
} else {
  const steps = arg('steps', 20);
  const rounds = arg('rounds', 3);
  const here = dirname(fileURLToPath(import.meta.url));
  const self = fileURLToPath(import.meta.url);

  /** The environment under which python3 imports torch, or null. */
  const findTorch = () => {
    const candidates = [process.env.FT_BENCH_TORCH, '/tmp/torch213']
      .filter((path) => path !== undefined && path !== '')
      .map((path) => ({env: {...process.env, PYTHONPATH: path}, where: `PYTHONPATH=${path}`}));
    candidates.push({env: process.env, where: 'python3'});
    for (const c of candidates) {
      if (spawnSync('python3', ['-c', 'import torch'], {env: c.env}).status === 0) return c;
    }
    return null;
  };

  const ft = (threads) => {
    const r = spawnSync(process.execPath, [self, '--child', String(threads), String(steps)], {
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`ft's run failed:\n${r.stderr}`);
    return JSON.parse(r.stdout.trim().split('\n').at(-1));
  };
  const torchRun = (torch, threads) => {
    const args = [join(here, 'torch_baseline.py')];
    for (const [k, v] of Object.entries({
      layers: LAYERS,
      width: WIDTH,
      heads: HEADS,
      batch: BATCH,
      seq: SEQ,
      vocab: VOCAB,
      threads,
      steps,
    }))
      args.push(`--${k}`, String(v));
    const r = spawnSync('python3', args, {env: torch.env, encoding: 'utf8'});
    if (r.status !== 0) throw new Error(`PyTorch's run failed:\n${r.stderr}`);
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1));
    return {
      tokens_per_s: out.tokens_per_s,
      peak_rss_mib: Math.round(out.peak_rss_mb),
      v: out.torch,
    };
  };

  const torch = findTorch();
  // Other work on the machine skews 2-thread numbers most (PyTorch's thread pool spins).
  console.log(
    `machine: ${cpus().length} CPUs, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} (results are only comparable on an otherwise idle machine)`,
  );
  console.log(
    `training: ${LAYERS} layers, ${WIDTH} wide, ${HEADS} heads, vocab ${VOCAB}, batch ${BATCH} x ${SEQ} tokens, ${steps} steps, median of ${rounds} rounds`,
  );
  if (torch === null) {
    console.log(
      'PyTorch: skipped (python3 cannot import torch). To compare, install the CPU build into a folder and point FT_BENCH_TORCH at it:\n' +
        '  python3 -m pip install --no-deps --target <dir> torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu\n' +
        '  python3 -m pip install --no-deps --target <dir> typing_extensions sympy mpmath networkx jinja2 markupsafe filelock fsspec\n' +
        '  FT_BENCH_TORCH=<dir> node bench/training.bench.mjs',
    );
  } else {
    console.log(`PyTorch: ${torch.where}`);
  }
  let pass = true;
  for (const threads of [2, 1]) {
    const ftRuns = [];
    const torchRuns = [];
    for (let round = 0; round < rounds; round++) {
      if (torch !== null) torchRuns.push(torchRun(torch, threads));
      ftRuns.push(ft(threads));
    }
    const ftTps = median(ftRuns.map((r) => r.tokens_per_s));
    const ftPeak = Math.max(...ftRuns.map((r) => r.peak_rss_mib));
    let line = `${threads} thread${threads > 1 ? 's' : ''}: ft ${Math.round(ftTps)} tokens/s (peak RSS ${ftPeak} MiB)`;
    if (torch !== null) {
      const tTps = median(torchRuns.map((r) => r.tokens_per_s));
      const tPeak = Math.max(...torchRuns.map((r) => r.peak_rss_mib));
      const ratio = ftTps / tTps;
      const ok = ratio >= TARGET_RATIO;
      if (threads === 2 && !ok) pass = false;
      line += `, PyTorch ${torchRuns[0].v} ${Math.round(tTps)} tokens/s (peak RSS ${tPeak} MiB); ratio ${ratio.toFixed(2)}x, target ${TARGET_RATIO}x: ${ok ? 'PASS' : 'FAIL'}`;
      line += ` [rounds: ft ${ftRuns.map((r) => Math.round(r.tokens_per_s)).join(', ')}; PyTorch ${torchRuns.map((r) => Math.round(r.tokens_per_s)).join(', ')}]`;
    }
    console.log(line);
  }
  console.log(
    `quickstart: a cold ft build of the top-level finetune.yaml took ${quickstartSeconds().toFixed(1)} s`,
  );
  process.exit(pass ? 0 : 1);
}

/**
 * The README's first command on this machine: a cold `ft build` (empty store, no lockfile) of
 * the top-level finetune.yaml in a copy, which trains the quickstart model and evaluates it.
 * Informational ("about a minute on two cores"), not a target.
 */
function quickstartSeconds() {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const dir = mkdtempSync(join(tmpdir(), 'ft-bench-quickstart-'));
  try {
    mkdirSync(join(dir, 'data'));
    copyFileSync(join(root, 'finetune.yaml'), join(dir, 'finetune.yaml'));
    copyFileSync(join(root, 'data/tickets.jsonl'), join(dir, 'data/tickets.jsonl'));
    const start = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [join(root, 'dist/cli/bin.js'), 'build'], {
      cwd: dir,
      encoding: 'utf8',
      env: {...process.env, CI: '1'},
    });
    if (r.status !== 0) throw new Error(`quickstart build failed:\n${r.stdout}\n${r.stderr}`);
    return Number(process.hrtime.bigint() - start) / 1e9;
  } finally {
    rmSync(dir, {recursive: true, force: true});
  }
}
