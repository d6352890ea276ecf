import {appendFileSync} from 'node:fs';
import {mkdtemp, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it, onTestFinished} from 'vitest';
import {sha256} from '../../../src/core/hash.js';
import {collectGarbage} from '../../../src/run/store/gc.js';
import {LocalStore} from '../../../src/run/store/local-store.js';

async function store(): Promise<LocalStore> {
  const dir = await mkdtemp(join(tmpdir(), 'ft-answers-'));
  onTestFinished(() => rm(dir, {recursive: true, force: true}));
  const s = new LocalStore(join(dir, '.ft'));
  s.init();
  return s;
}

describe("a model's answer log", () => {
  it('keeps every line of answers that arrive together at a new log', async () => {
    const s = await store();
    const key = sha256('answers arriving at once');
    const lines = Array.from({length: 8}, (_, i) => `{"p":"${i}","a":"${i}"}`);
    await Promise.all(lines.map((line) => s.appendAnswerLog(key, line)));
    s.flushAnswerLogs();
    expect(s.readAnswerLog(key).sort()).toEqual(lines);
  });

  it('keeps lines in order, skips a torn last line, and survives ft cache gc', async () => {
    const s = await store();
    const key = sha256('answers of some model');
    expect(s.readAnswerLog(key)).toEqual([]);
    await s.appendAnswerLog(key, '{"p":"a","a":"1"}');
    await s.appendAnswerLog(key, '{"p":"b","a":"2"}');
    // Kept in batches until flushed.
    expect(s.readAnswerLog(key)).toEqual([]);
    s.flushAnswerLogs();
    // An ft killed in the middle of an append leaves part of a line.
    appendFileSync(join(s.root, 'answers', `${key.slice(7)}.jsonl`), '{"p":"c","a');
    expect(s.readAnswerLog(key)).toEqual(['{"p":"a","a":"1"}', '{"p":"b","a":"2"}']);
    await expect(s.appendAnswerLog(key, 'two\nlines')).rejects.toThrow(/one line/);
    // The next ft's first append ends the torn line first, so its own stays whole.
    const next = new LocalStore(s.root);
    await next.appendAnswerLog(key, '{"p":"d","a":"4"}');
    next.flushAnswerLogs();
    expect(next.readAnswerLog(key).at(-1)).toBe('{"p":"d","a":"4"}');
    expect(next.readAnswerLog(key)).toHaveLength(4);

    await collectGarbage(s, {lockfiles: [], keepBuilds: 0, includeTrained: true});
    expect(s.readAnswerLog(key)).toHaveLength(4);
  });
});
