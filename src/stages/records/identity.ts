import {hash} from 'node:crypto';
import {canonicalJson} from '../../core/canonical-json.js';
import type {DataProblems} from './data-error.js';
import type {Example} from './example.js';
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

  /** `by`: the split's field paths, or null when it places records by their whole content. */
  constructor(by: readonly string[] | null) {
    this.#by = by;
  }

  /** Whether records carry a group (the split has `by`). */
  get grouped(): boolean {
    return this.#by !== null;
  }

  /**
   * Sets `id` (and `group`) on every example of a freshly parsed batch. A record canonical JSON
   * cannot write (a number beyond a double's range, such as 1e400) is reported to `problems`
   * and left out: the batch is filtered in place.
   */
  assign(batch: Example[], problems: DataProblems): void {
    let kept = 0;
    for (const example of batch) {
      let canonical: string;
      try {
        canonical = canonicalJson(example.record);
      } catch (e) {
        problems.add(example.origin, `the record cannot be kept exactly: ${(e as Error).message}`);
        continue;
      }
      this.assignOne(example, canonical);
      batch[kept++] = example;
    }
    batch.length = kept;
  }

  /** Sets `id` (and `group`) from the record's canonical JSON, text or UTF-8 bytes. */
  assignOne(example: Example, canonical: string | Uint8Array): void {
    example.id = idOfCanonical(canonical);
    if (this.#by !== null) example.group = groupOf(example.record, this.#by);
  }
}

/**
 * The group of a record: the id of the canonical JSON of the list of its `by` values, or the
 * first of the fields it lacks (a null value is a value).
 */
export function groupOf(
  record: unknown,
  by: readonly string[],
): string | {readonly missing: string} {
  const values: unknown[] = [];
  for (const path of by) {
    const value = getPath(record, path);
    if (value === undefined) return {missing: path};
    values.push(value);
  }
  return idOfCanonical(canonicalJson(values));
}
