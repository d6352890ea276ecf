import {readdirSync, readFileSync, statSync, utimesSync, writeFileSync} from 'node:fs';
import {rm} from 'node:fs/promises';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {buildJson, ft, jsonl, project, SMOKE_DATA, SMOKE_RECIPE, stageEnd} from '../helpers/ft.js';

const lockOf = (dir: string) => readFileSync(join(dir, 'finetune.lock'), 'utf8');

describe('ft build reruns exactly what changed, and says why', () => {
  it('runs every stage the first time, and none the second', async () => {
    const dir = await project({'finetune.yaml': SMOKE_RECIPE, 'data/qa.jsonl': SMOKE_DATA});
    const first = await buildJson(dir);
    expect(first.exitCode).toBe(0);
    expect(first.statuses).toEqual({'source:qa': 'ran', dataset: 'ran'});
    expect(stageEnd(first.events, 'dataset').why).toEqual([{what: 'stage', from: null, to: 'new'}]);
    const lock = lockOf(dir);
    const lockMtime = statSync(join(dir, 'finetune.lock')).mtimeMs;

    const second = await buildJson(dir);
    expect(second.exitCode).toBe(0);
    expect(second.statuses).toEqual({'source:qa': 'fresh', dataset: 'fresh'});
    expect(second.events.filter((e) => e.event === 'stage-start')).toEqual([]);
    expect(lockOf(dir)).toBe(lock);
    expect(statSync(join(dir, 'finetune.lock')).mtimeMs).toBe(lockMtime);
  });

  it('touching a file changes nothing: content decides', async () => {
    const dir = await project({'finetune.yaml': SMOKE_RECIPE, 'data/qa.jsonl': SMOKE_DATA});
    await buildJson(dir);
    const later = new Date(Date.now() + 5000);
    utimesSync(join(dir, 'data/qa.jsonl'), later, later);
    const r = await buildJson(dir);
    expect(r.statuses).toEqual({'source:qa': 'fresh', dataset: 'fresh'});
  });

  it('editing one record reruns the source and the dataset, with old and new hashes', async () => {
    const dir = await project({'finetune.yaml': SMOKE_RECIPE, 'data/qa.jsonl': SMOKE_DATA});
    const first = await buildJson(dir);
    const oldFile = JSON.parse(lockOf(dir)).stages['source:qa'].fingerprint.sources.qa.files[
      'data/qa.jsonl'
    ];
    const oldManifest = stageEnd(first.events, 'source:qa').outputs as Record<string, string>;

    writeFileSync(join(dir, 'data/qa.jsonl'), SMOKE_DATA.replace('answer 7"', 'answer seven"'));
    const r = await buildJson(dir);
    expect(r.statuses).toEqual({'source:qa': 'ran', dataset: 'ran'});
    const newFile = JSON.parse(lockOf(dir)).stages['source:qa'].fingerprint.sources.qa.files[
      'data/qa.jsonl'
    ];
    expect(newFile).not.toBe(oldFile);
    expect(stageEnd(r.events, 'source:qa').why).toEqual([
      {what: 'sources.qa.files["data/qa.jsonl"]', from: oldFile, to: newFile},
    ]);
    const newManifest = stageEnd(r.events, 'source:qa').outputs as Record<string, string>;
    expect(stageEnd(r.events, 'dataset').why).toEqual([
      {what: 'sources.qa', from: oldManifest['manifest.json'], to: newManifest['manifest.json']},
    ]);
  });

  it('changing split.validation reruns only the dataset', async () => {
    const dir = await project({'finetune.yaml': SMOKE_RECIPE, 'data/qa.jsonl': SMOKE_DATA});
    await buildJson(dir);
    writeFileSync(join(dir, 'finetune.yaml'), SMOKE_RECIPE.replace('0.2', '0.25'));
    const r = await buildJson(dir);
    expect(r.statuses).toEqual({'source:qa': 'fresh', dataset: 'ran'});
    expect(stageEnd(r.events, 'dataset').why).toEqual([
      {what: 'transforms[1].split.validation', from: 0.2, to: 0.25},
    ]);
    const plan = JSON.parse((await ft(dir, ['plan', '--json'])).stdout);
    expect(plan.stages.map((s: {status: string}) => s.status)).toEqual(['fresh', 'fresh']);
  });

  it('reverting restores the earlier outputs from the run-cache without running', async () => {
    const dir = await project({'finetune.yaml': SMOKE_RECIPE, 'data/qa.jsonl': SMOKE_DATA});
    await buildJson(dir);
    const original = lockOf(dir);
    writeFileSync(join(dir, 'finetune.yaml'), SMOKE_RECIPE.replace('0.2', '0.25'));
    await buildJson(dir);
    expect(lockOf(dir)).not.toBe(original);

    writeFileSync(join(dir, 'finetune.yaml'), SMOKE_RECIPE);
    const r = await buildJson(dir);
    expect(r.statuses).toEqual({'source:qa': 'fresh', dataset: 'cached'});
    expect(r.events.filter((e) => e.event === 'stage-start')).toEqual([]);
    expect(stageEnd(r.events, 'dataset').why).toEqual([
      {what: 'transforms[1].split.validation', from: 0.25, to: 0.2},
    ]);
    expect(lockOf(dir)).toBe(original);
  });

  it('rebuilding from an empty .ft/ reproduces the lockfile byte for byte', async () => {
    const dir = await project({'finetune.yaml': SMOKE_RECIPE, 'data/qa.jsonl': SMOKE_DATA});
    await buildJson(dir);
    const lock = lockOf(dir);
    await rm(join(dir, '.ft'), {recursive: true});
    const r = await buildJson(dir);
    // The lockfile matches the keys, but the outputs are gone: both stages run again.
    expect(r.statuses).toEqual({'source:qa': 'ran', dataset: 'ran'});
    expect(lockOf(dir)).toBe(lock);
  });

  it('a clone without .ft/ or a lockfile builds the same bytes in another folder', async () => {
    const a = await project({'finetune.yaml': SMOKE_RECIPE, 'data/qa.jsonl': SMOKE_DATA});
    const b = await project({'finetune.yaml': SMOKE_RECIPE, 'data/qa.jsonl': SMOKE_DATA});
    await buildJson(a);
    await buildJson(b);
    expect(lockOf(b)).toBe(lockOf(a));
  });

  it('--set varies one run and never writes the lockfile', async () => {
    const dir = await project({'finetune.yaml': SMOKE_RECIPE, 'data/qa.jsonl': SMOKE_DATA});
    await buildJson(dir);
    const lock = lockOf(dir);
    const r = await buildJson(dir, ['--set', 'transforms[1].split.validation=0.5']);
    expect(r.exitCode).toBe(0);
    expect(r.statuses.dataset).toBe('ran');
    expect(stageEnd(r.events, 'dataset').why).toEqual([
      {what: 'transforms[1].split.validation', from: 0.2, to: 0.5},
    ]);
    expect(lockOf(dir)).toBe(lock);
    // The variation is in the run-cache all the same.
    const again = await buildJson(dir, ['--set', 'transforms[1].split.validation=0.5']);
    expect(again.statuses.dataset).toBe('cached');
  });

  it('--frozen exits 1 on drift and writes nothing', async () => {
    const dir = await project({'finetune.yaml': SMOKE_RECIPE, 'data/qa.jsonl': SMOKE_DATA});
    await buildJson(dir);
    const lock = lockOf(dir);
    expect((await buildJson(dir, ['--frozen'])).exitCode).toBe(0);

    writeFileSync(join(dir, 'finetune.yaml'), SMOKE_RECIPE.replace('0.2', '0.3'));
    const stagesBefore = readdirSync(join(dir, '.ft/stages')).sort();
    const r = await buildJson(dir, ['--frozen']);
    expect(r.exitCode).toBe(1);
    expect(r.statuses).toEqual({'source:qa': 'fresh', dataset: 'failed'});
    const end = stageEnd(r.events, 'dataset');
    expect((end.error as {reason: string}).reason).toBe('frozen-lockfile');
    expect((end.error as {message: string}).message).toContain(
      'transforms[1].split.validation: 0.2 -> 0.3',
    );
    expect(r.events.filter((e) => e.event === 'stage-start')).toEqual([]);
    expect(lockOf(dir)).toBe(lock);
    expect(readdirSync(join(dir, '.ft/stages')).sort()).toEqual(stagesBefore);
  });

  it('--frozen also fails when the lockfile is missing', async () => {
    const dir = await project({'finetune.yaml': SMOKE_RECIPE, 'data/qa.jsonl': SMOKE_DATA});
    const r = await buildJson(dir, ['--frozen']);
    expect(r.exitCode).toBe(1);
    expect(() => lockOf(dir)).toThrow();
  });

  it('builds only the named stages and what they need', async () => {
    const dir = await project({
      'finetune.yaml': SMOKE_RECIPE.replace(
        'sources:\n',
        'sources:\n  extra: { path: data/extra.jsonl }\n',
      ),
      'data/qa.jsonl': SMOKE_DATA,
      'data/extra.jsonl': jsonl([{prompt: 'x', response: 'y'}]),
    });
    const r = await buildJson(dir, ['source:qa']);
    expect(r.statuses).toEqual({'source:qa': 'ran'});
    expect(Object.keys(JSON.parse(lockOf(dir)).stages)).toEqual(['source:qa']);
    const all = await buildJson(dir);
    expect(all.statuses).toEqual({'source:extra': 'ran', 'source:qa': 'fresh', dataset: 'ran'});
    const unknown = await buildJson(dir, ['datset']);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.events.find((e) => e.event === 'diagnostic')?.message).toContain(
      "no stage 'datset'",
    );
  });

  it('a stage removed from the recipe leaves the lockfile', async () => {
    const two = SMOKE_RECIPE.replace(
      'sources:\n',
      'sources:\n  extra: { path: data/extra.jsonl }\n',
    );
    const dir = await project({
      'finetune.yaml': two,
      'data/qa.jsonl': SMOKE_DATA,
      'data/extra.jsonl': jsonl([{prompt: 'x', response: 'y'}]),
    });
    await buildJson(dir);
    expect(Object.keys(JSON.parse(lockOf(dir)).stages)).toContain('source:extra');
    writeFileSync(join(dir, 'finetune.yaml'), SMOKE_RECIPE);
    const r = await buildJson(dir);
    expect(r.statuses).toEqual({'source:qa': 'fresh', dataset: 'ran'});
    expect(stageEnd(r.events, 'dataset').why).toEqual([
      {what: 'source_order[0]', from: 'extra', to: 'qa'},
      {what: 'source_order[1]', from: 'qa', to: null},
      {what: 'sources.extra', from: expect.stringMatching(/^sha256:/), to: null},
    ]);
    expect(Object.keys(JSON.parse(lockOf(dir)).stages).sort()).toEqual(['dataset', 'source:qa']);
  });
});
