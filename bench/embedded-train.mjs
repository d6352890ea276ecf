// Embedded trainer speed: a 4-layer, 128-wide model at batch 8 x 128 tokens, trained on CPU
// with 1 and 2 threads. Prints tokens/s (input tokens through forward + backward + AdamW, timed
// between the first and the last progress event, so startup and the first step are excluded)
// and each run's peak RSS. Needs `npm run build`. Usage: node bench/embedded-train.mjs [steps]
import {spawnSync} from 'node:child_process';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';

const SEQ = 128;
const BATCH = 8;
const HP = {n_layer: 4, d_model: 128, n_head: 4, batch_size: BATCH, max_seq_len: SEQ, n_epochs: 1};

if (process.argv[2] === '--child') {
  const [, , , threads, steps] = process.argv;
  const {train} = await import('../dist/train/embedded/train.js');
  const dir = mkdtempSync(join(tmpdir(), 'ft-embedded-bench-'));
  // Examples of exactly SEQ + 1 tokens: <user> 60 bytes <eot> <assistant> bytes... (truncated).
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
  process.stdout.write(
    `${JSON.stringify({threads: Number(threads), steps: times.length - 1, tokens_per_s: Math.round(tokens / seconds), peak_rss_mib: Math.round(process.resourceUsage().maxRSS / 1024)})}\n`,
  );
} else {
  const steps = process.argv[2] ?? '4';
  const self = fileURLToPath(import.meta.url);
  console.log(`embedded trainer: ${JSON.stringify(HP)}, batch ${BATCH} x ${SEQ} tokens`);
  for (const threads of ['1', '2']) {
    const r = spawnSync(process.execPath, [self, '--child', threads, steps], {encoding: 'utf8'});
    if (r.status !== 0) throw new Error(r.stderr);
    console.log(r.stdout.trim());
  }
}
