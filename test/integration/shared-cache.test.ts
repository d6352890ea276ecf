import {chmodSync, readdirSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {execa} from 'execa';
import {describe, expect, it} from 'vitest';
import {events, FT_BIN, project, SMOKE_DATA, SMOKE_RECIPE} from '../helpers/ft.js';

async function build(cwd: string, shared: string) {
  const r = await execa(process.execPath, [FT_BIN, 'build', '--json'], {
    cwd,
    reject: false,
    env: {CI: '1', FT_SHARED_CACHE: shared},
  });
  const all = events(String(r.stdout));
  const summary = all.at(-1) as unknown as {stages: {id: string; status: string}[]};
  return {
    exitCode: r.exitCode,
    starts: all.filter((e) => e.event === 'stage-start').length,
    statuses: Object.fromEntries(summary.stages.map((s) => [s.id, s.status])),
  };
}

describe('a shared cache (FT_SHARED_CACHE, through the CacheProvider seam)', () => {
  it('lets a second machine restore what the first built, without running', async () => {
    const shared = await project({});
    const a = await project({'finetune.yaml': SMOKE_RECIPE, 'data/qa.jsonl': SMOKE_DATA});
    const b = await project({'finetune.yaml': SMOKE_RECIPE, 'data/qa.jsonl': SMOKE_DATA});
    expect((await build(a, shared)).statuses).toEqual({'source:qa': 'ran', dataset: 'ran'});
    expect(readdirSync(join(shared, 'stages'))).toHaveLength(2);
    const r = await build(b, shared);
    expect(r.statuses).toEqual({'source:qa': 'cached', dataset: 'cached'});
    expect(r.starts).toBe(0);
    expect(readFileSync(join(b, 'finetune.lock'), 'utf8')).toBe(
      readFileSync(join(a, 'finetune.lock'), 'utf8'),
    );
  });

  it('never uses bytes that do not match their hash', async () => {
    const shared = await project({});
    const a = await project({'finetune.yaml': SMOKE_RECIPE, 'data/qa.jsonl': SMOKE_DATA});
    await build(a, shared);
    // Damage every object of the shared cache.
    const objects = join(shared, 'objects');
    for (const prefix of readdirSync(objects)) {
      for (const name of readdirSync(join(objects, prefix))) {
        const path = join(objects, prefix, name);
        chmodSync(path, 0o644);
        writeFileSync(path, 'tampered\n');
      }
    }
    const b = await project({'finetune.yaml': SMOKE_RECIPE, 'data/qa.jsonl': SMOKE_DATA});
    const r = await build(b, shared);
    expect(r.exitCode).toBe(0);
    expect(r.statuses).toEqual({'source:qa': 'ran', dataset: 'ran'});
    expect(readFileSync(join(b, 'finetune.lock'), 'utf8')).toBe(
      readFileSync(join(a, 'finetune.lock'), 'utf8'),
    );
  });
});
