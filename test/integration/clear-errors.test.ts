import {describe, expect, it} from 'vitest';
import {ft, jsonl, project, SMOKE_DATA, SMOKE_RECIPE} from '../helpers/ft.js';

/** Input that once ended in "This is a bug in ft": each is now an error at its place. */

const BUG = 'bug in ft';
const JSON_RECIPE = SMOKE_RECIPE.replace('data/qa.jsonl', 'data/qa.json');

/** A record whose `response` is `[[[...]]]` nested `depth` deep. */
const deepRecord = (depth: number) =>
  `{"prompt":"deep","response":${'['.repeat(depth)}${']'.repeat(depth)}}`;

describe('a record nested 100,000 deep', () => {
  const message =
    'error: the record is nested more than 512 levels deep (objects and arrays inside one another)';

  it('is a data error at its line in a .jsonl source, on one thread and on workers', async () => {
    const dir = await project({
      'finetune.yaml': SMOKE_RECIPE,
      'data/qa.jsonl': `${SMOKE_DATA}${deepRecord(100_000)}\n`,
    });
    for (const workers of ['0', '2']) {
      const r = await ft(dir, ['build'], {FT_WORKERS: workers});
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toContain(`data/qa.jsonl:41:1: ${message}`);
      expect(r.stderr).not.toContain(BUG);
    }
  });

  it('is a data error at its line in a .json source', async () => {
    const records = SMOKE_DATA.trim().split('\n');
    const dir = await project({
      'finetune.yaml': JSON_RECIPE,
      'data/qa.json': `[\n${[...records, deepRecord(100_000)].join(',\n')}\n]\n`,
    });
    const r = await ft(dir, ['build']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(`data/qa.json:42:1: ${message}`);
    expect(r.stderr).not.toContain(BUG);
  });

  it('is left out by ft data head like other bad records', async () => {
    const dir = await project({
      'finetune.yaml': SMOKE_RECIPE,
      'data/qa.jsonl': jsonl([{prompt: 'a', response: 'b'}]) + `${deepRecord(100_000)}\n`,
    });
    const r = await ft(dir, ['data', 'head', 'source:qa', '-n', '5']);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('{"prompt":"a","response":"b"}');
  });

  it('the same limit for every record: 512 levels pass, 513 do not', async () => {
    const dir = await project({
      'finetune.yaml': SMOKE_RECIPE,
      'data/qa.jsonl': `${SMOKE_DATA}${deepRecord(511)}\n${deepRecord(512)}\n`,
    });
    const r = await ft(dir, ['build']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(`data/qa.jsonl:42:1: ${message}`);
    expect(r.stderr).not.toContain('data/qa.jsonl:41:');
  });
});
