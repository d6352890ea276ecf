import {mkdtemp, readFile, rm, stat, utimes, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it, onTestFinished} from 'vitest';
import {sha256} from '../../../src/core/hash.js';
import {statToken} from '../../../src/core/stat-token.js';
import {StatCache} from '../../../src/run/store/stat-cache.js';

async function temp(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ft-stat-'));
  onTestFinished(() => rm(dir, {recursive: true, force: true}));
  return dir;
}

/** A file last modified a minute ago (past the racy window), and a fresh cache beside it. */
async function oldFileAndCache(): Promise<{dir: string; file: string; cache: StatCache}> {
  const dir = await temp();
  const file = join(dir, 'a.jsonl');
  await writeFile(file, 'hello\n');
  const old = new Date(Date.now() - 60_000);
  await utimes(file, old, old);
  return {dir, file, cache: new StatCache(join(dir, 'stat-cache.json'))};
}

describe('StatCache', () => {
  it('hashes a file once, then trusts its stat, and survives a restart', async () => {
    const {dir, file, cache} = await oldFileAndCache();
    const first = await cache.hash(file);
    expect(first).toEqual({hash: sha256('hello\n'), size: 6, fromCache: false});
    expect((await cache.hash(file)).fromCache).toBe(true);
    cache.save();
    await cache.close();
    const reopened = new StatCache(join(dir, 'stat-cache.json'));
    expect(await reopened.hash(file)).toEqual({...first, fromCache: true});
    await reopened.close();
  });

  it('re-hashes when size or mtime change, and gives the new content hash', async () => {
    const {file, cache} = await oldFileAndCache();
    await cache.hash(file);
    await writeFile(file, 'HELLO\n'); // same size, new mtime
    expect(await cache.hash(file)).toEqual({hash: sha256('HELLO\n'), size: 6, fromCache: false});
    await cache.close();
  });

  it('does not trust an entry for a file modified in the same moment it was hashed', async () => {
    const dir = await temp();
    const file = join(dir, 'a.jsonl');
    await writeFile(file, 'hello\n');
    const cache = new StatCache(join(dir, 'stat-cache.json'));
    await cache.hash(file);
    // The file was written just now: an edit within the same timestamp tick could keep its
    // mtime, so the entry must not be trusted yet (git's racy-clean rule).
    expect((await cache.hash(file)).fromCache).toBe(false);
    await cache.close();
  });
});

describe('StatCache and in-place rewrites', () => {
  it('re-hashes a file rewritten with the same size and its old mtime restored (ctime moved)', async () => {
    const {file, cache} = await oldFileAndCache();
    await cache.hash(file);
    const before = await stat(file);
    await new Promise((r) => setTimeout(r, 20));
    await writeFile(file, 'HELLO\n');
    await utimes(file, before.atime, before.mtime);
    const again = await cache.hash(file);
    expect(again).toEqual({hash: sha256('HELLO\n'), size: 6, fromCache: false});
    await cache.close();
  });
});

describe('StatCache.vouches', () => {
  it('returns the file stat token for the hash it recorded, across a restart, and nothing else', async () => {
    const {dir, file, cache} = await oldFileAndCache();
    const {hash} = await cache.hash(file);
    cache.save();
    await cache.close();
    const reopened = new StatCache(join(dir, 'stat-cache.json'));
    expect(reopened.vouches(file, hash)).toBe(statToken(file));
    expect(reopened.vouches(file, sha256('other\n'))).toBeUndefined();
    expect(reopened.vouches(join(dir, 'unknown.jsonl'), hash)).toBeUndefined();
    await writeFile(file, 'HELLO\n');
    expect(reopened.vouches(file, hash)).toBeUndefined();
    await reopened.close();
  });

  it('treats a damaged cache file as empty: the file is hashed again, correctly', async () => {
    const {dir, file} = await oldFileAndCache();
    const cacheFile = join(dir, 'stat-cache.json');
    const first = new StatCache(cacheFile);
    await first.hash(file);
    first.save();
    await first.close();
    const text = await readFile(cacheFile, 'utf8');
    // The recorded digest replaced by one that is not hex: the entry must not be trusted.
    await writeFile(cacheFile, text.replace(/ [0-9a-f]{64}"/, ` ${'z'.repeat(64)}"`));
    const damaged = new StatCache(cacheFile);
    expect(await damaged.hash(file)).toEqual({hash: sha256('hello\n'), size: 6, fromCache: false});
    await damaged.close();
    await writeFile(cacheFile, '{"version": 3, "entries": [');
    const broken = new StatCache(cacheFile);
    expect(await broken.hash(file)).toEqual({hash: sha256('hello\n'), size: 6, fromCache: false});
    await broken.close();
  });
});

describe('StatCache.hashAll', () => {
  it('answers as hash() does, in order: cached files from their stat, the others hashed', async () => {
    const {dir, file, cache} = await oldFileAndCache();
    await cache.hash(file);
    const other = join(dir, 'b.jsonl');
    await writeFile(other, 'other\n');
    const answers = await cache.hashAll([other, file, other]);
    expect(answers).toEqual([
      {hash: sha256('other\n'), size: 6, fromCache: false},
      {hash: sha256('hello\n'), size: 6, fromCache: true},
      {hash: sha256('other\n'), size: 6, fromCache: false},
    ]);
    await expect(cache.hashAll([file, join(dir, 'gone.jsonl')])).rejects.toMatchObject({
      code: 'ENOENT',
    });
    await cache.close();
  });
});
