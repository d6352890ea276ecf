import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import type {Emulator} from '../emulator/server.js';
import {useEmulator} from '../helpers/emulator.js';
import {events, type FtResult, ft, jsonl, project, stageEnd} from '../helpers/ft.js';

/**
 * A key of another organization than the one that trained a model or created a job gets a 404
 * for it. ft says so (the `openai-organization` header against the lockfile's or the work
 * record's organization_id) instead of "no longer exists", and creates nothing.
 */
const ORGS = {'sk-org-a': 'org-A', 'sk-org-b': 'org-B'};
const RECORDS = Array.from({length: 30}, (_, i) => ({prompt: `question ${i}`, response: `a${i}`}));
const RECIPE = `version: 1
name: orgs
sources:
  qa: { path: data/qa.jsonl }
transforms:
  - template: { user: "{{prompt}}", assistant: "{{response}}" }
backend: { type: openai, model: gpt-4o-mini-2024-07-18 }
hyperparameters: { n_epochs: 1 }
eval:
  dataset: train
  models: [tuned]
  metrics: [exact_match]
`;
const env = (emu: Emulator, key: string) => ({
  OPENAI_API_KEY: key,
  OPENAI_BASE_URL: `${emu.url}/v1`,
  FT_OPENAI_POLL_MS: '5',
});
const show = (r: FtResult) => `${r.stdout}\n${r.stderr}`;
const posts = (emu: Emulator, from = 0) =>
  emu.requests.slice(from).filter((r) => r.method === 'POST' && !r.path.startsWith('/__'));

describe('openai backend: another organization', () => {
  it("a clone evaluating a locked ft: model with another organization's key is told so; nothing is created", async () => {
    const emu = await useEmulator({organizations: ORGS});
    const files = {'finetune.yaml': RECIPE, 'data/qa.jsonl': jsonl(RECORDS)};
    const dir = await project(files);
    const first = await ft(dir, ['build'], env(emu, 'sk-org-a'));
    expect(first.exitCode, show(first)).toBe(0);
    const lock = readFileSync(join(dir, 'finetune.lock'), 'utf8');
    const result = JSON.parse(lock).stages['train:default'].result;
    expect(result.organization_id).toBe('org-A');

    const clone = await project({...files, 'finetune.lock': lock});
    const before = emu.requests.length;
    const r = await ft(clone, ['build'], env(emu, 'sk-org-b'));
    expect(r.exitCode, show(r)).toBe(1);
    expect(show(r)).toContain(
      `the model ${result.model} was trained by organization org-A (finetune.lock); OPENAI_API_KEY belongs to org-B, which cannot see it; use a key of org-A`,
    );
    expect(show(r)).not.toContain('no longer exists');
    expect(posts(emu, before)).toEqual([]);
    expect(emu.state.jobs.size).toBe(1);

    // The same key's organization, a deleted model: still "no longer exists".
    emu.state.models.get(result.model)!.deleted = true;
    const gone = await ft(clone, ['build'], env(emu, 'sk-org-a'));
    expect(gone.exitCode).toBe(1);
    expect(show(gone)).toContain(`the model ${result.model} no longer exists for this API key`);
  });

  it("reattaching to a recorded job with another organization's key stops instead of paying again", async () => {
    const emu = await useEmulator({organizations: ORGS, advanceOnRetrieve: false});
    const dir = await project({
      'finetune.yaml': RECIPE.replace(/eval:[\s\S]*$/, ''),
      'data/qa.jsonl': jsonl(RECORDS),
    });
    const detached = await ft(dir, ['build', '--json', '--detach'], env(emu, 'sk-org-a'));
    expect(detached.exitCode, show(detached)).toBe(0);
    expect(stageEnd(events(detached.stdout), 'train:default').status).toBe('detached');
    const [job] = [...emu.state.jobs.values()];
    expect(job!.json.organization_id).toBe('org-A');

    const before = emu.requests.length;
    const r = await ft(dir, ['build'], env(emu, 'sk-org-b'));
    expect(r.exitCode, show(r)).toBe(1);
    expect(show(r)).toContain(
      `OpenAI job ${job!.json.id} for this key was created by organization org-A`,
    );
    expect(show(r)).toContain(
      'OPENAI_API_KEY belongs to org-B, which cannot see it; use a key of org-A',
    );
    expect(posts(emu, before)).toEqual([]);
    expect(emu.state.jobs.size).toBe(1);

    // ft cancel says the same, and cancels nothing.
    const cancel = await ft(dir, ['cancel', 'train:default'], env(emu, 'sk-org-b'));
    expect(cancel.exitCode, show(cancel)).toBe(1);
    expect(show(cancel)).toContain(
      'OPENAI_API_KEY belongs to org-B, which cannot see it; use a key of org-A to cancel it',
    );
    expect(job!.json.status).not.toBe('cancelled');

    // The right key reattaches and collects.
    emu.runJob(job!.json.id);
    const ok = await ft(dir, ['build'], env(emu, 'sk-org-a'));
    expect(ok.exitCode, show(ok)).toBe(0);
    expect(emu.state.jobs.size).toBe(1);
  });
});
