import {hash} from 'node:crypto';
import {canonicalJson, JsonTooDeep} from '../../core/canonical-json.js';
import {ABSENT, type WrittenCanonical} from './canonical-bytes.js';
import type {DataProblems} from './data-error.js';
import type {Example, MissingGroup} from './example.js';
import {getPath} from './fields.js';

/** Hex digits of a record id: 128 bits, ample to name every record of any dataset apart. */
export const ID_HEX = 32;

/**
 * The id of a source record from its canonical JSON (RFC 8785; text or its UTF-8 bytes): the
 * first 32 hex digits of its sha256. Python: `hashlib.sha256(canonical.encode()).hexdigest()[:32]`.
 */
export function idOfCanonical(canonical: string | Uint8Array): string {
  return hash('sha256', canonical, 'hex').slice(0, ID_HEX);
}

/**
 * The source record an id names, without the `.k` a step adds to the k-th extra record it makes
 * from one record: the records one source record becomes share its split.
 */
export function sourceIdOf(id: string): string {
  return id.length === ID_HEX ? id : id.slice(0, ID_HEX);
}

/**
 * Gives each record, as it is read and before any transform, its identity: `id` (the source
 * record's hash) and, when the split groups by fields of the source record, `group` (the hash of
 * those values, or which of them it lacks). Both follow the record through every
 * step, so a prompt edit never changes them.
 */
export class SourceIdentity {
  readonly #by: readonly string[] | null;
  /** Where a group's canonical JSON is put together (assignWritten). */
  #group = Buffer.allocUnsafe(256);

  /** `by`: the split's field paths, or null when it places records by their whole content. */
  constructor(by: readonly string[] | null) {
    this.#by = by;
  }

  /** Whether records carry a group (the split has `by`). */
  get grouped(): boolean {
    return this.#by !== null;
  }

  /**
   * The `by` fields when they are all top-level fields (the ones a CanonicalWriter can locate
   * for `assignWritten`); an empty list without `by`; undefined when one is a nested path.
   */
  get topLevelBy(): readonly string[] | undefined {
    if (this.#by === null) return [];
    return this.#by.every((path) => !path.includes('.')) ? this.#by : undefined;
  }

  /**
   * Sets `id` (and `group`) on every example of a freshly parsed batch. A record canonical JSON
   * cannot write (a number beyond a double's range, such as 1e400; nesting deeper than
   * MAX_JSON_DEPTH) is reported to `problems` and left out: the batch is filtered in place.
   */
  assign(batch: Example[], problems: DataProblems): void {
    let kept = 0;
    for (const example of batch) {
      const canonical = canonicalRecord(example, problems);
      if (canonical === undefined) continue;
      this.assignOne(example, canonical);
      batch[kept++] = example;
    }
    batch.length = kept;
  }

  /**
   * Sets `id` (and `group`) from the source record a canonical writer has just written, whose
   * located fields from `first` on are `topLevelBy`'s: the group's canonical JSON (the list of
   * their values) is put together from the values' canonical bytes.
   */
  assignWritten(example: Example, source: WrittenCanonical, first: number): void {
    example.id = idOfCanonical(source.buffer.subarray(0, source.length));
    const by = this.#by;
    if (by === null) return;
    let size = 1;
    for (let k = 0; k < by.length; k++) {
      if (source.state[first + k] === ABSENT) {
        // Rare: the record is parsed to name the fields it has instead.
        const record = JSON.parse(source.buffer.toString('utf8', 0, source.length)) as unknown;
        example.group = {missing: by[k]!, names: namesNear(record, by[k]!)};
        return;
      }
      size += source.end[first + k]! - source.start[first + k]! + 1;
    }
    if (this.#group.length < size) this.#group = Buffer.allocUnsafe(size * 2);
    const group = this.#group;
    let at = 0;
    group[at++] = 0x5b; // [
    for (let k = 0; k < by.length; k++) {
      if (k > 0) group[at++] = 0x2c; // ,
      at += source.buffer.copy(group, at, source.start[first + k], source.end[first + k]);
    }
    group[at++] = 0x5d; // ]
    example.group = idOfCanonical(group.subarray(0, at));
  }

  /** Sets `id` (and `group`) from the record's canonical JSON, text or UTF-8 bytes. */
  assignOne(example: Example, canonical: string | Uint8Array): void {
    example.id = idOfCanonical(canonical);
    if (this.#by !== null) example.group = groupOf(example.record, this.#by);
  }
}

/**
 * The canonical JSON of a record just read, or undefined when it has none: a number beyond a
 * double's range (1e400), nesting deeper than MAX_JSON_DEPTH. That is reported to `problems`
 * at the record's line.
 */
export function canonicalRecord(example: Example, problems: DataProblems): string | undefined {
  try {
    return canonicalJson(example.record);
  } catch (e) {
    if (e instanceof JsonTooDeep) {
      problems.add(
        example.origin,
        `the record is ${e.message} (objects and arrays inside one another), which ft does not read; flatten it, or leave it out (on_error: skip)`,
        1,
        undefined,
        'too deep',
      );
    } else
      problems.add(example.origin, `the record cannot be kept exactly: ${(e as Error).message}`);
    return undefined;
  }
}

/**
 * The group of a record: the id of the canonical JSON of the list of its `by` values, or the
 * first of the fields it lacks (a null value is a value).
 */
export function groupOf(record: unknown, by: readonly string[]): string | MissingGroup {
  const values: unknown[] = [];
  for (const path of by) {
    const value = getPath(record, path);
    if (value === undefined) return {missing: path, names: namesNear(record, path)};
    values.push(value);
  }
  return idOfCanonical(canonicalJson(values));
}

/**
 * The names a record has where `path` leads: the keys of the deepest object the path reaches,
 * as paths (`meta.lang` for `meta.lnag`), for "did you mean" suggestions.
 */
export function namesNear(record: unknown, path: string): string[] {
  const parts = path.split('.');
  let node: unknown = record;
  let prefix = '';
  for (let i = 0; i < parts.length - 1; i++) {
    const next = (node as Record<string, unknown> | null)?.[parts[i]!];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) break;
    node = next;
    prefix += `${parts[i]}.`;
  }
  if (node === null || typeof node !== 'object') return [];
  return Object.keys(node).map((key) => prefix + key);
}
