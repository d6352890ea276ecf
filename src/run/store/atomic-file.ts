import {randomBytes} from 'node:crypto';
import {mkdirSync, renameSync, rmSync, writeFileSync} from 'node:fs';
import {mkdir, rename, rm, writeFile} from 'node:fs/promises';
import {dirname, join} from 'node:path';

/** A unique name in `dir` for a temp file that will be renamed into place. */
export function tempPath(dir: string, hint = 'tmp'): string {
  return join(dir, `.${hint}.${process.pid}.${randomBytes(6).toString('hex')}`);
}

/**
 * Writes a file so that readers see the old content or the new, never a part: write a temp file
 * beside it, then rename over it (atomic on POSIX within one filesystem).
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), {recursive: true});
  const temp = tempPath(dirname(path));
  try {
    await writeFile(temp, data);
    await rename(temp, path);
  } catch (e) {
    await rm(temp, {force: true});
    throw e;
  }
}

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
