import {createHash, randomBytes} from 'node:crypto';
import {mkdtemp, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it, onTestFinished} from 'vitest';
import {hashFile} from '../../../src/run/store/hash-file.js';

const MiB = 1024 * 1024;

/** Sizes around every boundary hashFile has: the shared pool, the blocking reads, one chunk. */
const SIZES = [0, 1, 4095, 4096, 256 * 1024 - 1, 256 * 1024, 256 * 1024 + 1, 4 * MiB - 1, 4 * MiB];
const LARGE = [4 * MiB + 1, 8 * MiB + 3];

async function fileOf(bytes: Buffer): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ft-hash-'));
  onTestFinished(() => rm(dir, {recursive: true, force: true}));
  const path = join(dir, 'data.bin');
  await writeFile(path, bytes);
  return path;
}

const expected = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

describe('hashFile', () => {
  it.each([...SIZES, ...LARGE])(
    'gives node:crypto sha256 and the size of a %i-byte file',
    async (n) => {
      const bytes = randomBytes(n);
      const path = await fileOf(bytes);
      expect(await hashFile(path)).toEqual({hash: expected(bytes), size: n});
      expect(await hashFile(path, n)).toEqual({hash: expected(bytes), size: n});
    },
  );

  it.each([
    [10, 0],
    [300 * 1024, 100],
    [5 * MiB, 1000],
    [100, 4 * MiB],
    [1000, 300 * 1024],
  ])('hashes a %i-byte file whole when the size hint (%i) is wrong', async (n, hint) => {
    // The hint comes from a stat taken before: the file may have grown or shrunk since.
    const bytes = randomBytes(n);
    const path = await fileOf(bytes);
    expect(await hashFile(path, hint)).toEqual({hash: expected(bytes), size: n});
  });
});
