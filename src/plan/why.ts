import {canonicalJson} from '../core/canonical-json.js';
import type {Sha256} from '../core/hash.js';
import {formatPath, type PathSegment} from '../core/path-syntax.js';
import type {FileEntry} from './fingerprint.js';

/**
 * One reason a stage is not fresh: the fingerprint value at `what` was `from` and is now `to`
 * (null where absent). `{what: 'stage', from: null, to: 'new'}` marks a stage with no earlier
 * record to compare with.
 */
export interface Why {
  readonly what: string;
  readonly from: unknown;
  readonly to: unknown;
  /**
   * On a source's file set (`sources.<name>.file_set`, from and to `{count, sha256}`): how many
   * files were added, removed and changed, when the store has both file lists (the files are
   * then named in the entries that follow); absent when it has not (a fresh clone).
   */
  readonly files?: FileSetChange;
}

export interface FileSetChange {
  readonly added: number;
  readonly removed: number;
  readonly changed: number;
}

export const NEW_STAGE: readonly Why[] = [{what: 'stage', from: null, to: 'new'}];

/** At most this many files of a changed file set are named, each as an entry of its own. */
export const NAMED_FILES = 50;

export interface DiffOptions {
  /**
   * The file list behind a file set's hash, (path, sha256) pairs sorted by path, when the store
   * has it (see fileListText in fingerprint.ts); undefined otherwise.
   */
  readonly fileList?: (hash: Sha256) => readonly FileEntry[] | undefined;
}

/**
 * Every difference between two fingerprints, leaf by leaf, in a stable order. Lists compare
 * item by item, so an edited transform shows as `transforms[1].split.validation`, not as a
 * whole new list.
 *
 * A source's file set (`file_set: {count, sha256}`) that changed is one entry, with counts of
 * what changed when both file lists can be read, followed by the first NAMED_FILES files that
 * differ, written as a smaller source's per-file entries are
 * (`sources.qa.files["data/x.jsonl"]: sha256:.. -> sha256:..`).
 */
export function diffFingerprints(
  previous: unknown,
  current: unknown,
  options: DiffOptions = {},
): Why[] {
  const out: Why[] = [];
  walk(previous, current, [], out, options);
  return out;
}

function walk(a: unknown, b: unknown, path: PathSegment[], out: Why[], options: DiffOptions): void {
  if (path.at(-1) === 'file_set' && isFileSet(a) && isFileSet(b)) {
    if (a.sha256 !== b.sha256 || a.count !== b.count) diffFileSets(a, b, path, out, options);
    return;
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const key of keys) walk(a[key] ?? null, b[key] ?? null, [...path, key], out, options);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      walk(a[i] ?? null, b[i] ?? null, [...path, i], out, options);
    }
    return;
  }
  if (canonicalJson(a ?? null) !== canonicalJson(b ?? null)) {
    out.push({what: formatPath(path) || 'fingerprint', from: a ?? null, to: b ?? null});
  }
}

interface FileSetValue {
  readonly count: number;
  readonly sha256: Sha256;
}

function diffFileSets(
  a: FileSetValue,
  b: FileSetValue,
  path: PathSegment[],
  out: Why[],
  options: DiffOptions,
): void {
  const what = formatPath(path);
  const before = options.fileList?.(a.sha256);
  const after = options.fileList?.(b.sha256);
  if (!before || !after) {
    out.push({what, from: a, to: b});
    return;
  }
  const named: Why[] = [];
  const change = {added: 0, removed: 0, changed: 0};
  const filesPath = [...path.slice(0, -1), 'files'];
  const note = (file: string, from: Sha256 | null, to: Sha256 | null) => {
    if (named.length < NAMED_FILES) named.push({what: formatPath([...filesPath, file]), from, to});
  };
  // Both lists are sorted by path: one merge pass.
  let i = 0;
  let j = 0;
  while (i < before.length || j < after.length) {
    const l = before[i];
    const r = after[j];
    if (r === undefined || (l !== undefined && l[0] < r[0])) {
      change.removed++;
      note(l![0], l![1], null);
      i++;
    } else if (l === undefined || r[0] < l[0]) {
      change.added++;
      note(r[0], null, r[1]);
      j++;
    } else {
      if (l[1] !== r[1]) {
        change.changed++;
        note(l[0], l[1], r[1]);
      }
      i++;
      j++;
    }
  }
  out.push({what, from: a, to: b, files: change}, ...named);
}

function isFileSet(v: unknown): v is FileSetValue {
  return (
    isPlainObject(v) &&
    typeof v.count === 'number' &&
    typeof v.sha256 === 'string' &&
    Object.keys(v).length === 2
  );
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
