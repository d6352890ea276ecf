import {readFile} from 'node:fs/promises';
import {join} from 'node:path';
import {execa} from 'execa';
import {describe, expect, it} from 'vitest';
import type {Emulator} from '../emulator/server.js';
import {client, useEmulator} from '../helpers/emulator.js';
import {events, FT_BIN, type FtResult, ft, jsonl, project, stageEnd} from '../helpers/ft.js';

/** The OpenAI backend's modes: detach, Ctrl-C, cancel, DPO, Azure, racing builds. */
const KEY = 'sk-ft-modes-secret-9876543210';
const AZURE_KEY = 'azure-ft-modes-secret-42';

const recipe = (backend = '', hyperparameters = '') => `version: 1
name: oai
sources:
  qa: { path: data/qa.jsonl }
transforms:
  - template: { user: "{{prompt}}", assistant: "{{response}}" }
backend: { type: openai, model: gpt-4o-mini-2024-07-18${backend} }
${hyperparameters}
`;
const DATA = jsonl(
  Array.from({length: 20}, (_, i) => ({prompt: `question ${i}?`, response: `answer ${i}`})),
);
const env = (emu: Emulator) => ({
  OPENAI_API_KEY: KEY,
  OPENAI_BASE_URL: `${emu.url}/v1`,
  FT_OPENAI_POLL_MS: '5',
});
const build = (dir: string, emu: Emulator, args: string[] = []) =>
  ft(dir, ['build', '--json', ...args], env(emu));
const show = (r: FtResult) => `${r.stdout}\n${r.stderr}`;
const creates = (emu: Emulator) =>
  emu.requests.filter((r) => r.operation === 'createFineTuningJob' && r.status !== 'dropped');

