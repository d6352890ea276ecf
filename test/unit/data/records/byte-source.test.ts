import {createHash, randomBytes} from 'node:crypto';
import {mkdtemp, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {gzipSync} from 'node:zlib';
import {describe, expect, it, onTestFinished} from 'vitest';
import type {Sha256} from '../../../../src/core/hash.js';
import {readBytes} from '../../../../src/data/records/byte-source.js';

async function fileOf(bytes: Buffer): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ft-bytes-'));
  onTestFinished(() => rm(dir, {recursive: true, force: true}));
  const path = join(dir, 'data.jsonl');
  await writeFile(path, bytes);
  return path;
}

const hashOf = (bytes: Buffer) =>
  `sha256:${createHash('sha256').update(bytes).digest('hex')}` as Sha256;

async function readAll(options: Parameters<typeof readBytes>[0], reuse = false): Promise<Buffer> {
  const chunks: Buffer[] = [];
  // Copied: with `reuse`, the next read overwrites the chunk.
  for await (const chunk of readBytes(options, undefined, reuse)) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

describe('readBytes', () => {
  it.each([
    [0, 0],
    [1, 1],
    [1000, 1000],
    [300 * 1024, 300 * 1024],
    [3 * 1024 * 1024 + 5, 3 * 1024 * 1024 + 5],
    // A recorded size that is wrong (the file changed size since) still reads the whole file.
    [5000, 10],
    [300 * 1024, 100],
    [10, 300 * 1024],
  ])('yields every byte of a %i-byte file (recorded size %i)', async (n, size) => {
    const bytes = randomBytes(n);
    const path = await fileOf(bytes);
    const read = await readAll({
      path,
      shown: 'data.jsonl',
      gzip: false,
      sha256: hashOf(bytes),
      size,
    });
    expect(read.equals(bytes)).toBe(true);
    // Reading into one reused buffer yields the same bytes.
    const options = {path, shown: 'data.jsonl', gzip: false, sha256: hashOf(bytes), size};
    expect((await readAll(options, true)).equals(bytes)).toBe(true);
  });

  it('fails a large file read into one reused buffer whose bytes are not the recorded hash', async () => {
    const bytes = randomBytes(3 * 1024 * 1024);
    const path = await fileOf(bytes);
    const options = {path, shown: 'data.jsonl', gzip: false, size: bytes.length};
    await expect(readAll({...options, sha256: hashOf(Buffer.from('other'))}, true)).rejects.toThrow(
      /data\.jsonl changed while ft was reading it/,
    );
  });

  it('fails a small file whose bytes are not the recorded hash', async () => {
    const path = await fileOf(Buffer.from('{"a":1}\n'));
    const options = {path, shown: 'data.jsonl', gzip: false, size: 8};
    await expect(readAll({...options, sha256: hashOf(Buffer.from('{"a":2}\n'))})).rejects.toThrow(
      /data\.jsonl changed while ft was reading it/,
    );
  });

  it('decompresses a small gzip file, checking the hash of its compressed bytes', async () => {
    const text = Buffer.from('{"a":1}\n{"a":2}\n');
    const gz = gzipSync(text);
    const path = await fileOf(gz);
    const read = await readAll({
      path,
      shown: 'data.jsonl.gz',
      gzip: true,
      sha256: hashOf(gz),
      size: gz.length,
    });
    expect(read.toString()).toBe(text.toString());
  });
});
