import {closeSync, openSync, readSync} from 'node:fs';
import {canonicalJson} from '../../core/canonical-json.js';
import {isSha256, type Sha256} from '../../core/hash.js';

/**
 * A folder in the store (a trained adapter with its config and tokenizer files): one object per
 * file, and a manifest object naming them, whose hash is the folder's identity. The manifest's
 * first line is a magic no JSONL file can start with, so a folder is told from a file by its
 * bytes alone (the lockfile records only the hash):
 *
 *   ft-tree 1
 *   {"files":{"adapter_config.json":{"sha256":"sha256:...","size":512}, ...}}
 */
export const TREE_MAGIC = 'ft-tree 1\n';

export interface TreeEntry {
  readonly sha256: Sha256;
  readonly size: number;
  /** Set for files with an execute bit (a launcher script in a model folder). */
  readonly executable?: true;
}

export interface TreeManifest {
  /** Relative POSIX path -> the file's object. */
  readonly files: Readonly<Record<string, TreeEntry>>;
}

export function treeBytes(tree: TreeManifest): string {
  return `${TREE_MAGIC}${canonicalJson(tree)}\n`;
}

/** Whether the file at `path` starts like a tree manifest (a cheap check before parsing it). */
export function looksLikeTree(path: string): boolean {
  const head = Buffer.alloc(TREE_MAGIC.length);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return false;
  }
  try {
    return readSync(fd, head, 0, head.length, 0) === head.length && head.toString() === TREE_MAGIC;
  } finally {
    closeSync(fd);
  }
}

/** The manifest in `text`, or undefined when it is not a well-formed one. */
export function parseTree(text: string): TreeManifest | undefined {
  if (!text.startsWith(TREE_MAGIC)) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(text.slice(TREE_MAGIC.length));
  } catch {
    return undefined;
  }
  const files = (data as {files?: unknown})?.files;
  if (typeof files !== 'object' || files === null || Array.isArray(files)) return undefined;
  for (const [path, entry] of Object.entries(files)) {
    const e = entry as Partial<TreeEntry> | null;
    if (!isSafeRelative(path) || !isSha256(e?.sha256) || !Number.isSafeInteger(e?.size)) {
      return undefined;
    }
  }
  return data as TreeManifest;
}

/** A relative path that stays inside the folder it is written to (no `..`, no absolute path). */
export function isSafeRelative(path: string): boolean {
  return (
    path.length > 0 &&
    !path.startsWith('/') &&
    !path.includes('\\') &&
    path.split('/').every((part) => part !== '' && part !== '.' && part !== '..')
  );
}
