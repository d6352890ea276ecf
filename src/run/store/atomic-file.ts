import {randomBytes} from 'node:crypto';
import {mkdirSync, renameSync, rmSync, writeFileSync} from 'node:fs';
import {mkdir, open, rename, rm} from 'node:fs/promises';
import {dirname, join} from 'node:path';

/** A unique name in `dir` for a temp file that will be renamed into place. */
export function tempPath(dir: string, hint = 'tmp'): string {
  return join(dir, `.${hint}.${process.pid}.${randomBytes(6).toString('hex')}`);
}

/**
 * The pid that made a temp file named by `tempPath` (or a folder `mkdtemp` made from one), so
 * leftovers of dead processes can be told from live work; undefined for other names.
 */
export function tempOwner(name: string): number | undefined {
  const match = /^\..+\.(\d+)\.[0-9a-f]{12}/.exec(name);
  return match ? Number(match[1]) : undefined;
}

/**
 * Writes a file so that readers see the old content or the new, never a part: write a temp file
 * beside it, flush it to disk, then rename over it (atomic on POSIX within one filesystem). The
 * flush comes first so that a power loss cannot leave the new name on unwritten blocks.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), {recursive: true});
  const temp = tempPath(dirname(path));
  try {
    const handle = await open(temp, 'wx');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (e) {
    await rm(temp, {force: true});
    throw e;
  }
}

/** Flushes a finished file's bytes to disk before it is renamed to its final name. */
export async function flushFile(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** For caches only (the stat cache, .gitignore): losing them costs a re-hash, so no flush. */
export function writeFileAtomicSync(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), {recursive: true});
  const temp = tempPath(dirname(path));
  try {
    writeFileSync(temp, data);
    renameSync(temp, path);
  } catch (e) {
    rmSync(temp, {force: true});
    throw e;
  }
}
