import {shortHash} from '../core/hash.js';
import type {Why} from '../plan/why.js';

/** `transforms[1].split.validation: 0.2 -> 0.25`, hashes shortened, absence shown as (none). */
export function formatWhy(why: Why): string {
  if (why.what === 'stage' && why.from === null) return 'new stage (not in the lockfile)';
  if (why.what === 'outputs' && why.to === null) return 'outputs missing from the store';
  const note = fileSetNote(why);
  if (note !== undefined) {
    return `${why.what}: ${formatFileSet(why.from)} -> ${formatFileSet(why.to)} (${note})`;
  }
  return `${why.what}: ${formatValue(why.from)} -> ${formatValue(why.to)}`;
}

/**
 * For the change of a source's file set: what changed in it (`1 added, 0 removed, 2 changed`),
 * or why the files are not named; undefined for any other entry.
 */
export function fileSetNote(why: Why): string | undefined {
  if (!why.what.endsWith('.file_set')) return undefined;
  if (!why.files) return 'the file lists are not both in .ft/, so the files are not named';
  const {added, removed, changed} = why.files;
  return `${count(added)} added, ${count(removed)} removed, ${count(changed)} changed`;
}

function formatFileSet(value: unknown): string {
  const set = value as {count?: unknown; sha256?: unknown} | null;
  if (typeof set?.count !== 'number' || typeof set.sha256 !== 'string') return formatValue(value);
  return `${count(set.count)} files ${shortHash(set.sha256)}`;
}

const count = (n: number) => n.toLocaleString('en-US');

export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return '(none)';
  if (typeof value === 'string')
    return /^sha256:/.test(value) ? shortHash(value) : JSON.stringify(value);
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
