import {chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {execa} from 'execa';
import {describe, expect, it} from 'vitest';
import {buildJson, FT_BIN, ft, project, SMOKE_DATA} from '../helpers/ft.js';

const TRAINER = readFileSync(
  fileURLToPath(new URL('../fixtures/trainers/tiny_trainer.py', import.meta.url)),
  'utf8',
);

/** A recipe whose target trains with the tiny trainer (a command trainer), `extra` in its backend. */
function recipe(hyperparameters = '{ n_epochs: 2, batch_size: 4 }', extra = ''): string {
  return `version: 1
name: local
sources:
  qa: { path: data/qa.jsonl }
transforms:
  - template: { user: "{{prompt}}", assistant: "{{response}}" }
  - split: { validation: 0.2 }
backend: { type: local, trainer: command, model: ./base, command: [python3, trainer.py]${extra} }
hyperparameters: ${hyperparameters}
`;
}

async function trainingProject(hyperparameters?: string, extra?: string): Promise<string> {
  return project({
    'finetune.yaml': recipe(hyperparameters, extra),
    'data/qa.jsonl': SMOKE_DATA,
    'trainer.py': TRAINER,
    'base/config.json': '{"layers": 2}\n',
  });
}

interface Lock {
  stages: Record<string, {key: string; outputs: Record<string, string>}>;
}
const lockOf = (dir: string) =>
  JSON.parse(readFileSync(join(dir, 'finetune.lock'), 'utf8')) as Lock;
const objectText = (dir: string, hash: string) =>
  readFileSync(join(dir, '.ft/objects', hash.slice(7, 9), hash.slice(7)), 'utf8');
const trainings = (file: string) =>
  existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0;

describe('a command trainer (trainer protocol v1, a real child process)', () => {
  it('trains, records the model and its curve in the lockfile, and exports the model folder', async () => {
    const dir = await trainingProject('{ n_epochs: 2, batch_size: 4, my_knob: x }');
    const r = await buildJson(dir);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.statuses['train:default']).toBe('ran');
    const outputs = lockOf(dir).stages['train:default']!.outputs;
    // Every declared artifact is an output; `model` is the model's identity.
    expect(Object.keys(outputs).sort()).toEqual(['metrics.jsonl', 'model', 'vocabulary.txt']);
    expect(objectText(dir, outputs['vocabulary.txt']!)).toMatch(/^answer\n/m);
    // The model is a folder: a manifest of its files.
    expect(objectText(dir, outputs.model!)).toMatch(/^ft-tree 1\n\{"files":\{"config.json":/);
    const curve = objectText(dir, outputs['metrics.jsonl']!)
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    // One line per step, in order, over two epochs.
    expect(curve.map((l) => l.step)).toEqual(curve.map((_, i) => i + 1));
    expect(curve.length % 2).toBe(0);
    expect(curve[0]).toEqual({
      epoch: Number((2 / curve.length).toFixed(4)),
      loss: 0.5,
      lr: 0.1,
      step: 1,
    });
    expect(curve.filter((l) => l.eval_loss !== undefined)).toHaveLength(2);
    // Progress reached --json as progress events.
    expect(r.events.some((e) => e.event === 'progress' && e.id === 'train:default')).toBe(true);
    // The work folder is gone once the model is stored.
    expect(readdirSync(join(dir, '.ft/work'))).toEqual([]);

    const exported = await ft(dir, ['export', 'train:default', '--out', 'out']);
    expect(exported.exitCode, exported.stderr).toBe(0);
    const counts = JSON.parse(readFileSync(join(dir, 'out/model/counts.json'), 'utf8'));
    expect(counts.answer).toBeGreaterThan(0);
    expect(JSON.parse(readFileSync(join(dir, 'out/model/config.json'), 'utf8'))).toEqual({
      base_model: join(dir, 'base'),
      seed: 0,
      // As written, a name ft does not know included.
      hyperparameters: {n_epochs: 2, batch_size: 4, my_knob: 'x'},
    });
  });

  it('is fresh next time without spawning it; a hyperparameter change reruns only training; reverting restores', async () => {
    const count = 'trainings.log';
    const extra = ', env: [TINY_COUNT_FILE]';
    const dir = await trainingProject('{ n_epochs: 2, batch_size: 4 }', extra);
    const env = {TINY_COUNT_FILE: join(dir, count)};
    expect((await ft(dir, ['build'], env)).exitCode).toBe(0);
    expect(trainings(join(dir, count))).toBe(1);
    const first = readFileSync(join(dir, 'finetune.lock'), 'utf8');

    const again = await ft(dir, ['build', '--json'], env);
    expect(again.stdout).toContain('"status":"fresh"');
    expect(again.stdout).not.toContain('"status":"ran"');
    expect(trainings(join(dir, count))).toBe(1);

    writeFileSync(join(dir, 'finetune.yaml'), recipe('{ n_epochs: 3, batch_size: 4 }', extra));
    const changed = await ft(dir, ['build', '--json'], env);
    const statuses = Object.fromEntries(
      (
        JSON.parse(changed.stdout.trim().split('\n').at(-1)!).stages as {
          id: string;
          status: string;
        }[]
      ).map((s) => [s.id, s.status]),
    );
    expect(statuses).toEqual({'source:qa': 'fresh', dataset: 'fresh', 'train:default': 'ran'});
    expect(trainings(join(dir, count))).toBe(2);

    writeFileSync(join(dir, 'finetune.yaml'), recipe('{ n_epochs: 2, batch_size: 4 }', extra));
    const reverted = await ft(dir, ['build', '--json'], env);
    expect(reverted.stdout).toContain('"id":"train:default","kind":"train"');
    expect(JSON.parse(reverted.stdout.trim().split('\n').at(-1)!).stages).toContainEqual(
      expect.objectContaining({id: 'train:default', status: 'cached'}),
    );
    expect(trainings(join(dir, count))).toBe(2);
    expect(readFileSync(join(dir, 'finetune.lock'), 'utf8')).toBe(first);
  });

  it('an edited trainer script is a new key: it is never served from the cache', async () => {
    const dir = await trainingProject();
    const first = await ft(dir, ['build']);
    expect(first.exitCode).toBe(0);
    expect(first.stdout).toMatch(/^ {2}trained \d+ step\(s\), final loss 0\.\d{4}$/m);
    // The versions the trainer reported in `done`.
    expect(first.stdout).toMatch(/^ {2}on python 3\.\d+\.\d+$/m);
    expect(first.stdout).not.toContain('bit-reproducible');
    // A log that cannot redraw gets the first step and the last, with the step count, loss
    // and elapsed time, not a line per step.
    const steps = first.stdout.match(
      /^train:default: step \d+\/\d+, loss 0\.\d{4}, \d+:\d\d elapsed/gm,
    );
    expect(steps?.[0]).toMatch(/step 1\//);
    expect(steps?.at(-1)).toMatch(/step (\d+)\/\1,/);
    const before = lockOf(dir).stages['train:default']!.key;
    writeFileSync(join(dir, 'trainer.py'), `${TRAINER}\n# edited\n`);
    const r = await buildJson(dir);
    expect(r.statuses['train:default']).toBe('ran');
    expect(lockOf(dir).stages['train:default']!.key).not.toBe(before);
  });

  it('a failing trainer: exit 1, the end of its log, nothing cached', async () => {
    const dir = await trainingProject(undefined, ', env: [TINY_FAIL_AT_STEP]');
    const r = await ft(dir, ['build'], {TINY_FAIL_AT_STEP: '2'});
    expect(r.exitCode).toBe(1);
    const all = `${r.stdout}${r.stderr}`;
    expect(all).toContain('the trainer exited with code 3: failed on purpose at step 2');
    expect(all).toContain('last lines of its log:');
    expect(all).toContain('plain text on stdout goes to the log');
    expect(lockOf(dir).stages['train:default']).toBeUndefined();
    // The dataset it needed is kept; the training has no record.
    const records = readdirSync(join(dir, '.ft/stages')).map((n) =>
      JSON.parse(readFileSync(join(dir, '.ft/stages', n), 'utf8')),
    );
    expect(records.map((x) => x.kind).sort()).toEqual(['dataset', 'source']);
  });

  it("an API key in ft's environment never reaches the trainer; a named variable does", async () => {
    const dir = await trainingProject(undefined, ', env: [TINY_PRINT_ENV, WANDB_API_KEY]');
    const r = await ft(dir, ['build'], {
      TINY_PRINT_ENV: '1',
      OPENAI_API_KEY: 'sk-test-never-to-a-trainer',
      WANDB_API_KEY: 'wandb-test-value',
    });
    expect(r.exitCode, r.stderr).toBe(0);
    const key = lockOf(dir).stages['train:default']!.key;
    const log = readFileSync(join(dir, '.ft/logs', `${key.slice(7)}.log`), 'utf8');
    const names = log
      .split('\n')
      .find((l) => l.startsWith('env: '))!
      .slice(5)
      .split(' ');
    expect(names).not.toContain('OPENAI_API_KEY');
    expect(names).toContain('WANDB_API_KEY');
    expect(log).not.toContain('sk-test-never-to-a-trainer');
  });

  it('--no-exec refuses the trainer at its place in the recipe', async () => {
    const dir = await trainingProject();
    const r = await ft(dir, ['plan', '--no-exec']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(
      'finetune.yaml:8:58: error: a command trainer runs python3 trainer.py (refused by --no-exec)',
    );
  });

  it('Ctrl-C stops the trainer and its children (exit 130); the next build resumes from the checkpoint', async () => {
    const dir = await trainingProject(
      '{ n_epochs: 3, batch_size: 4 }',
      ', env: [TINY_SLEEP_PER_STEP, TINY_SPAWN_CHILD]',
    );
    const child = execa(process.execPath, [FT_BIN, 'build', '--json'], {
      cwd: dir,
      reject: false,
      env: {CI: '1', TINY_SLEEP_PER_STEP: '0.2', TINY_SPAWN_CHILD: '1'},
    });
    // Interrupt once a checkpoint is recorded in the work folder.
    const work = join(dir, '.ft/work');
    let pids: number[] = [];
    for (;;) {
      await new Promise((r) => setTimeout(r, 50));
      const keys = existsSync(work) ? readdirSync(work) : [];
      const folder = keys[0] ? join(work, keys[0]) : undefined;
      if (
        folder &&
        existsSync(join(folder, 'checkpoint.json')) &&
        existsSync(join(folder, 'trainer.json'))
      ) {
        const {pid} = JSON.parse(readFileSync(join(folder, 'trainer.json'), 'utf8'));
        const {descendantsOf} = await import('../../src/core/processes.js');
        pids = [pid, ...descendantsOf(pid)];
        break;
      }
    }
    child.kill('SIGINT');
    const r = await child;
    expect(r.exitCode).toBe(130);
    const {isAlive} = await import('../../src/core/processes.js');
    expect(pids.length).toBeGreaterThanOrEqual(2);
    expect(pids.filter(isAlive)).toEqual([]);

    const resumed = await buildJson(dir);
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    expect(resumed.statuses['train:default']).toBe('ran');
    const end = resumed.events.find((e) => e.event === 'stage-end' && e.id === 'train:default')!;
    expect((end.summary as {resumed?: boolean}).resumed).toBe(true);
  });

  it('after kill -9 of ft, the next build stops the orphaned trainer before training again', async () => {
    const dir = await trainingProject(undefined, ', env: [TINY_STOP_AT_STEP]');
    const child = execa(process.execPath, [FT_BIN, 'build'], {
      cwd: dir,
      reject: false,
      env: {CI: '1', TINY_STOP_AT_STEP: '3'},
    });
    const work = join(dir, '.ft/work');
    let pid: number | undefined;
    while (pid === undefined) {
      await new Promise((r) => setTimeout(r, 50));
      const folder = existsSync(work) ? readdirSync(work)[0] : undefined;
      const file = folder ? join(work, folder, 'trainer.json') : undefined;
      if (file && existsSync(file)) pid = JSON.parse(readFileSync(file, 'utf8')).pid;
    }
    child.kill('SIGKILL');
    await child;
    const {isAlive} = await import('../../src/core/processes.js');
    expect(isAlive(pid)).toBe(true); // the orphan, sleeping at step 3

    const r = await ft(dir, ['build']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(isAlive(pid)).toBe(false);
    const key = lockOf(dir).stages['train:default']!.key;
    expect(readFileSync(join(dir, '.ft/logs', `${key.slice(7)}.log`), 'utf8')).toContain(
      `stopped trainer pid ${pid}, left running by an earlier ft`,
    );
  });

  it('--frozen refuses, before running it, a training whose outputs are in no store', async () => {
    const dir = await trainingProject();
    expect((await ft(dir, ['build'])).exitCode).toBe(0);
    const lock = readFileSync(join(dir, 'finetune.lock'), 'utf8');
    const clone = await project({
      'finetune.yaml': recipe(),
      'data/qa.jsonl': SMOKE_DATA,
      'trainer.py': TRAINER,
      'base/config.json': '{"layers": 2}\n',
      'finetune.lock': lock,
      'trainings.log': '',
    });
    const r = await ft(clone, ['build', '--frozen'], {});
    expect(r.exitCode).toBe(1);
    expect(`${r.stdout}${r.stderr}`).toContain(
      '--frozen: train:default matches the lockfile, but its outputs are in no store',
    );
    expect(readdirSync(join(clone, '.ft/stages')).length).toBe(2); // the data stages only
    expect(readFileSync(join(clone, 'finetune.lock'), 'utf8')).toBe(lock);
  });

  it('pins the base model: a folder by its content, a hub name by a revision or the cache; else a recipe error', async () => {
    const dir = await trainingProject();
    expect((await ft(dir, ['build'])).exitCode).toBe(0);
    const before = lockOf(dir).stages['train:default']!.key;
    writeFileSync(join(dir, 'base/config.json'), '{"layers": 3}\n');
    const changed = await buildJson(dir);
    expect(changed.statuses).toMatchObject({dataset: 'fresh', 'train:default': 'ran'});
    expect(lockOf(dir).stages['train:default']!.key).not.toBe(before);

    const hub = (model: string, revision = '') =>
      recipe().replace('model: ./base', `model: ${model}${revision}`);
    writeFileSync(join(dir, 'finetune.yaml'), hub('org/tiny'));
    const unpinned = await ft(dir, ['plan'], {HF_HUB_CACHE: join(dir, 'hf')});
    expect(unpinned.exitCode).toBe(2);
    expect(unpinned.stderr).toContain(
      "finetune.yaml:8:50: error: base model 'org/tiny' is not pinned: it is not a folder, the recipe gives no revision",
    );
    expect(unpinned.stderr).toContain('hint: set backend.revision to a commit or tag');

    // Offline, the commit the Hugging Face cache names pins it; a recipe's revision does too.
    const commit = 'a'.repeat(40);
    mkdirSync(join(dir, 'hf/models--org--tiny/refs'), {recursive: true});
    writeFileSync(join(dir, 'hf/models--org--tiny/refs/main'), commit);
    const cached = await ft(dir, ['explain', 'train:default', '--json'], {
      HF_HUB_CACHE: join(dir, 'hf'),
    });
    expect(cached.exitCode, cached.stderr).toBe(0);
    expect(JSON.parse(cached.stdout).fingerprint.local.base_model).toEqual({
      name: 'org/tiny',
      revision: commit,
    });
    writeFileSync(join(dir, 'finetune.yaml'), hub('org/tiny', ', revision: v1.0'));
    const pinned = await ft(dir, ['explain', 'train:default', '--json'], {
      HF_HUB_CACHE: join(dir, 'nowhere'),
    });
    expect(pinned.exitCode, pinned.stderr).toBe(0);
    expect(JSON.parse(pinned.stdout).fingerprint.local.base_model).toEqual({
      name: 'org/tiny',
      revision: 'v1.0',
    });

    writeFileSync(join(dir, 'finetune.yaml'), hub('./no-such-folder'));
    const missing = await ft(dir, ['plan']);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('finetune.yaml:8:50: error: no such folder: ./no-such-folder');
  });

  it("model: {target} tunes another target's model further: it trains after it, keyed by its model", async () => {
    const chained = (first: string) => `version: 1
name: chained
sources:
  qa: { path: data/qa.jsonl }
transforms:
  - template: { user: "{{prompt}}", assistant: "{{response}}" }
targets:
  second:
    backend: { type: local, trainer: command, model: { target: first }, command: [python3, trainer.py] }
    hyperparameters: { n_epochs: 1 }
  first:
    backend: { type: local, trainer: command, model: ./base, command: [python3, trainer.py] }
    hyperparameters: ${first}
`;
    const dir = await project({
      'finetune.yaml': chained('{ n_epochs: 1 }'),
      'data/qa.jsonl': SMOKE_DATA,
      'trainer.py': TRAINER,
      'base/config.json': '{}\n',
    });
    const r = await buildJson(dir);
    expect(r.exitCode, r.stderr).toBe(0);
    // Listed second, trained second: it needs the first one's model.
    const order = r.events.filter((e) => e.event === 'stage-start').map((e) => e.id);
    expect(order.indexOf('train:first')).toBeLessThan(order.indexOf('train:second'));
    const lock = lockOf(dir);
    const counts = (stage: string) =>
      JSON.parse(
        objectText(
          dir,
          JSON.parse(
            objectText(dir, lock.stages[stage]!.outputs.model!).replace(/^ft-tree 1\n/, ''),
          ).files['counts.json'].sha256,
        ),
      ) as Record<string, number>;
    // One epoch each over the same answers: the second starts from the first's counts.
    const first = counts('train:first');
    const second = counts('train:second');
    for (const word of Object.keys(first)) expect(second[word]).toBe(2 * first[word]!);
    const explained = JSON.parse((await ft(dir, ['explain', 'train:second', '--json'])).stdout);
    expect(explained.fingerprint.local.base_model).toEqual({
      target: 'first',
      artifacts: {
        model: lock.stages['train:first']!.outputs.model,
        'vocabulary.txt': lock.stages['train:first']!.outputs['vocabulary.txt'],
      },
    });

    // A change to the first target retrains both; the dataset stays fresh.
    writeFileSync(join(dir, 'finetune.yaml'), chained('{ n_epochs: 2 }'));
    const again = await buildJson(dir);
    expect(again.statuses).toEqual({
      'source:qa': 'fresh',
      dataset: 'fresh',
      'train:first': 'ran',
      'train:second': 'ran',
    });
  });

  it('model: {target} and embedded: names are checked against the recipe', async () => {
    const dir = await project({
      'finetune.yaml': `version: 1
name: bad
sources:
  qa: { path: data/qa.jsonl }
targets:
  a: { backend: { type: local, model: { target: a } } }
  b: { backend: { type: local, model: { target: frist } } }
  c: { backend: { type: local, model: { target: d } } }
  d: { backend: { type: local, model: { target: c } } }
  e: { backend: { type: local, trainer: hf, model: { target: f } } }
  f: { backend: { type: local, model: embedded:tiny } }
  g: { backend: { type: local, model: embedded:small } }
  h: { backend: { type: local, model: org/some-model } }
  i: { backend: { type: local, trainer: hf, model: embedded:tiny } }
  j: { backend: { type: openai, model: gpt-4o-mini-2024-07-18 } }
  k: { backend: { type: local, model: { target: j } } }
`,
      'data/qa.jsonl': SMOKE_DATA,
    });
    const r = await ft(dir, ['validate']);
    expect(r.exitCode).toBe(2);
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('finetune.yaml:'));
    expect(errors).toEqual([
      'finetune.yaml:6:49: error: target a cannot start from its own model',
      "finetune.yaml:7:49: error: no target named 'frist' (the targets are a, b, c, d, e, f, g, h, i, j, k)",
      "finetune.yaml:8:49: error: targets start from each other's models in a loop: c -> d -> c",
      "finetune.yaml:9:49: error: targets start from each other's models in a loop: d -> c -> d",
      "finetune.yaml:10:62: error: trainer hf starts from a hub model or a folder, not from another target's model",
      "finetune.yaml:12:39: error: unknown embedded model 'embedded:small' (there is embedded:tiny)",
      "finetune.yaml:13:39: error: trainer embedded trains ft's own small models, not 'org/some-model': use embedded:tiny, a folder an embedded training wrote (ft export), or {target: <name>}",
      'finetune.yaml:14:52: error: embedded:tiny is a model of trainer embedded, not hf',
      'finetune.yaml:16:49: error: target j trains on OpenAI; a local trainer cannot start from its model',
    ]);
    expect(r.stderr).toContain('hint: for a hub model, use trainer: hf');
  });

  it("trainer: hf runs ft's script through the recipe's python and launcher, with the stack's variables", async () => {
    // A stand-in interpreter: it records how ft ran it, then plays the hf trainer with the tiny
    // one (this machine has no transformers; the script itself is checked in unit tests).
    const dir = await project({
      'finetune.yaml': recipe().replace(
        'trainer: command, model: ./base, command: [python3, trainer.py]',
        'trainer: hf, model: ./base, python: ./py, launcher: { type: torchrun, nproc_per_node: 2 }',
      ),
      'data/qa.jsonl': SMOKE_DATA,
      'tiny.py': TRAINER,
      'base/config.json': '{}\n',
      py: `#!/bin/sh
here=$(dirname "$0")
printf '%s\\n' "$*" >> "$here/argv.log"
env | cut -d= -f1 | sort > "$here/env.log"
while [ $# -gt 0 ]; do case "$1" in *hf_trainer.py) shift; break;; esac; shift; done
exec python3 "$here/tiny.py" "$@"
`,
    });
    chmodSync(join(dir, 'py'), 0o755);
    const r = await ft(dir, ['build'], {HF_HOME: join(dir, 'hf-home'), OPENAI_API_KEY: 'sk-no'});
    expect(r.exitCode, `${r.stdout}${r.stderr}`).toBe(0);
    expect(r.stdout).toContain(
      '  not bit-reproducible: later builds reuse this model from the store and lockfile',
    );
    const script = fileURLToPath(new URL('../../trainers/hf_trainer.py', import.meta.url));
    const calls = readFileSync(join(dir, 'argv.log'), 'utf8').trim().split('\n');
    expect(calls[0]).toBe(`${script} info`);
    expect(calls.at(-1)).toMatch(
      new RegExp(
        `^-m torch\\.distributed\\.run --nproc_per_node=2 ${script} train --spec /\\S+/spec\\.json$`,
      ),
    );
    const env = readFileSync(join(dir, 'env.log'), 'utf8').split('\n');
    expect(env).toContain('HF_HOME');
    expect(env).not.toContain('OPENAI_API_KEY');
    const explained = JSON.parse((await ft(dir, ['explain', 'train:default', '--json'])).stdout);
    expect(explained.fingerprint.local.command.argv).toEqual([
      './py',
      '-m',
      'torch.distributed.run',
      '--nproc_per_node=2',
      'hf_trainer.py',
    ]);
    expect(Object.keys(explained.fingerprint.local.command.files).sort()).toEqual([
      './py',
      'hf_trainer.py',
    ]);
  });
});
