import {readdir, readFile, rm} from 'node:fs/promises';
import {join} from 'node:path';
import {execa} from 'execa';
import {describe, expect, it} from 'vitest';
import {WIND_DOWN_MESSAGE} from '../emulator/faults.js';
import type {Emulator} from '../emulator/server.js';
import {useEmulator} from '../helpers/emulator.js';
import {events, FT_BIN, type FtResult, ft, jsonl, project, stageEnd} from '../helpers/ft.js';

/**
 * The OpenAI backend against the emulator, through the real `ft` CLI in a child process and the
 * real SDK inside it: never pay twice, whatever happens in between.
 */
const KEY = 'sk-ft-test-secret-0123456789abcdef';

const recipe = (backend = '', hyperparameters = 'hyperparameters: { n_epochs: 2 }') => `version: 1
name: oai
sources:
  qa: { path: data/qa.jsonl }
transforms:
  - template: { user: "{{prompt}}", assistant: "{{response}}" }
  - split: { validation: 0.2 }
backend: { type: openai, model: gpt-4o-mini-2024-07-18${backend} }
${hyperparameters}
`;
const DATA = jsonl(
  Array.from({length: 30}, (_, i) => ({prompt: `question ${i}?`, response: `answer ${i}`})),
);

const env = (emu: Emulator) => ({
  OPENAI_API_KEY: KEY,
  OPENAI_BASE_URL: `${emu.url}/v1`,
  FT_OPENAI_POLL_MS: '5',
});
const build = (dir: string, emu: Emulator, args: string[] = []) =>
  ft(dir, ['build', '--json', ...args], env(emu));
const posts = (emu: Emulator, from = 0) =>
  emu.requests.slice(from).filter((r) => r.method === 'POST' && !r.path.startsWith('/__'));
const creates = (emu: Emulator) =>
  emu.requests.filter((r) => r.operation === 'createFineTuningJob' && r.status !== 'dropped');
const uploads = (emu: Emulator) => emu.requests.filter((r) => r.operation === 'createFile');
const show = (r: FtResult) => `${r.stdout}\n${r.stderr}`;

async function newProject(backend = '', hyperparameters?: string) {
  return project({'finetune.yaml': recipe(backend, hyperparameters), 'data/qa.jsonl': DATA});
}

