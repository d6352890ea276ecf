import {createHash} from 'node:crypto';
import {cpSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {buildJson, ft, project, stageEnd} from '../helpers/ft.js';

/** FILE_SET_THRESHOLD in src/plan/fingerprint.ts: sources above it are keyed by a file set. */
const THRESHOLD = 1000;

const RECIPE = `version: 1
name: many
sources:
  many: { path: "data/**/*.jsonl" }
transforms:
  - split: { validation: 0.1 }
`;

const name = (i: number) =>
  `data/${String(Math.floor(i / 500))}/f${String(i).padStart(5, '0')}.jsonl`;
const record = (i: number, answer = `a${i}`) => `{"prompt":"q${i}","response":"${answer}"}\n`;

/** A project whose glob source has `count` one-line files. */
function manyFiles(count: number): Promise<string> {
  const files: Record<string, string> = {'finetune.yaml': RECIPE};
  for (let i = 0; i < count; i++) files[name(i)] = record(i);
  return project(files);
}

const sha256 = (bytes: string | Buffer) =>
  `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const objectPath = (dir: string, hash: string) =>
  join(dir, '.ft', 'objects', hash.slice(7, 9), hash.slice(7));
const lockOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'finetune.lock'), 'utf8'));
const sourceEntry = (dir: string) => lockOf(dir).stages['source:many'];

describe('a source of more than 1,000 files is keyed by one hash of its file list', () => {
  it('records the set (count and hash) in the lockfile and the full list in the store', async () => {
    const dir = await manyFiles(THRESHOLD + 1);
    const r = await buildJson(dir);
    expect(r.exitCode).toBe(0);
    const entry = sourceEntry(dir);
    const source = entry.fingerprint.sources.many;
    expect(source.files).toBeUndefined();
    expect(source.file_set.count).toBe(THRESHOLD + 1);
    // The list: (path, sha256) pairs sorted by path, its bytes the ones the set's hash is of.
    const list = readFileSync(objectPath(dir, source.file_set.sha256));
    expect(sha256(list)).toBe(source.file_set.sha256);
    const pairs = JSON.parse(list.toString()) as [string, string][];
    const paths = Array.from({length: THRESHOLD + 1}, (_, i) => name(i)).sort();
    expect(pairs.map(([p]) => p)).toEqual(paths);
    expect(pairs.find(([p]) => p === name(7))?.[1]).toBe(sha256(record(7)));
    expect(entry.outputs['files.json']).toBe(source.file_set.sha256);
    // The lockfile stays small: no entry per file.
    expect(readFileSync(join(dir, 'finetune.lock'), 'utf8').length).toBeLessThan(5000);

    const again = await buildJson(dir);
    expect(again.statuses).toEqual({'source:many': 'fresh', dataset: 'fresh'});
  });

  it('keeps one entry per file up to the threshold', async () => {
    const dir = await manyFiles(THRESHOLD);
    expect((await buildJson(dir)).exitCode).toBe(0);
    const {fingerprint, outputs} = sourceEntry(dir);
    const files = fingerprint.sources.many.files as Record<string, string>;
    expect(fingerprint.sources.many.file_set).toBeUndefined();
    expect(Object.keys(files)).toHaveLength(THRESHOLD);
    expect(files[name(7)]).toBe(sha256(record(7)));
    expect(Object.keys(outputs)).toEqual(['manifest.json']);
  });

  it('reruns when one file changes, and names the files added, removed and changed', async () => {
    const dir = await manyFiles(THRESHOLD + 5);
    await buildJson(dir);
    const before = sourceEntry(dir).fingerprint.sources.many.file_set;

    writeFileSync(join(dir, name(42)), record(42, 'forty-two'));
    rmSync(join(dir, name(3)));
    writeFileSync(join(dir, 'data/extra.jsonl'), record(9999));
    const r = await buildJson(dir);
    expect(r.exitCode).toBe(0);
    expect(r.statuses).toEqual({'source:many': 'ran', dataset: 'ran'});
    const after = sourceEntry(dir).fingerprint.sources.many.file_set;
    expect(after.count).toBe(THRESHOLD + 5);
    expect(stageEnd(r.events, 'source:many').why).toEqual([
      {
        what: 'sources.many.file_set',
        from: before,
        to: after,
        files: {added: 1, removed: 1, changed: 1},
      },
      {what: `sources.many.files["${name(3)}"]`, from: sha256(record(3)), to: null},
      {
        what: `sources.many.files["${name(42)}"]`,
        from: sha256(record(42)),
        to: sha256(record(42, 'forty-two')),
      },
      {what: 'sources.many.files["data/extra.jsonl"]', from: null, to: sha256(record(9999))},
    ]);
  });

  it('ft plan names the changed file when the store has both lists', async () => {
    const dir = await manyFiles(THRESHOLD + 1);
    await buildJson(dir);
    writeFileSync(join(dir, name(42)), record(42, 'forty-two'));
    const plan = await ft(dir, ['plan']);
    expect(plan.exitCode).toBe(0);
    expect(plan.stdout).toMatch(
      /sources\.many\.file_set: 1,001 files sha256:[0-9a-f]{12} -> 1,001 files sha256:[0-9a-f]{12} \(0 added, 0 removed, 1 changed\)/,
    );
    expect(plan.stdout).toContain(`sources.many.files["${name(42)}"]: sha256:`);
  });

  it('on a fresh clone (lockfile, no store) says the set changed and how many files it has', async () => {
    const dir = await manyFiles(THRESHOLD + 1);
    await buildJson(dir);
    const clone = await project({});
    for (const part of ['finetune.yaml', 'finetune.lock', 'data']) {
      cpSync(join(dir, part), join(clone, part), {recursive: true});
    }
    writeFileSync(join(clone, 'data/extra.jsonl'), record(9999));
    const plan = await ft(clone, ['plan', '--json']);
    expect(plan.exitCode).toBe(0);
    const stage = (JSON.parse(plan.stdout) as {stages: {id: string; why: unknown[]}[]}).stages.find(
      (s) => s.id === 'source:many',
    );
    const before = sourceEntry(dir).fingerprint.sources.many.file_set;
    expect(stage?.why).toEqual([
      {
        what: 'sources.many.file_set',
        from: before,
        to: {count: THRESHOLD + 2, sha256: expect.stringMatching(/^sha256:/)},
      },
    ]);
    const text = await ft(clone, ['plan']);
    expect(text.stdout).toMatch(
      /sources\.many\.file_set: 1,001 files sha256:\w{12} -> 1,002 files sha256:\w{12} \(the file lists are not both in \.ft\/, so the files are not named\)/,
    );
  });
});
