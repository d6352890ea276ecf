import {existsSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {execa} from 'execa';
import {describe, expect, it} from 'vitest';
import {EMBEDDED_NUMERICS_VERSION} from '../../../../src/train/embedded/version.js';
import {readInfo, readStdoutLine, type TrainerEvent} from '../../../../src/train/protocol.js';
import {
  ARITHMETIC,
  chat,
  GOLDEN_HP,
  GOLDEN_OPTIMIZER_SHA256,
  GOLDEN_SHA256,
  sha256File,
  tempDir,
  trainSpec,
  writeJsonl,
} from './fixtures.js';

// The built trainer as ft runs it: a child process speaking protocol v1 (needs `npm run build`).
const MAIN = fileURLToPath(new URL('../../../../dist/train/embedded/main.js', import.meta.url));

async function spawn(args: string[], env: Record<string, string> = {}) {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build first`);
  const r = await execa('node', [MAIN, ...args], {reject: false, env, extendEnv: true});
  const lines = String(r.stdout)
    .split('\n')
    .filter((l) => l !== '')
    .map(readStdoutLine);
  // Every line the trainer prints is a well-formed event.
  expect(lines.filter((l) => l.kind !== 'event')).toEqual([]);
  const events = lines.map((l) => (l as {event: TrainerEvent}).event);
  return {code: r.exitCode, events, stderr: String(r.stderr)};
}

function writeSpec(dir: string, name: string, spec: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(spec));
  return path;
}

describe('dist/train/embedded/main.js', () => {
  it('answers info with the numerics version', async () => {
    const r = await execa('node', [MAIN, 'info']);
    expect(readInfo(String(r.stdout))).toEqual({
      name: 'embedded',
      version: EMBEDDED_NUMERICS_VERSION,
      protocol: [1],
      capabilities: ['train', 'generate'],
    });
  });

  it('gives the same bytes with 1, 2 and 3 threads at odd sizes and example lengths', async () => {
    // Widths and lengths off the kernels' SIMD tiles, examples of many lengths (some cut at
    // max_seq_len, some dropped for it), gradient clipping, evaluation, and more threads than
    // cores: the model, the AdamW moments and the eval losses must not move by a bit.
    const dir = tempDir();
    const records = Array.from({length: 13}, (_, i) =>
      chat(`question ${i}: ${'xyz'.repeat(i)}`, `answer ${'ab'.repeat(2 * i + 1)} ${i * i}`),
    );
    const hp = {
      n_epochs: 2,
      batch_size: 5,
      n_layer: 2,
      d_model: 24,
      n_head: 3,
      d_ff: 40,
      max_seq_len: 37,
      learning_rate: 0.01,
      grad_clip: 0.5,
    };
    const hashes = new Set<string>();
    for (const threads of ['1', '2', '3']) {
      const spec = trainSpec(dir, records, hp, {
        output_dir: join(dir, `out-${threads}`),
        validation_file: join(dir, 'train.jsonl'),
      });
      const r = await spawn(['train', '--spec', writeSpec(dir, `spec-${threads}.json`, spec)], {
        FT_EMBEDDED_THREADS: threads,
      });
      expect(r.code, r.stderr).toBe(0);
      const model = sha256File(join(dir, `out-${threads}/model/model.safetensors`));
      const last = r.events.filter((e) => e.type === 'checkpoint').at(-1) as {path: string};
      const moments = sha256File(join(dir, `out-${threads}`, last.path, 'optimizer.safetensors'));
      const evals = JSON.stringify(r.events.filter((e) => e.type === 'eval'));
      hashes.add(`${last.path} ${model} ${moments} ${evals}`);
    }
    expect(hashes.size).toBe(1);
  });

  it('trains to the golden bytes with 1 and 2 threads, then generates', async () => {
    const dir = tempDir();
    const hashes: string[] = [];
    for (const threads of ['1', '2']) {
      const spec = trainSpec(dir, ARITHMETIC, GOLDEN_HP, {
        output_dir: join(dir, `out-${threads}`),
        validation_file: join(dir, 'train.jsonl'),
      });
      const r = await spawn(['train', '--spec', writeSpec(dir, `spec-${threads}.json`, spec)], {
        FT_EMBEDDED_THREADS: threads,
      });
      expect(r.code).toBe(0);
      expect(r.events.map((e) => e.type)).toEqual([
        'start',
        'progress',
        'progress',
        'checkpoint',
        'progress',
        'eval',
        'checkpoint',
        'progress',
        'checkpoint',
        'progress',
        'progress',
        'eval',
        'checkpoint',
        'artifact',
        'done',
      ]);
      hashes.push(sha256File(join(dir, `out-${threads}/model/model.safetensors`)));
      hashes.push(sha256File(join(dir, `out-${threads}/checkpoints/step-6/optimizer.safetensors`)));
    }
    expect(hashes).toEqual([
      GOLDEN_SHA256,
      GOLDEN_OPTIMIZER_SHA256,
      GOLDEN_SHA256,
      GOLDEN_OPTIMIZER_SHA256,
    ]);

    const inputs = writeJsonl(join(dir, 'inputs.jsonl'), [
      {id: 'a', messages: ARITHMETIC[0]!.messages},
      {id: 'b', messages: [{role: 'user', content: 'hi'}]},
    ]);
    const gen = {
      protocol: 1,
      base_model: 'embedded:tiny',
      artifacts: {model: join(dir, 'out-2/model')},
      inputs,
      output: join(dir, 'answers.jsonl'),
      params: {max_tokens: 5, temperature: 0.8, seed: 3, samples: 2},
    };
    const g = await spawn(['generate', '--spec', writeSpec(dir, 'gen.json', gen)]);
    expect(g.code).toBe(0);
    expect(g.events).toEqual([
      {type: 'progress', done: 1, total: 2},
      {type: 'progress', done: 2, total: 2},
      {type: 'done'},
    ]);
    const answers = readFileSync(join(dir, 'answers.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(answers.map((a) => a.id)).toEqual(['a', 'b']);
    expect(answers.every((a) => Array.isArray(a.output) && a.output.length === 2)).toBe(true);
    // The untrained base answers too (greedy, a string per input), the same way twice.
    const base = {
      ...gen,
      artifacts: null,
      params: {max_tokens: 4},
      output: join(dir, 'base.jsonl'),
    };
    await spawn(['generate', '--spec', writeSpec(dir, 'base.json', base)]);
    const first = readFileSync(join(dir, 'base.jsonl'), 'utf8');
    await spawn(['generate', '--spec', writeSpec(dir, 'base.json', base)]);
    expect(readFileSync(join(dir, 'base.jsonl'), 'utf8')).toBe(first);
    expect(typeof JSON.parse(first.split('\n')[0]!).output).toBe('string');
  });

  it('fails with one error event and exit 1 on a bad spec, an unknown hyperparameter or preference data', async () => {
    const dir = tempDir();
    const cases: [unknown, RegExp][] = [
      [{protocol: 2}, /protocol 2/],
      [{...trainSpec(dir, ARITHMETIC, {}), train_file: 3}, /"train_file" must be a path/],
      [
        trainSpec(dir, ARITHMETIC, {learning_rate: 1e-3, lora_alpha: 16}),
        /unknown hyperparameter "lora_alpha"/,
      ],
      [{...trainSpec(dir, ARITHMETIC, {}), format: 'preference'}, /embedded trains chat data only/],
      [
        {...trainSpec(dir, ARITHMETIC, {}), base_model: join(dir, 'nowhere')},
        /not an embedded model folder/,
      ],
    ];
    for (const [spec, message] of cases) {
      const r = await spawn(['train', '--spec', writeSpec(dir, 'bad.json', spec)]);
      expect(r.code).toBe(1);
      expect(r.events).toHaveLength(1);
      expect(r.events[0]!.type).toBe('error');
      expect((r.events[0] as {message: string}).message).toMatch(message);
    }
    const usage = await spawn(['fly']);
    expect(usage.code).toBe(1);
    expect(usage.events[0]).toMatchObject({type: 'error'});
  });
});
