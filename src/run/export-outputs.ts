import {createHash} from 'node:crypto';
import type {Stats} from 'node:fs';
import {chmod, type FileHandle, lstat, mkdir, open, realpath, rename, rm} from 'node:fs/promises';
import {basename, dirname, isAbsolute, join, relative, resolve, sep} from 'node:path';
import type {Artifact} from '../core/artifact-store.js';
import {error, UserError} from '../core/diagnostic.js';
import {type Sha256, sha256FromHex} from '../core/hash.js';
import {writeAll} from '../core/write-all.js';
import {tempPath} from './store/atomic-file.js';
import {hashFile} from './store/hash-file.js';
import type {LocalStore} from './store/local-store.js';
import {isSafeRelative} from './store/tree.js';

/** Reads of one object at a time, as large as hashFile's: syscalls stay rare. */
const CHUNK = 4 * 1024 * 1024;

/**
 * An export that could not be done although the request was fine: an object missing from or
 * damaged in the store, or a disk that refused the copy. Exit 1, like a failed build.
 */
export class ExportFailure extends Error {
  override readonly name = 'ExportFailure';
}

/**
 * One thing an export writes under `--out`: a stage output that is one object of the store,
 * copied to a file named after the output, or one file of an output that is a folder (a trained
 * model), copied to `<output>/<path in the folder>`.
 */
export interface ExportFile {
  readonly kind: 'file';
  /** Where it goes under `--out`: the output's name, or `<output>/<path>` inside a folder. */
  readonly name: string;
  readonly hash: Sha256;
  readonly size: number;
  /** A folder's file that had an execute bit gets one again. */
  readonly executable?: true;
}

/** What happened to one file: new, put over a different file (--force), or already right. */
export type ExportStatus = 'written' | 'replaced' | 'unchanged';

export interface ExportedFile {
  readonly name: string;
  /** Absolute path of the file written. */
  readonly path: string;
  readonly hash: Sha256;
  readonly size: number;
  readonly status: ExportStatus;
}

/**
 * The files a stage's outputs export as, sorted by name; a folder output gives one per file.
 * Output names come from ft's own stages (train.jsonl, model, ...); one that is not a plain file
 * name would escape `--out`, so it is refused rather than written (and so is a folder's path
 * that would, though the store never makes one).
 */
export function exportFiles(
  outputs: Readonly<Record<string, Artifact>>,
  store: Pick<LocalStore, 'treeOf'>,
): ExportFile[] {
  return Object.entries(outputs)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .flatMap(([name, artifact]): ExportFile[] => {
      if (name === '' || name === '.' || name === '..' || name !== basename(name)) {
        throw new ExportFailure(`output name '${name}' is not a plain file name`);
      }
      const tree = store.treeOf(artifact.hash);
      if (!tree) return [{kind: 'file', name, hash: artifact.hash, size: artifact.size}];
      return Object.entries(tree.files).map(([path, file]) => {
        if (!isSafeRelative(path)) {
          throw new ExportFailure(`${name}: '${path}' would leave the folder it is exported to`);
        }
        return {
          kind: 'file',
          name: `${name}/${path}`,
          hash: file.sha256,
          size: file.size,
          ...(file.executable ? {executable: true as const} : {}),
        };
      });
    });
}

/**
 * Copies `files` out of `store` into `outDir` (created if missing) and says what it did. It only
 * reads the store: every copy is a new file with its own bytes (never a link to the object),
 * written to a temp file beside its final name and checked against the object's sha256; only
 * when every copy is checked are they renamed into place, so an interrupted or failed export
 * never leaves a part of a file under a final name. Nothing is written while any destination
 * holds different content, unless `force`; one that already has the object's bytes is left as
 * it is.
 *
 * Throws UserError (exit 2) for a refused destination, ExportFailure (exit 1) for an object
 * missing from or damaged in the store.
 */
