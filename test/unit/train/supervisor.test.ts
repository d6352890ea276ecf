import {existsSync, readFileSync, writeFileSync} from 'node:fs';
import {mkdtemp, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {execa} from 'execa';
import {describe, expect, it, onTestFinished} from 'vitest';
import {descendantsOf, isAlive, isRunning, processStart} from '../../../src/core/processes.js';
import type {TrainerEvent} from '../../../src/train/protocol.js';
import {
  BASE_ENV,
  stopOrphan,
  superviseTrainer,
  type TrainerRun,
  trainerEnv,
} from '../../../src/train/supervisor.js';

/** A real interpreter, not a shell shim (pyenv's would add its own variables to the environment). */
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const TRAINER = fileURLToPath(new URL('../../fixtures/trainers/tiny_trainer.py', import.meta.url));

async function temp(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ft-train-'));
  onTestFinished(() => rm(dir, {recursive: true, force: true}));
  return dir;
}

const RECORDS = Array.from({length: 10}, (_, i) => ({
  messages: [
    {role: 'user', content: `question ${i}`},
    {role: 'assistant', content: i % 3 === 0 ? 'Paris is the answer' : 'Paris'},
  ],
}));

/** A spec for the tiny trainer over RECORDS, with `hyperparameters`. */
async function spec(dir: string, hyperparameters: Record<string, unknown> = {}): Promise<string> {
  const train = join(dir, 'train.jsonl');
  writeFileSync(train, RECORDS.map((r) => `${JSON.stringify(r)}\n`).join(''));
  const path = join(dir, 'spec.json');
  writeFileSync(
    path,
    JSON.stringify({
      protocol: 1,
      stage: 'train:tiny',
      base_model: 'tiny-base',
      train_file: train,
      validation_file: null,
      format: 'chat',
      hyperparameters: {batch_size: 4, n_epochs: 2, ...hyperparameters},
      seed: 0,
      output_dir: join(dir, 'out'),
      resume_from: null,
    }),
  );
  return path;
}

async function run(
  dir: string,
  hyperparameters: Record<string, unknown> = {},
  more: {
    signal?: AbortSignal;
    env?: Record<string, string>;
    onEvent?: (e: TrainerEvent) => void;
  } = {},
): Promise<TrainerRun & {log: string[]}> {
  const log: string[] = [];
  const result = await superviseTrainer({
    argv: [PYTHON, TRAINER, 'train', '--spec', await spec(dir, hyperparameters)],
    cwd: dir,
    env: more.env ?? trainerEnv(process.env, []),
    workDir: join(dir, 'work'),
    signal: more.signal ?? new AbortController().signal,
    graceMs: 2000,
    onEvent: more.onEvent ?? (() => undefined),
    onLog: (line) => log.push(line),
  });
  return {...result, log};
}

/** Supervises `argv` (not the tiny trainer) with the minimal environment or `env`. */
async function supervise(
  dir: string,
  argv: string[],
  env: Record<string, string> = trainerEnv(process.env, []),
): Promise<TrainerRun & {log: string[]}> {
  const log: string[] = [];
  const result = await superviseTrainer({
    argv,
    cwd: dir,
    env,
    workDir: join(dir, 'work'),
    signal: new AbortController().signal,
    graceMs: 100,
    onEvent: () => undefined,
    onLog: (line) => log.push(line),
  });
  return {...result, log};
}

describe('superviseTrainer (a real trainer process, protocol v1)', () => {
  it('reads events from stdout, sends other lines and stderr to the log, and ends done', async () => {
    const dir = await temp();
    const r = await run(dir);
    expect(r.outcome).toBe('done');
    expect(r.exitCode).toBe(0);
    expect(r.events.map((e) => e.type)).toEqual([
      'start',
      'progress',
      'progress',
      'progress',
      'checkpoint',
      'progress',
      'progress',
      'progress',
      'checkpoint',
      'artifact',
      'artifact',
      'done',
    ]);
    expect(r.events[0]).toEqual({type: 'start', total_steps: 6});
    // Unknown fields are dropped, unknown types ignored.
    expect(r.events[1]).toEqual({
      type: 'progress',
      step: 1,
      total_steps: 6,
      epoch: 0.3333,
      loss: 0.5,
      lr: 0.1,
    });
    expect(r.log).toContain('plain text on stdout goes to the log');
    expect(r.events.at(-1)).toEqual({
      type: 'done',
      metrics: {steps: 6, vocabulary: 4, versions: {python: expect.stringMatching(/^3\./)}},
    });
    expect(existsSync(join(dir, 'work', 'trainer.json'))).toBe(false);
  });

  it('a trainer that fails: its error event and exit code, not done', async () => {
    const dir = await temp();
    const r = await run(dir, {fail_at_step: 2});
    expect(r.outcome).toBe('failed');
    expect(r.message).toBe('the trainer exited with code 3: failed on purpose at step 2');
  });

  it('a program that does not exist fails with a clear message', async () => {
    const dir = await temp();
    const r = await supervise(dir, [join(dir, 'no-such-trainer'), 'train']);
    expect(r.outcome).toBe('failed');
    expect(r.message).toMatch(/^could not start .*no-such-trainer: .*ENOENT/);
  });

  it('a known event with wrong fields breaks the protocol', async () => {
    const dir = await temp();
    const script = join(dir, 'bad.py');
    writeFileSync(
      script,
      'import json\nprint(json.dumps({"type": "progress", "step": "3"}))\nprint(json.dumps({"type": "done"}))\n',
    );
    const r = await supervise(dir, [PYTHON, script]);
    expect(r.outcome).toBe('failed');
    expect(r.message).toBe('the trainer broke protocol v1: a progress event\'s "step" is "3"');
  });

  it('passes only the minimal environment and the named variables; secrets never reach the log', async () => {
    const dir = await temp();
    const source = {
      ...process.env,
      OPENAI_API_KEY: 'sk-never-to-a-trainer',
      WANDB_API_KEY: 'wandb-secret-value',
    };
    const env = trainerEnv(source, ['WANDB_API_KEY']);
    expect(env.OPENAI_API_KEY).toBeUndefined();
    expect(env.WANDB_API_KEY).toBe('wandb-secret-value');
    const script = join(dir, 'env.py');
    writeFileSync(
      script,
      'import os, sys, json\nprint("names: " + " ".join(sorted(os.environ)))\nprint("key is " + os.environ.get("WANDB_API_KEY", ""), file=sys.stderr)\nprint(json.dumps({"type": "done"}))\n',
    );
    const r = await supervise(dir, [PYTHON, script], env);
    const log = r.log;
    expect(r.outcome).toBe('done');
    const names = log
      .find((l) => l.startsWith('names: '))!
      .slice(7)
      .split(' ');
    expect(names).not.toContain('OPENAI_API_KEY');
    expect(names).toContain('WANDB_API_KEY');
    // Only the base set and the named variable (Python may add LC_CTYPE when it coerces the C locale).
    const allowed = [...BASE_ENV, 'WANDB_API_KEY', 'LC_CTYPE'];
    expect(names.filter((n) => !allowed.includes(n))).toEqual([]);
    expect(log).toContain('key is ***');
    expect(log.join('\n')).not.toContain('wandb-secret-value');
  });

  it('on abort, stops the whole tree (grandchildren included) and says interrupted', async () => {
    const dir = await temp();
    const controller = new AbortController();
    let trainerPid: number | undefined;
    let tree: number[] = [];
    const r = await run(
      dir,
      {spawn_child: true, sleep_per_step: 0.2},
      {
        signal: controller.signal,
        onEvent: (e) => {
          if (e.type === 'progress' && e.step === 2) {
            trainerPid = JSON.parse(readFileSync(join(dir, 'work', 'trainer.json'), 'utf8')).pid;
            tree = [trainerPid!, ...descendantsOf(trainerPid!)];
            controller.abort();
          }
        },
      },
    );
    expect(r.outcome).toBe('interrupted');
    expect(tree.length).toBeGreaterThanOrEqual(2); // the trainer and its sleeping child
    expect(tree.filter(isAlive)).toEqual([]);
    // The checkpoint it had written is kept for the next attempt.
    expect(existsSync(join(dir, 'out'))).toBe(true);
  });
});

describe('stopOrphan', () => {
  it('stops a trainer left running by a killed ft, named by the pid file in its work folder', async () => {
    const dir = await temp();
    const orphan = execa(PYTHON, ['-c', 'import time; time.sleep(600)'], {
      detached: true,
      reject: false,
    });
    const pid = orphan.pid!;
    writeFileSync(
      join(dir, 'trainer.json'),
      JSON.stringify({
        pid,
        start: processStart(pid),
        host: (await import('node:os')).hostname(),
        argv: [],
      }),
    );
    expect(await stopOrphan(dir, 2000)).toBe(pid);
    await orphan;
    expect(isRunning(pid)).toBe(false);
    expect(existsSync(join(dir, 'trainer.json'))).toBe(false);
  });

  it('leaves alone a process that merely reuses the pid', async () => {
    const dir = await temp();
    writeFileSync(
      join(dir, 'trainer.json'),
      JSON.stringify({
        pid: process.pid,
        start: 'not-its-start',
        host: (await import('node:os')).hostname(),
        argv: [],
      }),
    );
    expect(await stopOrphan(dir, 100)).toBeUndefined();
    expect(isRunning(process.pid)).toBe(true);
  });
});

describe('protocol v1 lines', () => {
  it('reads events, ignores what is not one, and rejects known events with wrong fields', async () => {
    const {readStdoutLine, metricsFromEvents, readInfo} = await import(
      '../../../src/train/protocol.js'
    );
    expect(readStdoutLine('{"type":"eval","step":4,"loss":0.5,"extra":1}')).toEqual({
      kind: 'event',
      event: {type: 'eval', step: 4, loss: 0.5},
    });
    expect(readStdoutLine('Epoch 1/3 ...')).toEqual({kind: 'log'});
    expect(readStdoutLine('{"type":"telemetry","x":1}')).toEqual({kind: 'log'});
    expect(readStdoutLine('{"type":"artifact","name":"model"}')).toEqual({
      kind: 'invalid',
      why: 'an artifact event needs "path"',
    });
    expect(
      metricsFromEvents([
        {type: 'progress', step: 2, epoch: 1, loss: 0.4, lr: 0.1},
        {type: 'progress', step: 1, epoch: 0.5, loss: 0.9},
        {type: 'eval', step: 2, loss: 0.6},
        {type: 'checkpoint', step: 2, path: 'c'},
      ]),
    ).toEqual([
      {step: 1, epoch: 0.5, loss: 0.9},
      {step: 2, epoch: 1, loss: 0.4, lr: 0.1, eval_loss: 0.6},
    ]);
    expect(readInfo('{"name":"t","version":"2","protocol":[1]}\n')).toEqual({
      name: 't',
      version: '2',
      protocol: [1],
      capabilities: [],
    });
    expect(readInfo('usage: ...')).toBeUndefined();
    expect(readInfo('{"name":"t","version":"2","protocol":[2]}')).toEqual({
      invalid: 'the trainer speaks protocol [2], this ft speaks 1',
    });
  });
});
