import type {Sha256} from '../../core/hash.js';
import type {Example, SplitName} from './example.js';
import {ID_HEX} from './identity.js';
import {JsonlWriter} from './jsonl-writer.js';

/** Output file of each split, and of its ids. */
export const SPLIT_FILES: Readonly<Record<SplitName, string>> = {
  train: 'train.jsonl',
  validation: 'validation.jsonl',
  test: 'test.jsonl',
};
export const ID_FILES: Readonly<Record<SplitName, string>> = {
  train: 'train.ids',
  validation: 'validation.ids',
  test: 'test.ids',
};

/** Bytes of the id before each line that workers send (see `writeTagged`). */
export const TAG_BYTES = ID_HEX;

/**
 * One split's outputs: its canonical JSONL, and line for line the id of each record's source
 * record (identity.ts), kept beside the training records rather than inside them, so that
 * evals and reports can follow one example across recipe versions.
 */
export class SplitWriter {
  readonly split: SplitName;
  readonly #lines: JsonlWriter;
  readonly #ids: JsonlWriter;
  #gatherLines = Buffer.alloc(0);
  #gatherIds = Buffer.alloc(0);

  private constructor(split: SplitName, lines: JsonlWriter, ids: JsonlWriter) {
    this.split = split;
    this.#lines = lines;
    this.#ids = ids;
  }

  /** Opens the temp files (`tempFile(hint)` names one) of a split. */
  static async create(split: SplitName, tempFile: (hint: string) => string): Promise<SplitWriter> {
    const lines = await JsonlWriter.create(tempFile(split));
    try {
      return new SplitWriter(split, lines, await JsonlWriter.create(tempFile(`${split}-ids`)));
    } catch (e) {
      await lines.discard();
      throw e;
    }
  }

  get count(): number {
    return this.#lines.count;
  }

  /** Writes an example's record (or its canonical JSON, when known) and its id. */
  async write(example: Example, canonical?: string): Promise<void> {
    if (example.id === '') throw new Error('a record reached the writer without an id');
    await (canonical === undefined
      ? this.#lines.write(example.record)
      : this.#lines.writeLine(canonical));
    await this.#ids.writeLine(example.id);
  }

  /**
   * Writes `count` lines as workers send them: each is its record's id (TAG_BYTES of hex)
   * followed by the canonical JSON line ('\n' included). The ids go to the ids file, the rest
   * to the JSONL file.
   */
  async writeTagged(bytes: Uint8Array, count: number): Promise<void> {
    const source = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (this.#gatherLines.length < source.length)
      this.#gatherLines = Buffer.allocUnsafe(source.length);
    if (this.#gatherIds.length < count * (TAG_BYTES + 1))
      this.#gatherIds = Buffer.allocUnsafe(count * (TAG_BYTES + 1) * 2);
    const lines = this.#gatherLines;
    const ids = this.#gatherIds;
    let at = 0;
    let linesAt = 0;
    let idsAt = 0;
    for (let n = 0; n < count; n++) {
      const end = source.indexOf(10, at + TAG_BYTES) + 1;
      if (end === 0) throw new Error('a tagged line has no end');
      idsAt += source.copy(ids, idsAt, at, at + TAG_BYTES);
      ids[idsAt++] = 10;
      linesAt += source.copy(lines, linesAt, at + TAG_BYTES, end);
      at = end;
    }
    if (at !== source.length) throw new Error('tagged lines and their count disagree');
    await this.#lines.writeBytes(lines.subarray(0, linesAt), count);
    await this.#ids.writeBytes(ids.subarray(0, idsAt), count);
  }

  /** Flushes and closes both files; returns their content hashes and sizes. */
  async finish(): Promise<{
    lines: {path: string; hash: Sha256; size: number};
    ids: {path: string; hash: Sha256; size: number};
  }> {
    const lines = await this.#lines.finish();
    const ids = await this.#ids.finish();
    return {lines: {path: this.#lines.path, ...lines}, ids: {path: this.#ids.path, ...ids}};
  }

  /** Closes and deletes both temp files (on failure or interruption). */
  async discard(): Promise<void> {
    await this.#lines.discard();
    await this.#ids.discard();
  }
}
