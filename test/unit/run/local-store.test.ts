import {createHash} from 'node:crypto';
import {existsSync, readFileSync} from 'node:fs';
import {chmod, mkdtemp, readdir, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it, onTestFinished} from 'vitest';
import {sha256} from '../../../src/core/hash.js';
import {LocalStore} from '../../../src/run/store/local-store.js';

async function store(): Promise<{dir: string; store: LocalStore}> {
  const dir = await mkdtemp(join(tmpdir(), 'ft-store-'));
  onTestFinished(() => rm(dir, {recursive: true, force: true}));
  const s = new LocalStore(join(dir, '.ft'));
  s.init();
  return {dir, store: s};
}

describe('LocalStore', () => {
  it('refuses to take in an object whose bytes are not its name (what publishing relies on)', async () => {
    const {dir, store: s} = await store();
    const file = join(dir, 'rotted');
    await writeFile(file, 'rotted bytes\n');
    const claimed = sha256('good bytes\n');
    await expect(s.put('object', claimed, file)).rejects.toThrow(
      /hashes to sha256:[0-9a-f]{64}, not/,
    );
    expect(s.hasObjectFile(claimed)).toBe(false);
    expect(await readdir(s.tmpDir)).toEqual([]);
    await writeFile(file, 'good bytes\n');
    await s.put('object', claimed, file);
    expect(readFileSync(s.objectPath(claimed), 'utf8')).toBe('good bytes\n');
  });

  it('checks an object against its name and removes it when it does not match', async () => {
    const {store: s} = await store();
    const {hash} = await s.putObjectBytes('hello\n');
    expect(await s.checkObject(hash)).toEqual({state: 'intact', size: 6});
    await chmod(s.objectPath(hash), 0o644);
    await writeFile(s.objectPath(hash), 'hellO\n');
    const check = await s.checkObject(hash);
    expect(check.state).toBe('damaged');
    expect(existsSync(s.objectPath(hash))).toBe(false);
    expect(await s.checkObject(hash)).toEqual({state: 'missing'});
    // Storing the right bytes again brings it back.
    await s.putObjectBytes('hello\n');
    expect(
      createHash('sha256')
        .update(readFileSync(s.objectPath(hash)))
        .digest('hex'),
    ).toBe(hash.slice(7));
  });

  it('a shared store keeps the first sound record of a key', async () => {
    const {dir, store: s} = await store();
    const {hash, size} = await s.putObjectBytes('x\n');
    const key = sha256('key');
    const record = (summary: object) => ({
      version: 1,
      id: 'dataset',
      kind: 'dataset',
      key,
      fingerprint: {},
      outputs: {'train.jsonl': {hash, size}},
      summary,
      durationMs: 1,
      createdAt: '2026-01-01T00:00:00.000Z',
    });
    const file = join(dir, 'record.json');
    await writeFile(file, JSON.stringify(record({by: 'first'})));
    await s.put('stage', key, file);
    await writeFile(file, JSON.stringify(record({by: 'second'})));
    await s.put('stage', key, file);
    expect(s.readStage(key)?.summary).toEqual({by: 'first'});
    await writeFile(file, '{}');
    await expect(s.put('stage', sha256('other'), file)).rejects.toThrow(/not a sound stage record/);
  });

  it('removes work files of dead processes, never those of live ones', async () => {
    const {store: s} = await store();
    const dead = join(s.tmpDir, '.dataset.999999999.0123456789abXYZabc');
    const mine = s.newTempFile('split');
    await writeFile(dead, 'left over');
    await writeFile(mine, 'in use');
    await writeFile(join(s.root, 'stages', '.tmp.999999999.0123456789ab'), 'half a record');
    expect(await s.removeLeftovers()).toBe(2);
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(mine)).toBe(true);
    expect(await readdir(join(s.root, 'stages'))).toEqual([]);
  });
});
