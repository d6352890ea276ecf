import {canonicalJson} from '../../core/canonical-json.js';
import type {Example} from './example.js';

/** The value at a dotted path (`meta.lang`), or undefined where the record lacks it. */
export function getPath(record: unknown, path: string): unknown {
  return valueAt(record, path.split('.'));
}

/**
 * getPath of each example's record, with the path split once, for reading the same field of
 * every record. An example that can read a field without its record being made (`fieldAt`) is
 * read that way.
 */
export function fieldReader(path: string): (example: Example) => unknown {
  const parts = path.split('.');
  return (example) => (example.fieldAt ? example.fieldAt(parts) : valueAt(example.record, parts));
}

/** The value at a path split into its parts (see getPath). */
export function valueAt(record: unknown, parts: readonly string[]): unknown {
  let value: unknown = record;
  for (let i = 0; i < parts.length; i++) {
    // Own fields only: `constructor` or `__proto__` is not a field of every record.
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, parts[i]!))
      return undefined;
    value = (value as Record<string, unknown>)[parts[i]!];
  }
  return value;
}

/** Sets the value at a dotted path, creating objects on the way. */
export function setPath(record: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node: Record<string, unknown> = record;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) {
      const created: Record<string, unknown> = {};
      node[part] = created;
      node = created;
    } else node = next as Record<string, unknown>;
  }
  node[parts.at(-1)!] = value;
}

/** Removes the value at a dotted path; true when there was one. */
export function deletePath(record: Record<string, unknown>, path: string): boolean {
  const parts = path.split('.');
  const holder = parts.length === 1 ? record : getPath(record, parts.slice(0, -1).join('.'));
  if (holder === null || typeof holder !== 'object') return false;
  const last = parts.at(-1)!;
  if (!Object.hasOwn(holder, last)) return false;
  delete (holder as Record<string, unknown>)[last];
  return true;
}

/** How a field value reads inside text: strings as they are, the rest as canonical JSON. */
export function asText(value: unknown): string {
  return typeof value === 'string'
    ? value
    : typeof value === 'object' && value !== null
      ? canonicalJson(value)
      : String(value);
}
