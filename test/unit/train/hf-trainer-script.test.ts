import {spawnSync} from 'node:child_process';
import {writeFileSync} from 'node:fs';
import {mkdtemp, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {execa} from 'execa';
import {describe, expect, it, onTestFinished} from 'vitest';
import {readInfo, readStdoutLine} from '../../../src/train/protocol.js';

// The hf trainer script as far as this machine can check it (no transformers, no GPU): it
// compiles, answers `info` in protocol v1, and without its packages fails with a protocol error
// event that says what to run.
const HAS_STACK =
  spawnSync('python3', ['-c', 'import torch, transformers, peft'], {stdio: 'ignore'}).status === 0;
const SCRIPT = fileURLToPath(new URL('../../../trainers/hf_trainer.py', import.meta.url));

describe('trainers/hf_trainer.py', () => {
  it('compiles and answers info in protocol v1', async () => {
    await execa('python3', ['-m', 'py_compile', SCRIPT]);
    const info = readInfo(String((await execa('python3', [SCRIPT, 'info'])).stdout));
    expect(info).toMatchObject({name: 'ft-hf', protocol: [1]});
  });

  // A machine with torch and transformers runs the real training (the device check) instead.
  it.skipIf(HAS_STACK)(
    'without its packages, train ends with an error event naming ft doctor',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'ft-hf-'));
      onTestFinished(() => rm(dir, {recursive: true, force: true}));
      writeFileSync(
        join(dir, 'spec.json'),
        JSON.stringify({
          protocol: 1,
          stage: 'train:t',
          base_model: 'org/tiny',
          train_file: join(dir, 'train.jsonl'),
          validation_file: null,
          format: 'chat',
          hyperparameters: {},
          seed: 0,
          output_dir: join(dir, 'out'),
          resume_from: null,
        }),
      );
      const r = await execa('python3', [SCRIPT, 'train', '--spec', join(dir, 'spec.json')], {
        reject: false,
      });
      expect(r.exitCode).toBe(2);
      const events = String(r.stdout)
        .split('\n')
        .map(readStdoutLine)
        .filter((l) => l.kind === 'event');
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({event: {type: 'error'}});
      expect(JSON.stringify(events[0])).toMatch(
        /(torch|transformers) is not installed in .*ft doctor --python/,
      );
    },
  );
});
