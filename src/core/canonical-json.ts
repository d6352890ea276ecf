/**
 * JSON Canonicalization Scheme (RFC 8785): object keys sorted by UTF-16 code units, no whitespace,
 * numbers in ECMAScript's shortest round-trip form, strings escaped as JSON.stringify does (which
 * is the RFC's escaping). Every hash of structured data in ft goes through this, so the same
 * value always has the same bytes whatever order its keys were written in.
 *
 * For speed it leans on the engine: JSON.stringify already writes numbers and strings exactly as
 * RFC 8785 asks, so the only work left is key order. Objects whose keys are already sorted are
 * used as they are, others are copied in sorted order, and the native serializer does the rest.
 * Objects with integer-like keys ("7"), which the engine always lists first, take a hand-written
 * path.
 *
 * Deviation, documented: RFC 8785 rejects lone surrogates; records read from JSON may hold them
 * (`"\ud800"` is valid JSON), so they are kept in JSON.stringify's `\ud800` escape form.
 *
 * Values nested deeper than MAX_JSON_DEPTH are refused with JsonTooDeep (see there).
 */
export function canonicalJson(value: unknown): string {
  const ordered = inSortedOrder(value, 1);
  return ordered === HAND_WRITTEN ? writeByHand(value, 1) : (JSON.stringify(ordered) as string);
}

/**
 * How deeply objects and arrays may nest in a value ft hashes: a record of a data file, whose
 * depth JSON.parse does not limit (`[[[...]]]` 100,000 deep parses). Past some depth every
 * recursive walk, JSON.stringify's included, overflows the stack, and where depends on the
 * thread and what is on its stack; a fixed limit refuses such a value the same way everywhere,
 * with a message. 512 is far beyond any real record, and below the about 1,000 levels at which
 * Python's json (Python 3.11 here; trainers read ft's outputs with it) gives up.
 */
export const MAX_JSON_DEPTH = 512;

/** A value nested deeper than MAX_JSON_DEPTH: refused, not a bug (the caller says where). */
export class JsonTooDeep extends RangeError {
  override readonly name = 'JsonTooDeep';
  constructor() {
    super(`nested more than ${MAX_JSON_DEPTH} levels deep`);
  }
}

/** Marks a value the engine cannot be made to write in canonical order. */
const HAND_WRITTEN = Symbol('hand-written');

/**
 * The value with every object's keys in sorted order: the value itself when that is already so,
 * copies only where not. Throws on what JSON cannot hold exactly, and JsonTooDeep when an object
 * or array is more than MAX_JSON_DEPTH deep (`depth` is the value's own, 1 at the top).
 */
function inSortedOrder(value: unknown, depth: number): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
    case 'undefined':
      return value;
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonical JSON has no form for ${value}`);
      return value;
    case 'object': {
      if (value === null) return null;
      if (depth > MAX_JSON_DEPTH) throw new JsonTooDeep();
      if (Array.isArray(value)) {
        let copy: unknown[] | undefined;
        for (let i = 0; i < value.length; i++) {
          const item = value[i];
          const ordered = item === undefined ? null : inSortedOrder(item, depth + 1);
          if (ordered === HAND_WRITTEN) return HAND_WRITTEN;
          if (ordered !== item && copy === undefined) copy = value.slice(0, i);
          copy?.push(ordered);
        }
        return copy ?? value;
      }
      if (typeof (value as {toJSON?: unknown}).toJSON === 'function') {
        throw new TypeError('canonical JSON has no form for an object with toJSON');
      }
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record);
      let sorted = true;
      let changed = false;
      const values: unknown[] = new Array(keys.length);
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i]!;
        // Default string comparison is by UTF-16 code units: RFC 8785's order.
        if (i > 0 && keys[i - 1]! > key) sorted = false;
        if (isIndexLike(key)) return HAND_WRITTEN;
        const v = record[key];
        const ordered = inSortedOrder(v, depth + 1);
        if (ordered === HAND_WRITTEN) return HAND_WRITTEN;
        if (ordered !== v) changed = true;
        values[i] = ordered;
      }
      if (sorted && !changed) return value;
      const order = keys.map((_, i) => i);
      if (!sorted) order.sort((a, b) => (keys[a]! < keys[b]! ? -1 : 1));
      // No prototype: a key "__proto__" (JSON.parse makes it an own field) stays a field.
      const copy: Record<string, unknown> = Object.create(null);
      for (const i of order) copy[keys[i]!] = values[i];
      return copy;
    }
    default:
      throw new TypeError(`canonical JSON has no form for a ${typeof value}`);
  }
}

/** A key the engine lists before all others, in numeric order (array-index-like). */
function isIndexLike(key: string): boolean {
  const c = key.charCodeAt(0);
  return c >= 48 && c <= 57 && /^(0|[1-9][0-9]*)$/.test(key) && Number(key) < 2 ** 32 - 1;
}

/** The plain recursive writer, for values with integer-like keys (`depth` as inSortedOrder's). */
function writeByHand(value: unknown, depth: number): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonical JSON has no form for ${value}`);
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (depth > MAX_JSON_DEPTH) throw new JsonTooDeep();
      if (Array.isArray(value)) {
        return `[${value.map((v) => (v === undefined ? 'null' : writeByHand(v, depth + 1))).join(',')}]`;
      }
      const record = value as Record<string, unknown>;
      const parts: string[] = [];
      for (const key of Object.keys(record).sort()) {
        if (record[key] !== undefined)
          parts.push(`${JSON.stringify(key)}:${writeByHand(record[key], depth + 1)}`);
      }
      return `{${parts.join(',')}}`;
    }
    default:
      throw new TypeError(`canonical JSON has no form for a ${typeof value}`);
  }
}

/**
 * Pretty, still deterministic: sorted keys, two-space indent, trailing newline. For files people
 * read and diff (the lockfile, stage manifests).
 */
export function stableJson(value: unknown): string {
  return `${JSON.stringify(sortKeys(value), null, 2)}\n`;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = Object.create(null);
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}
