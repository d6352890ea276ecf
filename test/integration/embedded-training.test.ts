import {existsSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {execa} from 'execa';
import {describe, expect, it} from 'vitest';
import {buildJson, FT_BIN, ft, project, SMOKE_DATA} from '../helpers/ft.js';

/** A recipe whose target trains with ft's embedded trainer: a very small model, a few steps. */
function recipe(hyperparameters = '{ n_epochs: 3, batch_size: 8, d_model: 32, n_layer: 1 }') {
  return `version: 1
name: embedded
seed: 3
sources:
  qa: { path: data/qa.jsonl }
transforms:
  - template: { user: "{{prompt}}", assistant: "{{response}}" }
  - split: { validation: 0.2 }
backend: { type: local, model: "embedded:tiny" }
hyperparameters: ${hyperparameters}
`;
}

interface Lock {
  stages: Record<string, {key: string; outputs: Record<string, string>}>;
}
const lockText = (dir: string) => readFileSync(join(dir, 'finetune.lock'), 'utf8');
const lockOf = (dir: string) => JSON.parse(lockText(dir)) as Lock;

describe('the embedded trainer through ft build (a real child process)', () => {
  it('trains, is fresh next time, reruns on a learning-rate change alone, and reproduces its lockfile from an empty store', async () => {
    const dir = await project({'finetune.yaml': recipe(), 'data/qa.jsonl': SMOKE_DATA});
    const first = await ft(dir, ['build']);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^ {2}trained 12 step\(s\), final loss \d+\.\d{4}$/m);
    const lock = lockText(dir);
    const outputs = lockOf(dir).stages['train:default']!.outputs;
    expect(Object.keys(outputs).sort()).toEqual(['metrics.jsonl', 'model']);

    const again = await buildJson(dir);
    expect(again.statuses['train:default']).toBe('fresh');

    // Byte for byte from nothing: another store, one thread instead of the machine's count.
    rmSync(join(dir, '.ft'), {recursive: true});
    rmSync(join(dir, 'finetune.lock'));
    const rebuilt = await ft(dir, ['build'], {FT_EMBEDDED_THREADS: '1'});
    expect(rebuilt.exitCode, rebuilt.stderr).toBe(0);
    expect(lockText(dir)).toBe(lock);

    writeFileSync(
      join(dir, 'finetune.yaml'),
      recipe('{ n_epochs: 3, batch_size: 8, d_model: 32, n_layer: 1, learning_rate: 0.002 }'),
    );
    const changed = await buildJson(dir);
    expect(changed.statuses).toEqual({
      'source:qa': 'fresh',
      dataset: 'fresh',
      'train:default': 'ran',
    });
    expect(lockOf(dir).stages['train:default']!.outputs.model).not.toBe(outputs.model);
  });

  it('Ctrl-C mid-training, then a build that resumes, ends with the uninterrupted lockfile', async () => {
    // Enough steps that the interrupt lands after the first checkpoint and before the end.
    const hp = '{ n_epochs: 40, batch_size: 4, d_model: 32, n_layer: 1, checkpoint_every: 5 }';
    const straight = await project({'finetune.yaml': recipe(hp), 'data/qa.jsonl': SMOKE_DATA});
    expect((await ft(straight, ['build'])).exitCode).toBe(0);

    const dir = await project({'finetune.yaml': recipe(hp), 'data/qa.jsonl': SMOKE_DATA});
    const child = execa(process.execPath, [FT_BIN, 'build', '--json'], {
      cwd: dir,
      reject: false,
      env: {CI: '1'},
    });
    // Interrupt once a checkpoint has been recorded in the stage's work folder.
    let sent = false;
    child.stdout?.on('data', () => {
      if (sent) return;
      if (checkpointRecorded(join(dir, '.ft/work'))) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    const interrupted = await child;
    expect(interrupted.exitCode).toBe(130);
    expect(existsSync(join(dir, 'finetune.lock'))).toBe(true);

    const resumed = await ft(dir, ['build']);
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain('(resumed from a checkpoint)');
    expect(lockText(dir)).toBe(lockText(straight));
  });

  it("tunes another target's model further, and refuses sizes that disagree with it", async () => {
    const dir = await project({
      'finetune.yaml': `version: 1
name: chained
sources:
  qa: { path: data/qa.jsonl }
transforms:
  - template: { user: "{{prompt}}", assistant: "{{response}}" }
targets:
  first:
    backend: { type: local, model: "embedded:tiny" }
    hyperparameters: { n_epochs: 1, d_model: 32, n_layer: 1 }
  second:
    backend: { type: local, model: { target: first } }
    hyperparameters: { n_epochs: 1 }
  wrong:
    backend: { type: local, model: { target: first } }
    hyperparameters: { n_epochs: 1, d_model: 64 }
`,
      'data/qa.jsonl': SMOKE_DATA,
    });
    const r = await buildJson(dir);
    expect(r.statuses['train:first']).toBe('ran');
    expect(r.statuses['train:second']).toBe('ran');
    // A size that disagrees with the model it starts from: the trainer says so.
    expect(r.statuses['train:wrong']).toBe('failed');
    expect(r.stderr + r.stdout).toMatch(/d_model/);
    const metrics = (stage: string) =>
      readFileSync(
        join(
          dir,
          '.ft/objects',
          lockOf(dir).stages[stage]!.outputs['metrics.jsonl']!.slice(7, 9),
          lockOf(dir).stages[stage]!.outputs['metrics.jsonl']!.slice(7),
        ),
        'utf8',
      )
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as {loss: number});
    // The second starts where the first ended: its first loss is below the first's first.
    expect(metrics('train:second')[0]!.loss).toBeLessThan(metrics('train:first')[0]!.loss);
  });
});

/** Whether some stage's work folder has recorded a checkpoint. */
function checkpointRecorded(work: string): boolean {
  return (
    existsSync(work) &&
    readdirSync(work).some((key) => existsSync(join(work, key, 'checkpoint.json')))
  );
}
