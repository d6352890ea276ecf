import {mkdtemp, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it, onTestFinished} from 'vitest';
import {globFiles, globToRegExp} from '../../../../src/core/glob.js';
import {DataProblems} from '../../../../src/data/records/data-error.js';
import type {Example} from '../../../../src/data/records/example.js';
import {deletePath, getPath, setPath} from '../../../../src/data/records/fields.js';
import {toTrainingExample} from '../../../../src/data/records/formats.js';
import {SourceIdentity} from '../../../../src/data/records/identity.js';
import {renameTransform} from '../../../../src/data/transforms/rename.js';
import {sampleTransform} from '../../../../src/data/transforms/sample.js';
import {shuffleTransform} from '../../../../src/data/transforms/shuffle.js';
import {project} from '../../../helpers/ft.js';
import {context} from '../transforms/helpers.js';

const examples = (n: number): Example[] => {
  const batch = Array.from({length: n}, (_, i) => ({
    record: {i, text: `record ${i}`},
    origin: {file: 'f', line: i + 1},
    id: '',
  }));
  new SourceIdentity(null).assign(batch, new DataProblems());
  return batch;
};

async function drain(
  step: ReturnType<typeof shuffleTransform>,
  input: Example[][],
): Promise<Example[]> {
  const out: Example[] = [];
  for (const batch of input) out.push(...(await step.process(batch)));
  for await (const batch of step.finish?.() ?? []) out.push(...batch);
  return out;
}

describe('globs', () => {
  it('match names, folders and alternatives like a shell', () => {
    const re = globToRegExp('data/**/*.{jsonl,json}');
    expect(re.test('data/a.jsonl')).toBe(true);
    expect(re.test('data/x/y/b.json')).toBe(true);
    expect(re.test('data/a.csv')).toBe(false);
    expect(re.test('data/.hidden.jsonl')).toBe(false);
    expect(globToRegExp('part-[0-9]?.jsonl').test('part-12.jsonl')).toBe(true);
    expect(globToRegExp('part-[!0-9].jsonl').test('part-1.jsonl')).toBe(false);
  });

  it('list files in sorted order', async () => {
    const dir = await project({
      'b/2.jsonl': '',
      'b/10.jsonl': '',
      'a.jsonl': '',
      'b/c/1.jsonl': '',
      'x.txt': '',
    });
    expect(globFiles(dir, '**/*.jsonl')).toEqual([
      'a.jsonl',
      'b/10.jsonl',
      'b/2.jsonl',
      'b/c/1.jsonl',
    ]);
    expect(globFiles(dir, 'b/*.jsonl')).toEqual(['b/10.jsonl', 'b/2.jsonl']);
  });
});

describe('record formats', () => {
  it('normalize pairs, ShareGPT threads and TRL preferences; keep chat and DPO as they are', () => {
    expect(toTrainingExample({prompt: 'p', completion: 'c', id: 1})).toEqual({
      messages: [
        {role: 'user', content: 'p'},
        {role: 'assistant', content: 'c'},
      ],
    });
    expect(
      toTrainingExample({
        conversations: [
          {from: 'system', value: 's'},
          {from: 'human', value: 'h'},
          {from: 'gpt', value: 'g'},
        ],
      }),
    ).toEqual({
      messages: [
        {role: 'system', content: 's'},
        {role: 'user', content: 'h'},
        {role: 'assistant', content: 'g'},
      ],
    });
    expect(toTrainingExample({prompt: 'p', chosen: 'good', rejected: 'bad'})).toEqual({
      input: {messages: [{role: 'user', content: 'p'}]},
      preferred_output: [{role: 'assistant', content: 'good'}],
      non_preferred_output: [{role: 'assistant', content: 'bad'}],
    });
    const chat = {messages: [{role: 'user', content: 'x'}], tools: []};
    expect(toTrainingExample(chat)).toBe(chat);
    const other = {text: 'plain'};
    expect(toTrainingExample(other)).toBe(other);
  });
});

