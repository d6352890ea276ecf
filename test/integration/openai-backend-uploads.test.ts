import {rm} from 'node:fs/promises';
import {join} from 'node:path';
import {execa} from 'execa';
import {describe, expect, it} from 'vitest';
import type {Emulator} from '../emulator/server.js';
import {useEmulator} from '../helpers/emulator.js';
import {events, FT_BIN, type FtResult, ft, jsonl, project, stageEnd} from '../helpers/ft.js';

/**
 * Files over the Files API's 512 MB go through the Uploads API. The limit and the part size are
 * lowered for tests (FT_OPENAI_UPLOAD_LIMIT_BYTES, FT_OPENAI_UPLOAD_PART_BYTES), so a training
 * file of a few kilobytes goes up in parts, through the real ft CLI and the real SDK.
 */
const recipe = (epochs = 2) => `version: 1
name: oai
sources:
  qa: { path: data/qa.jsonl }
transforms:
  - template: { user: "{{prompt}}", assistant: "{{response}}" }
  - split: { validation: 0.2 }
backend: { type: openai, model: gpt-4o-mini-2024-07-18 }
hyperparameters: { n_epochs: ${epochs} }
`;
const DATA = jsonl(
  Array.from({length: 30}, (_, i) => ({prompt: `question ${i}?`, response: `answer ${i}`})),
);
/** Above the validation file (about 6 examples), below the training file (about 24). */
const LIMIT = 1500;
const PART = 1024;

const env = (emu: Emulator) => ({
  OPENAI_API_KEY: 'sk-ft-test',
  OPENAI_BASE_URL: `${emu.url}/v1`,
  FT_OPENAI_POLL_MS: '5',
  FT_OPENAI_UPLOAD_LIMIT_BYTES: String(LIMIT),
  FT_OPENAI_UPLOAD_PART_BYTES: String(PART),
});
const build = (dir: string, emu: Emulator) => ft(dir, ['build', '--json'], env(emu));
const show = (r: FtResult) => `${r.stdout}\n${r.stderr}`;
const ops = (emu: Emulator, op: string, from = 0) =>
  emu.requests.slice(from).filter((r) => r.operation === op);
const posts = (emu: Emulator, from = 0) =>
  emu.requests.slice(from).filter((r) => r.method === 'POST' && !r.path.startsWith('/__'));
const trainingFiles = (emu: Emulator) =>
  [...emu.state.files.values()].filter((f) => f.json.purpose === 'fine-tune');

