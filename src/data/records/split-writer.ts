import type {Sha256} from '../../core/hash.js';
import type {Example, SplitName} from './example.js';
import {ID_HEX} from './identity.js';
import {JsonlWriter} from './jsonl-writer.js';

/** Bytes of each record's line in an ids file: its id and '\n'. */
export const ID_LINE_BYTES = ID_HEX + 1;

/**
 * One split's outputs: its canonical JSONL, and line for line the id of each record's source
 * record (identity.ts), kept beside the training records rather than inside them, so that
 * evals and reports can follow one example across recipe versions.
 */
export class SplitWriter {
  readonly split: SplitName;
  readonly #lines: JsonlWriter;
  readonly #ids: JsonlWriter;

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

  /** Writes an example's record and its id. */
  async write(example: Example): Promise<void> {
    if (example.id === '') throw new Error('a record reached the writer without an id');
    await this.#lines.write(example.record);
    await this.#ids.writeLine(example.id);
  }

  /**
   * Writes `count` records as workers send them: their canonical JSON lines ('\n' included),
   * and their ids, ID_LINE_BYTES each, in the same order.
   */
  async writeChunk(lines: Uint8Array, ids: Uint8Array, count: number): Promise<void> {
    if (ids.length !== count * ID_LINE_BYTES) throw new Error('ids and their count disagree');
    await this.#lines.writeBytes(lines, count);
    await this.#ids.writeBytes(ids, count);
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
