import {createHash, type Hash} from 'node:crypto';
import {type FileHandle, open, rm} from 'node:fs/promises';
import {canonicalJson} from '../../core/canonical-json.js';
import {type Sha256, sha256FromHex} from '../../core/hash.js';
import {writeAll} from '../../core/write-all.js';

const FLUSH_AT = 1024 * 1024;
/**
 * Bytes written between background flushes to disk (see #startSync): the store flushes each
 * object before it names it, and a file written in one go would otherwise reach the disk only
 * then, all of it, while the build waits.
 */
const SYNC_EVERY = 8 * 1024 * 1024;

/**
 * Writes records as canonical JSONL (RFC 8785 JSON, one per line, '\n' endings) to a temp file,
 * hashing the bytes on the way, so the result can be moved into the store under its hash with
 * no second read.
 */
export class JsonlWriter {
  readonly path: string;
  #handle: FileHandle | undefined;
  readonly #hash: Hash = createHash('sha256');
  #pending: string[] = [];
  #pendingLength = 0;
  #size = 0;
  /** Bytes written since the last background flush began. */
  #unsynced = 0;
  #syncing: Promise<void> | undefined;
  count = 0;

  private constructor(path: string, handle: FileHandle) {
    this.path = path;
    this.#handle = handle;
  }

  static async create(path: string): Promise<JsonlWriter> {
    return new JsonlWriter(path, await open(path, 'wx'));
  }

  async write(record: unknown): Promise<void> {
    await this.writeLine(canonicalJson(record));
  }

  /** Writes a record already in canonical JSON. */
  async writeLine(canonical: string): Promise<void> {
    const line = `${canonical}\n`;
    this.#pending.push(line);
    this.#pendingLength += line.length;
    this.count++;
    if (this.#pendingLength >= FLUSH_AT) await this.#flush();
  }

  /** Writes lines already encoded (canonical JSON + '\n' each), `count` records of them. */
  async writeBytes(bytes: Uint8Array, count: number): Promise<void> {
    await this.#flush();
    if (!this.#handle) return;
    this.#hash.update(bytes);
    this.#size += bytes.length;
    this.count += count;
    await writeAll(this.#handle, bytes);
    this.#wrote(bytes.length);
  }

  async #flush(): Promise<void> {
    if (this.#pending.length === 0 || !this.#handle) return;
    const bytes = Buffer.from(this.#pending.join(''));
    this.#pending = [];
    this.#pendingLength = 0;
    this.#hash.update(bytes);
    this.#size += bytes.length;
    await writeAll(this.#handle, bytes);
    this.#wrote(bytes.length);
  }

  /**
   * Starts flushing what is written to disk, in the background, every SYNC_EVERY bytes (one
   * flush at a time), so that the disk writes overlap the work instead of following it. Only a
   * head start: the store's own flush before it names the file is what makes it durable, so a
   * failure here is left for that one to meet.
   */
  #wrote(bytes: number): void {
    this.#unsynced += bytes;
    if (this.#unsynced < SYNC_EVERY || this.#syncing || !this.#handle) return;
    this.#unsynced = 0;
    this.#syncing = this.#handle
      .datasync()
      .catch(() => undefined)
      .finally(() => {
        this.#syncing = undefined;
      });
  }

  /** Flushes and closes; returns the content hash and size. */
  async finish(): Promise<{hash: Sha256; size: number}> {
    await this.#flush();
    await this.#syncing;
    await this.#handle?.close();
    this.#handle = undefined;
    return {hash: sha256FromHex(this.#hash.digest('hex')), size: this.#size};
  }

  /** Closes and deletes the temp file (on failure or interruption). */
  async discard(): Promise<void> {
    await this.#syncing;
    await this.#handle?.close().catch(() => undefined);
    this.#handle = undefined;
    await rm(this.path, {force: true});
  }
}