describe('openai backend: the Uploads API above the Files API limit', () => {
  it('uploads the training file in parts, trains on it, and makes zero POSTs next time', async () => {
    const emu = await useEmulator();
    const dir = await project({'finetune.yaml': recipe(), 'data/qa.jsonl': DATA});
    const first = await build(dir, emu);
    expect(first.exitCode, show(first)).toBe(0);
    expect(ops(emu, 'createUpload').map((r) => r.status)).toEqual([200]);
    const [upload] = [...emu.state.uploads.values()];
    expect(upload!.json.status).toBe('completed');
    expect(upload!.json.filename).toMatch(/^ft-[0-9a-f]{64}\.jsonl$/);
    expect(upload!.mimeType).toBe('text/jsonl');
    const parts = Math.ceil(upload!.json.bytes / PART);
    expect(upload!.json.bytes).toBeGreaterThan(LIMIT);
    expect(parts).toBeGreaterThanOrEqual(2);
    expect(ops(emu, 'addUploadPart')).toHaveLength(parts);
    expect(ops(emu, 'completeUpload')).toHaveLength(1);
    // The validation file is under the limit: the Files API, as before.
    expect(ops(emu, 'createFile')).toHaveLength(1);
    const job = [...emu.state.jobs.values()][0]!.json;
    expect(job.training_file).toBe(upload!.json.file!.id);
    expect(job.status).toBe('succeeded');
    expect(stageEnd(events(first.stdout), 'train:default').status).toBe('ran');

    const before = emu.requests.length;
    const again = await build(dir, emu);
    expect(again.exitCode, show(again)).toBe(0);
    expect(stageEnd(events(again.stdout), 'train:default').status).toBe('fresh');
    expect(posts(emu, before)).toEqual([]);
  });

  it('a clone without .ft/ reuses the completed upload by its content-hash name', async () => {
    const emu = await useEmulator();
    const dir = await project({'finetune.yaml': recipe(), 'data/qa.jsonl': DATA});
    expect((await build(dir, emu)).exitCode).toBe(0);
    // Another key (n_epochs 3), the same training bytes, no .ft/ and no lockfile.
    await rm(join(dir, '.ft'), {recursive: true, force: true});
    await rm(join(dir, 'finetune.lock'));
    const clone = await project({'finetune.yaml': recipe(3), 'data/qa.jsonl': DATA});
    const before = emu.requests.length;
    const r = await build(clone, emu);
    expect(r.exitCode, show(r)).toBe(0);
    expect(ops(emu, 'createUpload', before)).toEqual([]);
    expect(ops(emu, 'addUploadPart', before)).toEqual([]);
    expect(ops(emu, 'createFile', before)).toEqual([]);
    expect(ops(emu, 'createFineTuningJob', before)).toHaveLength(1);
    const jobs = [...emu.state.jobs.values()].map((j) => j.json);
    expect(jobs).toHaveLength(2);
    expect(jobs[1]!.training_file).toBe(jobs[0]!.training_file);
  });

  it('a 500 on one part is retried; a lost answer to the complete finds the file; one file each', async () => {
    const emu = await useEmulator();
    emu.faults.add({kind: 'server_error', operation: 'addUploadPart', skip: 1});
    emu.faults.add({kind: 'drop_after', operation: 'completeUpload'});
    const dir = await project({'finetune.yaml': recipe(), 'data/qa.jsonl': DATA});
    const r = await build(dir, emu);
    expect(r.exitCode, show(r)).toBe(0);
    const partStatuses = ops(emu, 'addUploadPart').map((x) => x.status);
    expect(partStatuses.filter((s) => s === 500)).toHaveLength(1);
    expect(ops(emu, 'completeUpload').map((x) => x.status)).toEqual(['dropped', 400]);
    expect(ops(emu, 'createUpload')).toHaveLength(1);
    expect(trainingFiles(emu)).toHaveLength(2); // the training file (one) and the validation file
    expect([...emu.state.jobs.values()]).toHaveLength(1);
    expect([...emu.state.jobs.values()][0]!.json.status).toBe('succeeded');
  });

  it('a part the API refuses fails the build with the part, the message and the request id; the upload is cancelled', async () => {
    const emu = await useEmulator();
    emu.faults.add({
      kind: 'http_error',
      operation: 'addUploadPart',
      skip: 1,
      status: 400,
      error: {message: 'Part rejected for a test.', code: 'part_rejected'},
    });
    const dir = await project({'finetune.yaml': recipe(), 'data/qa.jsonl': DATA});
    const r = await build(dir, emu);
    expect(r.exitCode, show(r)).toBe(1);
    const refused = ops(emu, 'addUploadPart').find((x) => x.status === 400)!;
    const out = show(r);
    expect(out).toMatch(/uploading part 2 of \d+/);
    expect(out).toContain('Part rejected for a test.');
    expect(out).toContain(refused.requestId);
    expect([...emu.state.uploads.values()][0]!.json.status).toBe('cancelled');
    expect(emu.state.jobs.size).toBe(0);

    // The next build starts the upload again and succeeds.
    const again = await build(dir, emu);
    expect(again.exitCode, show(again)).toBe(0);
    expect([...emu.state.uploads.values()].map((u) => u.json.status)).toEqual([
      'cancelled',
      'completed',
    ]);
  });

  it('Ctrl-C part-way cancels the Upload (politely) and creates nothing', async () => {
    const emu = await useEmulator();
    emu.faults.add({kind: 'slow', operation: 'addUploadPart', skip: 1, delayMs: 3000});
    const dir = await project({'finetune.yaml': recipe(), 'data/qa.jsonl': DATA});
    const child = execa(process.execPath, [FT_BIN, 'build', '--json'], {
      cwd: dir,
      reject: false,
      env: {CI: '1', NO_COLOR: '1', ...env(emu)},
    });
    let exited = false;
    void child.then(() => {
      exited = true;
    });
    while (ops(emu, 'addUploadPart').length < 2 && !exited) {
      await new Promise((r) => setTimeout(r, 10));
    }
    child.kill('SIGINT');
    const r = await child;
    expect(r.exitCode).toBe(130);
    expect([...emu.state.uploads.values()].map((u) => u.json.status)).toEqual(['cancelled']);
    expect(ops(emu, 'completeUpload')).toEqual([]);
    expect(emu.state.jobs.size).toBe(0);
  });
});
