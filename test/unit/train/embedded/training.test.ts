import {existsSync, readFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {readConfig} from '../../../../src/train/embedded/config.js';
import {complete, Decoder} from '../../../../src/train/embedded/generate.js';
import {layout} from '../../../../src/train/embedded/model.js';
import {readWeights} from '../../../../src/train/embedded/model-folder.js';
import {Rng} from '../../../../src/train/embedded/rng.js';
import {renderPrompt} from '../../../../src/train/embedded/tokenizer.js';
import {train} from '../../../../src/train/embedded/train.js';
import type {TrainerEvent} from '../../../../src/train/protocol.js';
import {
  ARITHMETIC,
  chat,
  GOLDEN_HP,
  GOLDEN_OPTIMIZER_SHA256,
  GOLDEN_SHA256,
  sha256File,
  tempDir,
  trainSpec,
} from './fixtures.js';

async function run(spec: Parameters<typeof train>[0]): Promise<TrainerEvent[]> {
  const events: TrainerEvent[] = [];
  await train(spec, 1, (e) => events.push(e));
  return events;
}

describe('embedded training', () => {
  it('the golden run gives the pinned bytes and the full event stream', async () => {
    const dir = tempDir();
    const spec = trainSpec(dir, ARITHMETIC, GOLDEN_HP, {validation_file: join(dir, 'train.jsonl')});
    const events = await run(spec);
    expect(sha256File(join(dir, 'out/model/model.safetensors'))).toBe(GOLDEN_SHA256);
    expect(sha256File(join(dir, 'out/checkpoints/step-6/optimizer.safetensors'))).toBe(
      GOLDEN_OPTIMIZER_SHA256,
    );
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('start');
    expect(events[0]).toEqual({type: 'start', total_steps: 6});
    expect(types.filter((t) => t === 'progress')).toHaveLength(6);
    expect(events.filter((e) => e.type === 'eval').map((e) => (e as {step: number}).step)).toEqual([
      3, 6,
    ]);
    expect(
      events.filter((e) => e.type === 'checkpoint').map((e) => (e as {path: string}).path),
    ).toEqual([
      'checkpoints/step-2',
      'checkpoints/step-3',
      'checkpoints/step-4',
      'checkpoints/step-6',
    ]);
    expect(types.slice(-2)).toEqual(['artifact', 'done']);
    expect(events.at(-2)).toEqual({type: 'artifact', name: 'model', path: 'model'});
    const progress = events.filter((e) => e.type === 'progress');
    expect(progress.map((e) => e.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(progress.every((e) => Number.isFinite(e.loss) && (e.lr ?? 0) > 0)).toBe(true);
    // Warmup (floor(0.2 * 6) = 1 step) then cosine decay.
    expect(progress[0]!.lr).toBe(0.01);
    expect(progress[5]!.lr).toBeLessThan(progress[1]!.lr!);
    const config = readConfig(join(dir, 'out/model'));
    expect(config).toEqual({
      vocab_size: 261,
      n_ctx: 24,
      n_layer: 2,
      d_model: 16,
      n_head: 2,
      d_ff: 64,
    });
    // Only the two newest checkpoints stay.
    expect(existsSync(join(dir, 'out/checkpoints/step-2'))).toBe(false);
    expect(existsSync(join(dir, 'out/checkpoints/step-4'))).toBe(true);
  });

  it('resuming from a checkpoint gives the same bytes as the uninterrupted run', async () => {
    const dir = tempDir();
    const whole = trainSpec(dir, ARITHMETIC, GOLDEN_HP);
    await run(whole);
    const resumed = {
      ...whole,
      output_dir: join(dir, 'again'),
      resume_from: join(dir, 'out/checkpoints/step-4'),
    };
    const events = await run(resumed);
    expect(events.filter((e) => e.type === 'progress').map((e) => e.step)).toEqual([5, 6]);
    expect(sha256File(join(dir, 'again/model/model.safetensors'))).toBe(
      sha256File(join(dir, 'out/model/model.safetensors')),
    );
    // A checkpoint of another run is refused.
    const other = {...resumed, seed: 6, output_dir: join(dir, 'third')};
    await expect(run(other)).rejects.toThrow(/different run/);
  });

  it('overfits a handful of examples, and generate then reproduces the answers', async () => {
    const dir = tempDir();
    const records = [
      chat('Capital of France?', 'Paris.'),
      chat('Capital of Italy?', 'Rome.'),
      chat('2+2?', '4, of course.'),
      {
        messages: [
          {role: 'system', content: 'Be brief.'},
          {role: 'user', content: 'Colour of the sky?'},
          {role: 'assistant', content: 'ignored', weight: 0},
          {role: 'user', content: 'Again?'},
          {role: 'assistant', content: 'Blue.'},
        ],
      },
    ];
    const hp = {
      n_epochs: 60,
      batch_size: 4,
      n_layer: 2,
      d_model: 32,
      n_head: 2,
      max_seq_len: 64,
      learning_rate: 0.01,
      warmup_ratio: 0.05,
      weight_decay: 0,
    };
    const events = await run(trainSpec(dir, records, hp));
    const losses = events.filter((e) => e.type === 'progress').map((e) => e.loss!);
    expect(losses[0]).toBeGreaterThan(4);
    expect(losses.at(-1)).toBeLessThan(0.05);
    const folder = join(dir, 'out/model');
    const lay = layout(readConfig(folder));
    const params = new Float32Array(lay.size);
    readWeights(folder, lay, params);
    const dec = new Decoder(lay, params);
    const answers = records.map((r) =>
      complete(dec, renderPrompt(r.messages), 50, 0, new Rng(0, 'x')),
    );
    expect(answers).toEqual(['Paris.', 'Rome.', '4, of course.', 'Blue.']);
  });

  it('refuses preference data, unknown hyperparameters and sizes a saved model contradicts', async () => {
    const dir = tempDir();
    await expect(run({...trainSpec(dir, ARITHMETIC, {}), format: 'preference'})).rejects.toThrow(
      /embedded trains chat data only/,
    );
    await expect(run(trainSpec(dir, ARITHMETIC, {n_epochs: 1, lora_r: 8, foo: 1}))).rejects.toThrow(
      /unknown hyperparameters "lora_r", "foo"/,
    );
    await expect(run(trainSpec(dir, ARITHMETIC, {batch_size: 0}))).rejects.toThrow(
      /batch_size must be an integer >= 1/,
    );
    await expect(run(trainSpec(dir, ARITHMETIC, {d_model: 10, n_head: 4}))).rejects.toThrow(
      /multiple of n_head/,
    );
    // Train a model, then tune it further with sizes that disagree.
    const first = trainSpec(dir, ARITHMETIC, {
      n_epochs: 1,
      n_layer: 1,
      d_model: 8,
      n_head: 2,
      max_seq_len: 16,
    });
    await run(first);
    const model = join(dir, 'out/model');
    const further = {
      ...first,
      output_dir: join(dir, 'more'),
      base_model: {name: 'prev', artifacts: {model}},
    };
    await expect(run({...further, hyperparameters: {d_model: 16}})).rejects.toThrow(
      /d_model is 16 but the model has 8/,
    );
    // With agreeing (or no) sizes it continues from those weights.
    const events = await run({...further, hyperparameters: {n_epochs: 1, n_layer: 1}});
    expect(events.at(-1)?.type).toBe('done');
    expect(readFileSync(join(dir, 'more/model/config.json'), 'utf8')).toContain('"d_model": 8');
  });
});
