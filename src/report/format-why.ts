import {shortHash} from '../core/hash.js';
import type {Why} from '../plan/why.js';

/** `transforms[1].split.validation: 0.2 -> 0.25`, hashes shortened, absence shown as (none). */
export function formatWhy(why: Why): string {
  if (why.what === 'stage' && why.from === null) return 'new stage (not in the lockfile)';
  if (why.what === 'outputs' && why.to === null) return 'outputs missing from the store';
  return `${why.what}: ${formatValue(why.from)} -> ${formatValue(why.to)}`;
}

export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return '(none)';
  if (typeof value === 'string')
    return /^sha256:/.test(value) ? shortHash(value) : JSON.stringify(value);
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