describe('openai backend', () => {
  it('one upload and one job for a new recipe; zero POSTs on the next build; lockfile result', async () => {
    const emu = await useEmulator();
    const dir = await newProject();
    const first = await build(dir, emu);
    expect(first.exitCode, show(first)).toBe(0);
    // train + validation files, one job
    expect(uploads(emu)).toHaveLength(2);
    expect(creates(emu)).toHaveLength(1);
    const end = stageEnd(events(first.stdout), 'train:default');
    expect(end.status).toBe('ran');
    const lock = JSON.parse(await readFile(join(dir, 'finetune.lock'), 'utf8'));
    const entry = lock.stages['train:default'];
    const job = [...emu.state.jobs.values()][0]!.json;
    expect(entry.result).toEqual({
      model: job.fine_tuned_model,
      base: job.model,
      job: job.id,
      organization_id: job.organization_id,
    });
    expect(job.metadata).toEqual({ft_stage_key: entry.key});
    expect(Object.keys(entry.outputs).sort()).toEqual(['metrics.jsonl', 'model']);
    // metrics.jsonl in the local trainers' shape (schemas/metrics.schema.json), from the result file
    const metrics = (end.outputs as Record<string, string>)['metrics.jsonl']!.slice(7);
    const text = await readFile(join(dir, '.ft/objects', metrics.slice(0, 2), metrics), 'utf8');
    const lines = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(line.step).toBeTypeOf('number');
      expect(
        Object.keys(line).every((k) => ['step', 'epoch', 'loss', 'lr', 'eval_loss'].includes(k)),
      ).toBe(true);
    }
    expect(lines.some((l) => typeof l.loss === 'number')).toBe(true);
    // the model output is the canonical JSON the lockfile's result rebuilds
    const model = (end.outputs as Record<string, string>).model!.slice(7);
    expect(
      JSON.parse(await readFile(join(dir, '.ft/objects', model.slice(0, 2), model), 'utf8')),
    ).toEqual({
      backend: 'openai',
      base_model: job.model,
      fine_tuned_model: job.fine_tuned_model,
      job: job.id,
      organization_id: job.organization_id,
    });

    const before = emu.requests.length;
    const again = await build(dir, emu);
    expect(again.exitCode, show(again)).toBe(0);
    expect(stageEnd(events(again.stdout), 'train:default').status).toBe('fresh');
    expect(posts(emu, before)).toEqual([]);

    // The key never reaches anything ft wrote.
    const written = await allFiles(dir);
    for (const file of written) expect(await readFile(file, 'utf8'), file).not.toContain(KEY);
    expect(first.stdout + first.stderr + again.stdout + again.stderr).not.toContain(KEY);
  });

  it('a clone with only the lockfile makes zero requests; a clone with neither creates no job', async () => {
    const emu = await useEmulator();
    const dir = await newProject();
    expect((await build(dir, emu)).exitCode).toBe(0);
    const model = JSON.parse(await readFile(join(dir, 'finetune.lock'), 'utf8')).stages[
      'train:default'
    ].outputs.model;

    await rm(join(dir, '.ft'), {recursive: true, force: true});
    const before = emu.requests.length;
    const clone = await build(dir, emu);
    expect(clone.exitCode, show(clone)).toBe(0);
    const end = stageEnd(events(clone.stdout), 'train:default');
    expect(end.status).toBe('fresh');
    expect((end.outputs as Record<string, string>).model).toBe(model);
    expect(emu.requests.length).toBe(before);

    await rm(join(dir, '.ft'), {recursive: true, force: true});
    await rm(join(dir, 'finetune.lock'));
    const bare = await build(dir, emu);
    expect(bare.exitCode, show(bare)).toBe(0);
    expect(creates(emu)).toHaveLength(1);
    expect(uploads(emu)).toHaveLength(2); // found by their content-hash names
    const lock = JSON.parse(await readFile(join(dir, 'finetune.lock'), 'utf8'));
    expect(lock.stages['train:default'].outputs.model).toBe(model);
  });

  it('zero new jobs after SIGKILL of ft mid-job and a rebuild', async () => {
    const emu = await useEmulator({advanceOnRetrieve: false});
    const dir = await newProject();
    const child = execa(process.execPath, [FT_BIN, 'build', '--json'], {
      cwd: dir,
      reject: false,
      env: {CI: '1', ...env(emu)},
    });
    let exited = false;
    void child.then(() => {
      exited = true;
    });
    while (emu.state.jobs.size === 0 && !exited) await new Promise((r) => setTimeout(r, 20));
    expect(exited).toBe(false);
    child.kill('SIGKILL');
    await child;
    expect(creates(emu)).toHaveLength(1);
    emu.runJob([...emu.state.jobs.keys()][0]!);
    const again = await build(dir, emu);
    expect(again.exitCode, show(again)).toBe(0);
    expect(creates(emu)).toHaveLength(1);
    expect(emu.state.jobs.size).toBe(1);
  });

  it('exactly one job when the create answer is lost, and when the job list lags', async () => {
    const emu = await useEmulator();
    const dir = await newProject();
    emu.faults.add({kind: 'drop_after', operation: 'createFineTuningJob'});
    const lost = await build(dir, emu);
    expect(lost.exitCode, show(lost)).toBe(0);
    expect(emu.state.jobs.size).toBe(1);

    const emu2 = await useEmulator();
    const dir2 = await newProject();
    emu2.faults.add({kind: 'drop_after', operation: 'createFineTuningJob'});
    emu2.faults.add({kind: 'list_lag', operation: 'createFineTuningJob', lagCalls: 3});
    const lagged = await build(dir2, emu2);
    expect(lagged.exitCode, show(lagged)).toBe(0);
    expect(emu2.state.jobs.size).toBe(1);
  });

  it('a lost create whose job the list does not show yet: exit 1 "run again", never a second job', async () => {
    const emu = await useEmulator();
    const dir = await newProject();
    emu.faults.add({kind: 'drop_after', operation: 'createFineTuningJob'});
    emu.faults.add({kind: 'list_lag', operation: 'createFineTuningJob', lagCalls: 9});
    const lost = await build(dir, emu);
    expect(lost.exitCode).toBe(1);
    const error = stageEnd(events(lost.stdout), 'train:default').error as {
      reason: string;
      message: string;
    };
    expect(error.reason).toBe('job-may-exist');
    expect(error.message).toContain('run ft build again');
    expect(emu.state.jobs.size).toBe(1);
    // The list catches up during the next build's lookups: the job is found, none is created.
    const again = await build(dir, emu);
    expect(again.exitCode, show(again)).toBe(0);
    expect(emu.state.jobs.size).toBe(1);
    expect(emu.requests.filter((r) => r.operation === 'createFineTuningJob')).toHaveLength(1);
  });

  it('recovers from 429s and 500s', async () => {
    const emu = await useEmulator();
    const dir = await newProject();
    emu.faults.add({kind: 'rate_limit', operation: 'createFineTuningJob', retryAfterMs: 10});
    // A 500 on the create: the key is looked up first (nothing), then the create is sent again.
    emu.faults.add({kind: 'server_error', operation: 'createFineTuningJob', skip: 1});
    emu.faults.add({kind: 'server_error', operation: 'listFiles'});
    emu.faults.add({kind: 'server_error', operation: 'retrieveFineTuningJob', count: 2});
    emu.faults.add({
      kind: 'rate_limit',
      operation: 'listPaginatedFineTuningJobs',
      retryAfterMs: 10,
    });
    const r = await build(dir, emu);
    expect(r.exitCode, show(r)).toBe(0);
    expect(emu.state.jobs.size).toBe(1);
    expect(
      emu.requests.filter((q) => q.operation === 'createFineTuningJob').map((q) => q.status),
    ).toEqual([429, 500, 200]);
  });

  it('a create refusal (403) shows the API message and request id; nothing is created', async () => {
    const emu = await useEmulator();
    const dir = await newProject();
    emu.faults.add({kind: 'refuse', operation: 'createFineTuningJob', count: null});
    const r = await build(dir, emu);
    expect(r.exitCode).toBe(1);
    const sent = emu.requests.filter((q) => q.operation === 'createFineTuningJob');
    expect(sent).toHaveLength(1);
    const error = stageEnd(events(r.stdout), 'train:default').error as {message: string};
    expect(error.message).toContain(WIND_DOWN_MESSAGE);
    expect(error.message).toContain(sent[0]!.requestId);
    expect(emu.state.jobs.size).toBe(0);
  });

  it('budget: plan and build refuse past budget_usd, creating nothing; a budget change keeps the key', async () => {
    const emu = await useEmulator();
    const dir = await newProject(', budget_usd: 0.0001');
    const plan = await ft(dir, ['plan', '--json'], env(emu));
    expect(plan.exitCode, show(plan)).toBe(0);
    const planned = JSON.parse(plan.stdout).stages.find(
      (s: {id: string}) => s.id === 'train:default',
    );
    expect(planned.budget.refused).toContain('exceeds budget_usd');
    const r = await build(dir, emu);
    expect(r.exitCode).toBe(1);
    expect((stageEnd(events(r.stdout), 'train:default').error as {reason: string}).reason).toBe(
      'over-budget',
    );
    expect(posts(emu)).toEqual([]);

    const unknown = await project({
      'finetune.yaml': recipe(', budget_usd: 10').replace(
        'gpt-4o-mini-2024-07-18',
        'gpt-4.1-mini-2025-04-14',
      ),
      'data/qa.jsonl': DATA,
    });
    const refused = await build(unknown, emu);
    expect(refused.exitCode).toBe(1);
    expect(show(refused)).toContain('--allow-unknown-cost');
    expect(posts(emu)).toEqual([]);

    const keyOf = async (d: string) =>
      JSON.parse((await ft(d, ['plan', '--json'], env(emu))).stdout).stages.find(
        (s: {id: string}) => s.id === 'train:default',
      ).key;
    const a = await newProject(', budget_usd: 5');
    const b = await newProject(', budget_usd: 50, price_per_1m_tokens: 3');
    const c = await newProject('', 'hyperparameters: { epochs: 2, batch_size: auto }');
    expect(await keyOf(a)).toBe(await keyOf(b));
    expect(await keyOf(a)).toBe(await keyOf(c));
  });

  it('refuses an undated alias with its snapshots, and out-of-range hyperparameters (exit 2)', async () => {
    const dir = await project({
      'finetune.yaml': recipe()
        .replace('gpt-4o-mini-2024-07-18', 'gpt-4o-mini')
        .replace('n_epochs: 2', 'n_epochs: 51, beta: 0.5'),
      'data/qa.jsonl': DATA,
    });
    const r = await ft(dir, ['validate']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/finetune\.yaml:\d+:\d+: .*gpt-4o-mini-2024-07-18/);
    expect(r.stderr).toContain('n_epochs is at most 50');
    expect(r.stderr).toContain('beta applies to method dpo only');
  });

  it('a training file the API would reject for too few examples is never uploaded (exit 2)', async () => {
    const emu = await useEmulator();
    const dir = await project({
      'finetune.yaml': recipe(),
      'data/qa.jsonl': jsonl(
        Array.from({length: 8}, (_, i) => ({prompt: `question ${i}?`, response: `answer ${i}`})),
      ),
    });
    const r = await ft(dir, ['build'], env(emu));
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(
      /train:default: OpenAI needs at least 10 training examples to fine-tune gpt-4o-mini-2024-07-18; the dataset has \d, so the job would fail \(invalid_n_examples\); nothing was uploaded/,
    );
    expect(posts(emu)).toEqual([]);
  });

  it('a failed job is reported with its error and replaced only with --retry', async () => {
    const emu = await useEmulator();
    const dir = await newProject();
    emu.faults.add({
      kind: 'fail_job',
      operation: 'createFineTuningJob',
      failWith: {
        code: 'server_error',
        message: 'The job failed due to an internal error.',
        param: null,
      },
    });
    const r = await build(dir, emu);
    expect(r.exitCode).toBe(1);
    expect(show(r)).toContain('The job failed due to an internal error.');
    const again = await build(dir, emu);
    expect(again.exitCode).toBe(1);
    expect(show(again)).toContain('--retry');
    expect(creates(emu)).toHaveLength(1);
    const retried = await build(dir, emu, ['--retry']);
    expect(retried.exitCode, show(retried)).toBe(0);
    expect(creates(emu)).toHaveLength(2);
  });
});

async function allFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, {recursive: true, withFileTypes: true})) {
    if (e.isFile()) out.push(join(e.parentPath, e.name));
  }
  return out;
}
