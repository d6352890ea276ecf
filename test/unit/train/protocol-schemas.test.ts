import {readFileSync, writeFileSync} from 'node:fs';
import {mkdtemp, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {Ajv2020} from 'ajv/dist/2020.js';
import {execa} from 'execa';
import {describe, expect, it, onTestFinished} from 'vitest';
import {metricsFromEvents, readStdoutLine, type TrainerEvent} from '../../../src/train/protocol.js';

const schema = (name: string) =>
  JSON.parse(
    readFileSync(
      fileURLToPath(new URL(`../../../schemas/${name}.schema.json`, import.meta.url)),
      'utf8',
    ),
  );
const ajv = new Ajv2020({strict: false});
const validEvent = ajv.compile(schema('trainer-event'));
const validTrainSpec = ajv.compile(schema('trainer-train-spec'));
const validGenerateSpec = ajv.compile(schema('trainer-generate-spec'));
const validMetrics = ajv.compile(schema('metrics'));
const TRAINER = fileURLToPath(new URL('../../fixtures/trainers/tiny_trainer.py', import.meta.url));

describe('the protocol schemas in schemas/ agree with what ft reads and writes', () => {
  it('every event the reference trainer prints is valid, and ft reads exactly those as events', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ft-schema-'));
    onTestFinished(() => rm(dir, {recursive: true, force: true}));
    writeFileSync(
      join(dir, 'train.jsonl'),
      '{"messages":[{"role":"user","content":"q"},{"role":"assistant","content":"a b"}]}\n',
    );
    const spec = {
      protocol: 1,
      stage: 'train:t',
      base_model: {name: 'tiny-base', revision: 'abc123'},
      train_file: join(dir, 'train.jsonl'),
      validation_file: join(dir, 'train.jsonl'),
      format: 'chat',
      hyperparameters: {n_epochs: 2, batch_size: 1},
      seed: 7,
      output_dir: join(dir, 'out'),
      resume_from: null,
    };
    expect(validTrainSpec(spec), JSON.stringify(validTrainSpec.errors)).toBe(true);
    expect(validTrainSpec({...spec, train_file: 'relative.jsonl'})).toBe(false);
    writeFileSync(join(dir, 'spec.json'), JSON.stringify(spec));
    const r = await execa('python3', [TRAINER, 'train', '--spec', join(dir, 'spec.json')]);
    const events: TrainerEvent[] = [];
    for (const line of String(r.stdout).split('\n')) {
      const read = readStdoutLine(line);
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch {
        json = undefined;
      }
      const known =
        typeof json === 'object' &&
        json !== null &&
        ['start', 'progress', 'eval', 'checkpoint', 'artifact', 'done', 'error'].includes(
          (json as {type?: string}).type ?? '',
        );
      expect(read.kind, line).toBe(known ? 'event' : 'log');
      if (read.kind === 'event') {
        expect(validEvent(json), `${line}: ${JSON.stringify(validEvent.errors)}`).toBe(true);
        expect(validEvent(read.event)).toBe(true);
        events.push(read.event);
      }
    }
    expect(events.map((e) => e.type)).toContain('eval');
    for (const line of metricsFromEvents(events)) expect(validMetrics(line)).toBe(true);
    expect(validEvent({type: 'checkpoint', step: 1})).toBe(false);
    expect(
      validGenerateSpec({
        protocol: 1,
        base_model: 'tiny-base',
        artifacts: {model: join(dir, 'out/model')},
        inputs: join(dir, 'in.jsonl'),
        output: join(dir, 'out.jsonl'),
        params: {max_tokens: 64, temperature: 0, seed: 1},
      }),
    ).toBe(true);
  });
});