describe('field paths', () => {
  it('get, set and delete nested fields', () => {
    const r: Record<string, unknown> = {a: {b: 1}};
    expect(getPath(r, 'a.b')).toBe(1);
    expect(getPath(r, 'a.c.d')).toBeUndefined();
    setPath(r, 'x.y', 2);
    expect(r).toEqual({a: {b: 1}, x: {y: 2}});
    expect(deletePath(r, 'a.b')).toBe(true);
    expect(deletePath(r, 'a.b')).toBe(false);
    expect(r).toEqual({a: {}, x: {y: 2}});
  });

  it('rename swaps fields when asked to', async () => {
    const step = renameTransform({fields: {a: 'b', b: 'a'}, missing: 'error'}, context());
    const [e] = await step.process([{record: {a: 1, b: 2}, origin: {file: 'f', line: 1}, id: 'x'}]);
    expect(e!.record).toEqual({a: 2, b: 1});
  });
});

describe('sample and shuffle', () => {
  it('sample n keeps the n smallest positions in input order, whatever the batching', async () => {
    const all = examples(500);
    const once = await drain(sampleTransform({n: 30, seed: 1}) as never, [all]);
    const chunked = await drain(sampleTransform({n: 30, seed: 1}) as never, [
      all.slice(0, 7),
      all.slice(7, 300),
      all.slice(300),
    ]);
    expect(once.map((e) => e.record.i)).toEqual(chunked.map((e) => e.record.i));
    expect(once).toHaveLength(30);
    const order = once.map((e) => e.record.i as number);
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it('shuffle gives the same order in memory and when it spills to disk', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ft-shuffle-'));
    onTestFinished(() => rm(dir, {recursive: true, force: true}));
    const ctx = {
      problems: new DataProblems(),
      dir,
      seed: 0,
      tempDir: dir,
      signal: new AbortController().signal,
      identity: new SourceIdentity(null),
    };
    const inMemory = await drain(shuffleTransform({seed: 5}, ctx), [examples(300)]);
    const spilled = shuffleTransform({seed: 5}, ctx, 1000);
    const onDisk = await drain(spilled, [examples(300).slice(0, 100), examples(300).slice(100)]);
    expect(spilled.summary().spilled).toBe(true);
    expect(onDisk.map((e) => e.record)).toEqual(inMemory.map((e) => e.record));
    expect(onDisk.map((e) => e.origin)).toEqual(inMemory.map((e) => e.origin));
    expect(inMemory.map((e) => e.record.i)).not.toEqual(examples(300).map((e) => e.record.i));
  });
});

describe('data problems', () => {
  const at = (file: string, line: number) => ({file, line, source: 's'});

  it('shows the first in input order, however they arrive', () => {
    const problems = new DataProblems();
    // A later step reports line 3 before the parser reports line 2 of the same batch.
    problems.add(at('a.jsonl', 3), 'template: field missing');
    problems.add(at('a.jsonl', 2), 'invalid JSON');
    for (let line = 40; line >= 4; line--) problems.add(at('a.jsonl', line), `bad ${line}`);
    problems.add(at('b.jsonl', 1), 'in the next file');
    const shown = problems.errors();
    expect(shown.slice(0, 20).map((d) => d.location?.line)).toEqual(
      Array.from({length: 20}, (_, i) => i + 2),
    );
    expect(shown[20]!.message).toBe('20 more bad records not shown');
    expect(problems.count).toBe(40);
  });

  it('merges worker snapshots into the same list one collector would make', () => {
    const one = new DataProblems(['s']);
    const main = new DataProblems(['s']);
    const chunks = [
      [30, 10, 20],
      [50, 45, 41],
    ];
    for (const lines of chunks) {
      const worker = new DataProblems(['s']);
      for (const line of lines) {
        worker.add(at('a.jsonl', line), `bad ${line}`, 1, undefined, 'invalid JSON');
        one.add(at('a.jsonl', line), `bad ${line}`, 1, undefined, 'invalid JSON');
      }
      main.absorb(worker.snapshot());
    }
    expect(main.warnings()).toEqual(one.warnings());
    expect(main.warnings().map((d) => d.location?.line)).toEqual([10, 20, 30, 41, 45, 50]);
    expect(main.skipped()).toEqual({total: 6, reasons: {'invalid JSON': 6}});
  });
});
