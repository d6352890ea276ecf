import {existsSync, mkdirSync, writeFileSync} from 'node:fs';
import {mkdtemp, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {describe, expect, it, onTestFinished} from 'vitest';
import {ALLOW_EXEC, execPolicy} from '../../../src/core/exec-policy.js';
import {StageFailure} from '../../../src/core/stage-failure.js';
import {generateLocally, type LocalGeneration} from '../../../src/train/generate.js';

/** A real interpreter, not a shell shim (pyenv's would add its own variables to the environment). */
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const TRAINER = fileURLToPath(new URL('../../fixtures/trainers/tiny_trainer.py', import.meta.url));

async function temp(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ft-generate-'));
  onTestFinished(() => rm(dir, {recursive: true, force: true}));
  return dir;
}

const INPUTS = [
  {
    id: 'a',
    messages: [
      {role: 'system', content: 'Be brief.'},
      {role: 'user', content: 'Capital of France?'},
      {role: 'assistant', content: 'Paris'},
    ],
  },
  {id: 'b', messages: [{role: 'user', content: 'And of Italy?'}]},
];

function context(progress: [number | undefined, number | undefined][] = []) {
  return {
    signal: new AbortController().signal,
    exec: ALLOW_EXEC,
    log: () => undefined,
    progress: (_: string, done?: number, total?: number) => progress.push([done, total]),
  };
}

async function job(overrides: Partial<LocalGeneration> = {}): Promise<LocalGeneration> {
  const dir = await temp();
  return {
    stage: 'eval:default',
    argv: [PYTHON, TRAINER],
    command: ['python3', 'tiny_trainer.py'],
    recipeCode: true,
    cwd: dir,
    env: [],
    baseModel: join(dir, 'base'),
    artifacts: null,
    inputs: INPUTS,
    params: {max_tokens: 16, temperature: 0, seed: 0},
    workDir: join(dir, 'work'),
    graceMs: 1000,
    ...overrides,
  };
}

describe('generate through a trainer (protocol v1, a real child process)', () => {
  it('answers each input in order, from the prompt before the last assistant message', async () => {
    const progress: [number | undefined, number | undefined][] = [];
    const j = await job();
    const answers = await generateLocally(context(progress), j);
    // The untrained base knows no words; the reference "Paris" was not sent.
    expect(answers).toEqual(['unknown (5 words asked)', 'unknown (3 words asked)']);
    expect(progress).toEqual([
      [1, 2],
      [2, 2],
    ]);
    expect(existsSync(j.workDir)).toBe(false);
  });

  it("uses a trained model's artifacts, and gives n answers with samples", async () => {
    const dir = await temp();
    mkdirSync(join(dir, 'model'));
    writeFileSync(join(dir, 'model/counts.json'), '{"Rome": 3, "Paris": 2}');
    const answers = await generateLocally(
      context(),
      await job({artifacts: {model: join(dir, 'model')}, params: {samples: 2}}),
    );
    expect(answers).toEqual([
      ['Rome (5 words asked) #0', 'Rome (5 words asked) #1'],
      ['Rome (3 words asked) #0', 'Rome (3 words asked) #1'],
    ]);
  });

  it('fails, naming what is missing, when the trainer leaves an input unanswered', async () => {
    process.env.TINY_GENERATE_SKIP_LAST = '1';
    onTestFinished(() => {
      delete process.env.TINY_GENERATE_SKIP_LAST;
    });
    const failure = await generateLocally(
      context(),
      await job({env: ['TINY_GENERATE_SKIP_LAST']}),
    ).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(StageFailure);
    expect((failure as Error).message).toBe(
      "the trainer's generate answered 1 of 2 inputs (none for b)",
    );
  });

  it('a trainer that does not speak generate fails with the end of its log', async () => {
    const dir = await temp();
    writeFileSync(
      join(dir, 'nogen.py'),
      'import sys\nprint("no generate here", file=sys.stderr)\nsys.exit(2)\n',
    );
    const failure = await generateLocally(
      context(),
      await job({argv: [PYTHON, join(dir, 'nogen.py')]}),
    ).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(StageFailure);
    expect((failure as Error).message).toMatch(/exited with code 2[\s\S]*no generate here/);
  });

  it('--no-exec refuses it before anything runs', async () => {
    const j = await job();
    const failure = await generateLocally({...context(), exec: execPolicy(true)}, j).catch(
      (e: unknown) => e,
    );
    expect(String(failure)).toMatch(/--no-exec/);
    expect(existsSync(j.workDir)).toBe(false);
  });
});
