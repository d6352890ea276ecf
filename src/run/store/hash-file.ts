import {createHash} from 'node:crypto';
import {open} from 'node:fs/promises';
import {type Sha256, sha256FromHex} from '../../core/hash.js';

/** Big reads keep syscalls rare; hashing speed is then OpenSSL's (see bench/hashing.bench.mjs). */
const CHUNK = 4 * 1024 * 1024;

/**
 * sha256 of a file's bytes, streamed: memory stays flat whatever the size. Two buffers: the
 * next read runs on libuv's thread pool while this thread hashes the previous one.
 */
export async function hashFile(path: string): Promise<{hash: Sha256; size: number}> {
  const handle = await open(path, 'r');
  try {
    const hasher = createHash('sha256');
    let current = Buffer.allocUnsafe(CHUNK);
    let spare = Buffer.allocUnsafe(CHUNK);
    let size = 0;
    let pending = handle.read(current, 0, CHUNK, null);
    for (;;) {
      const {bytesRead} = await pending;
      if (bytesRead === 0) break;
      const buffer = current;
      [current, spare] = [spare, current];
      pending = handle.read(current, 0, CHUNK, null);
      hasher.update(bytesRead === CHUNK ? buffer : buffer.subarray(0, bytesRead));
      size += bytesRead;
    }
    return {hash: sha256FromHex(hasher.digest('hex')), size};
  } finally {
    await handle.close();
  }
}
