import {createHash} from 'node:crypto';
import {closeSync, openSync, readSync, statSync} from 'node:fs';
import {open} from 'node:fs/promises';
import {type Sha256, sha256FromHex} from '../../core/hash.js';

/** Big reads keep syscalls rare; hashing speed is then OpenSSL's (see bench/hashing.bench.mjs). */
const CHUNK = 4 * 1024 * 1024;

/**
 * Files up to this size are read with blocking calls: each async call is a round trip through
 * libuv's thread pool (about 100 us for open, read, read, close), ten times the cost of hashing a
 * small file, and at this size a blocking read holds the thread for well under a millisecond.
 */
const SYNC_LIMIT = 256 * 1024;

/**
 * sha256 of a file's bytes, streamed: memory stays flat whatever the size.
 *
 * Buffers are sized to the file, at most CHUNK: a glob of 100,000 small files must not allocate
 * 4 MiB per file (the garbage collector then takes most of a cold build). One byte more than the
 * size lets a file that fits be read in one call. `sizeHint` (from a stat the caller already
 * made) saves a stat; it only sizes the buffers and picks the way of reading, so a file that
 * grew or shrank since is still hashed whole: reading goes on until the end of the file.
 *
 * A file larger than one buffer gets two: the next read runs on libuv's thread pool while this
 * thread hashes the previous one.
 */
export async function hashFile(
  path: string,
  sizeHint?: number,
): Promise<{hash: Sha256; size: number}> {
  const expected = sizeHint ?? statSync(path).size;
  if (expected < SYNC_LIMIT) return hashSmallFile(path, expected);
  const handle = await open(path, 'r');
  try {
    const length = Math.min(CHUNK, expected + 1);
    const hasher = createHash('sha256');
    let current = Buffer.allocUnsafe(length);
    let spare: typeof current | undefined;
    let size = 0;
    let pending = handle.read(current, 0, length, null);
    for (;;) {
      const {bytesRead} = await pending;
      if (bytesRead === 0) break;
      size += bytesRead;
      if (bytesRead < length) {
        // A short read is (almost always) the end: hash it, then confirm with a read into the
        // same buffer, which is free again once update() has returned.
        hasher.update(current.subarray(0, bytesRead));
        pending = handle.read(current, 0, length, null);
        continue;
      }
      const full = current;
      spare ??= Buffer.allocUnsafe(length);
      current = spare;
      spare = full;
      pending = handle.read(current, 0, length, null);
      hasher.update(full);
    }
    return {hash: sha256FromHex(hasher.digest('hex')), size};
  } finally {
    await handle.close();
  }
}

/** hashFile for a small file: blocking reads into one buffer the file's size (plus one byte). */
function hashSmallFile(path: string, expected: number): {hash: Sha256; size: number} {
  const fd = openSync(path, 'r');
  try {
    // Below Buffer.poolSize / 2 this comes from Node's shared pool: no allocation of its own.
    const buffer = Buffer.allocUnsafe(expected + 1);
    const hasher = createHash('sha256');
    let size = 0;
    for (;;) {
      const bytesRead = readSync(fd, buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      hasher.update(bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead));
      size += bytesRead;
    }
    return {hash: sha256FromHex(hasher.digest('hex')), size};
  } finally {
    closeSync(fd);
  }
}