export async function exportOutputs(options: {
  readonly store: LocalStore;
  readonly files: readonly ExportFile[];
  readonly outDir: string;
  readonly force: boolean;
  readonly signal: AbortSignal;
  /** How destinations are named in messages (relative to the working folder). */
  readonly shown: (path: string) => string;
}): Promise<ExportedFile[]> {
  const {store, files, outDir, force, signal, shown} = options;
  await refuseStore(outDir, store.root, shown);
  try {
    await mkdir(outDir, {recursive: true});
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'EEXIST' || code === 'ENOTDIR' ? 'a file is in the way' : reason(e);
    throw new UserError([error('usage', `--out ${shown(outDir)}: cannot make the folder: ${why}`)]);
  }
  const decisions: {file: ExportFile; path: string; status: ExportStatus}[] = [];
  const refused: {path: string; folder: boolean}[] = [];
  for (const file of files) {
    const path = join(outDir, file.name);
    const found = await destination(path, file);
    if (found === 'same') decisions.push({file, path, status: 'unchanged'});
    else if (found === 'absent') decisions.push({file, path, status: 'written'});
    else if (found === 'different' && force) decisions.push({file, path, status: 'replaced'});
    else refused.push({path, folder: found === 'folder'});
  }
  if (refused.length > 0) {
    throw new UserError(
      refused.map(({path, folder}) =>
        folder
          ? error('usage', `ft export will not replace the folder ${shown(path)}`)
          : error(
              'usage',
              `ft export will not overwrite ${shown(path)}: it exists with different content`,
              undefined,
              '--force replaces it',
            ),
      ),
    );
  }
  // Every copy is made and checked before any is renamed into place: a damaged object leaves
  // the folder as it was, not with new files beside old ones of another key.
  const temps = new Map<string, string>();
  try {
    for (const {file, path, status} of decisions) {
      if (status === 'unchanged') continue;
      await mkdir(dirname(path), {recursive: true}); // a folder output's subfolders
      const temp = await copyVerified(store.objectPath(file.hash), path, file, signal);
      temps.set(path, temp);
      if (file.executable) await chmod(temp, 0o755);
    }
    for (const [path, temp] of temps) await rename(temp, path);
  } catch (e) {
    await Promise.all([...temps.values()].map((temp) => rm(temp, {force: true})));
    throw e;
  }
  return decisions.map(({file, path, status}) => ({
    name: file.name,
    path,
    hash: file.hash,
    size: file.size,
    status,
  }));
}

/**
 * What is at a destination now: nothing, a regular file with the object's bytes, a folder (never
 * replaced, even with --force), or something else (a different file, a link: --force replaces
 * the entry itself, never what a link points to).
 */
async function destination(
  path: string,
  file: ExportFile,
): Promise<'absent' | 'same' | 'different' | 'folder'> {
  let st: Stats;
  try {
    st = await lstat(path);
  } catch {
    return 'absent';
  }
  if (st.isDirectory()) return 'folder';
  if (!st.isFile() || st.size !== file.size) return 'different';
  return (await hashFile(path)).hash === file.hash ? 'same' : 'different';
}

/**
 * Refuses an `--out` inside the store: export writes copies for people and other tools, and a
 * file written among the objects would be one the store did not check. Links are resolved, so a
 * path that reaches `.ft/` another way is refused too.
 */
async function refuseStore(
  outDir: string,
  storeRoot: string,
  shown: (path: string) => string,
): Promise<void> {
  const [out, root] = await Promise.all([realpathOfNearest(outDir), realpathOfNearest(storeRoot)]);
  const rel = relative(root, out);
  const outside = rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel);
  if (!outside) {
    throw new UserError([
      error(
        'usage',
        `--out ${shown(outDir)} is inside the store (${shown(storeRoot)}); ft export writes copies outside it`,
      ),
    ]);
  }
}

/** The real path of `path`, resolving links through its nearest existing ancestor. */
async function realpathOfNearest(path: string): Promise<string> {
  const rest: string[] = [];
  let current = resolve(path);
  for (;;) {
    try {
      return join(await realpath(current), ...rest.reverse());
    } catch {
      const parent = dirname(current);
      if (parent === current) return resolve(path);
      rest.push(basename(current));
      current = parent;
    }
  }
}

/**
 * Copies the object at `objectPath` to a new temp file beside `target`, hashing the bytes on the
 * way, and returns the temp file's path once they hash to the object's name. The temp file is
 * removed when they do not (a damaged object is never exported silently) or the copy fails.
 */
async function copyVerified(
  objectPath: string,
  target: string,
  file: ExportFile,
  signal: AbortSignal,
): Promise<string> {
  let source: FileHandle;
  try {
    source = await open(objectPath, 'r');
  } catch (e) {
    throw new ExportFailure(
      `${file.name}: object ${file.hash} is no longer in the store (${objectPath}: ${reason(e)}); was it removed by ft cache gc meanwhile? Run ft export again`,
    );
  }
  const temp = tempPath(dirname(target), `${basename(target)}.ft-export`);
  try {
    const hasher = createHash('sha256');
    const out = await open(temp, 'wx');
    try {
      const buffer = Buffer.allocUnsafe(CHUNK);
      for (;;) {
        signal.throwIfAborted();
        const {bytesRead} = await source.read(buffer, 0, CHUNK, null);
        if (bytesRead === 0) break;
        const chunk = buffer.subarray(0, bytesRead);
        hasher.update(chunk);
        await writeAll(out, chunk);
      }
      // On disk before the rename: a crash cannot leave an empty file under the final name.
      await out.datasync();
    } finally {
      await out.close();
    }
    const actual = sha256FromHex(hasher.digest('hex'));
    if (actual !== file.hash) {
      throw new ExportFailure(
        `${file.name}: the store's object ${objectPath} is damaged: its bytes hash to ${actual}, not to its name ${file.hash}, so it was not exported. Delete that object and build the stage again to remake it`,
      );
    }
    return temp;
  } catch (e) {
    await rm(temp, {force: true});
    throw e;
  } finally {
    await source.close();
  }
}

function reason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return err?.code ?? err?.message ?? String(e);
}