describe('openai backend modes', () => {
  it('--detach submits and exits 0 (detached); the next build collects; progress events', async () => {
    const emu = await useEmulator();
    const dir = await project({'finetune.yaml': recipe(), 'data/qa.jsonl': DATA});
    const r = await build(dir, emu, ['--detach']);
    expect(r.exitCode, show(r)).toBe(0);
    expect(stageEnd(events(r.stdout), 'train:default').status).toBe('detached');
    expect(creates(emu)).toHaveLength(1);
    const collected = await build(dir, emu);
    expect(collected.exitCode, show(collected)).toBe(0);
    const all = events(collected.stdout);
    expect(stageEnd(all, 'train:default').status).toBe('ran');
    const progress = all.filter((e) => e.event === 'progress' && e.id === 'train:default');
    expect(progress.some((e) => typeof e.done === 'number' && typeof e.total === 'number')).toBe(
      true,
    );
    expect(creates(emu)).toHaveLength(1);
  });

  it('Ctrl-C detaches (exit 130, job left running); ft cancel cancels it; the next build reports it and creates nothing', async () => {
    const emu = await useEmulator({advanceOnRetrieve: false});
    const dir = await project({'finetune.yaml': recipe(), 'data/qa.jsonl': DATA});
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
    // let it reach polling
    while (!emu.requests.some((q) => q.operation === 'retrieveFineTuningJob') && !exited) {
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGINT');
    const r = await child;
    expect(r.exitCode).toBe(130);
    expect(stageEnd(events(String(r.stdout)), 'train:default').status).toBe('detached');
    const id = [...emu.state.jobs.keys()][0]!;
    expect(emu.state.jobs.get(id)!.json.status).not.toBe('cancelled');

    const cancel = await ft(dir, ['cancel', 'train:default'], env(emu));
    expect(cancel.exitCode, show(cancel)).toBe(0);
    expect(cancel.stdout).toContain(`cancelled ${id}`);
    expect(emu.state.jobs.get(id)!.json.status).toBe('cancelled');
    const after = await build(dir, emu);
    expect(after.exitCode).toBe(1);
    expect(show(after)).toContain('--retry');
    expect(creates(emu)).toHaveLength(1);
  });

  it('a paused job is waited out, and the build completes once it is resumed', async () => {
    const emu = await useEmulator();
    const dir = await project({'finetune.yaml': recipe(), 'data/qa.jsonl': DATA});
    const running = build(dir, emu);
    const retrieves = () =>
      emu.requests.filter((q) => q.operation === 'retrieveFineTuningJob').length;
    while (retrieves() === 0) await new Promise((r) => setTimeout(r, 5));
    const api = client(emu);
    const id = [...emu.state.jobs.keys()][0]!;
    await api.fineTuning.jobs.pause(id);
    const before = retrieves();
    while (retrieves() < before + 3) await new Promise((r) => setTimeout(r, 5));
    expect(emu.state.jobs.get(id)!.json.status).toBe('paused');
    await api.fineTuning.jobs.resume(id);
    const r = await running;
    expect(r.exitCode, show(r)).toBe(0);
    expect(creates(emu)).toHaveLength(1);
    expect(
      events(r.stdout).some((e) => e.event === 'progress' && String(e.message).includes('paused')),
    ).toBe(true);
  });

  it('DPO: preference records train with method dpo and beta', async () => {
    const emu = await useEmulator();
    const pairs = jsonl(
      Array.from({length: 12}, (_, i) => ({
        prompt: `q${i}`,
        chosen: `good ${i}`,
        rejected: `bad ${i}`,
      })),
    );
    const dir = await project({
      'finetune.yaml': `version: 1
name: dpo
sources:
  pairs: { path: data/pairs.jsonl }
backend: { type: openai, model: gpt-4o-mini-2024-07-18, method: dpo }
hyperparameters: { beta: 0.2 }
`,
      'data/pairs.jsonl': pairs,
    });
    const r = await build(dir, emu);
    expect(r.exitCode, show(r)).toBe(0);
    const job = [...emu.state.jobs.values()][0]!.json;
    expect(job.method?.type).toBe('dpo');
    expect(job.method?.dpo?.hyperparameters?.beta).toBe(0.2);
  });

  it('Azure: the same flow through the Azure client, with its key from AZURE_OPENAI_API_KEY', async () => {
    const emu = await useEmulator();
    const dir = await project({
      'finetune.yaml': recipe(
        `, azure: { endpoint: "${emu.url}", api_version: 2025-04-01-preview }`,
      ),
      'data/qa.jsonl': DATA,
    });
    const azureEnv = {AZURE_OPENAI_API_KEY: AZURE_KEY, FT_OPENAI_POLL_MS: '5'};
    const r = await ft(dir, ['build', '--json'], azureEnv);
    expect(r.exitCode, show(r)).toBe(0);
    expect(
      emu.requests.every((q) => q.path.startsWith('/openai') || q.path.startsWith('/__')),
    ).toBe(true);
    expect(creates(emu)).toHaveLength(1);
    const again = await ft(dir, ['build', '--json'], azureEnv);
    expect(stageEnd(events(again.stdout), 'train:default').status).toBe('fresh');
    expect(creates(emu)).toHaveLength(1);
    const lock = await readFile(join(dir, 'finetune.lock'), 'utf8');
    expect(lock).not.toContain(AZURE_KEY);
    expect(show(r)).not.toContain(AZURE_KEY);
  });

  it('two racing builds of one key end with one live job', async () => {
    const emu = await useEmulator();
    const files = {'finetune.yaml': recipe(), 'data/qa.jsonl': DATA};
    const [a, b] = [await project(files), await project(files)];
    const [ra, rb] = await Promise.all([build(a, emu), build(b, emu)]);
    expect(ra.exitCode, show(ra)).toBe(0);
    expect(rb.exitCode, show(rb)).toBe(0);
    const live = [...emu.state.jobs.values()].filter((j) => j.json.status !== 'cancelled');
    expect(live).toHaveLength(1);
    // Whether both created (and the newer was cancelled) or the second found the first depends on
    // timing; either way exactly one job is live and both lockfiles name it.
    expect(creates(emu).length).toBe(emu.state.jobs.size);
    const lockA = JSON.parse(await readFile(join(a, 'finetune.lock'), 'utf8'));
    const lockB = JSON.parse(await readFile(join(b, 'finetune.lock'), 'utf8'));
    expect(lockA.stages['train:default'].result).toEqual(lockB.stages['train:default'].result);
  });
});
