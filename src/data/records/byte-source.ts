import {createHash} from 'node:crypto';
import {closeSync, createReadStream, openSync, readSync} from 'node:fs';
import {open} from 'node:fs/promises';
import {Readable} from 'node:stream';
import {createGunzip} from 'node:zlib';
import {type Sha256, sha256FromHex} from '../../core/hash.js';
import {StageFailure} from '../../core/stage-failure.js';
import {statToken} from '../../core/stat-token.js';

const CHUNK = 1024 * 1024;

/**
 * Files below this size are read whole with blocking calls: a read stream's async open, reads and
 * close each go through libuv's thread pool, which costs more than reading a small file, and a
 * stream would allocate a CHUNK-sized buffer for each file (100,000 small files: a cold build
 * spent most of its time collecting those).
 */
const SMALL = 256 * 1024;

/** A file of a source, as the dataset stage reads it. */
export interface SourceBytes {
  /** Absolute path of the file (in the project or in the store). */
  readonly path: string;
  /** The file as shown in messages. */
  readonly shown: string;
  /** Decompress (the hash is of the compressed bytes, as stored). */
  readonly gzip: boolean;
  /** The hash recorded for the file; other bytes mean it changed during the build. */
  readonly sha256: Sha256;
  /**
   * The file's stat token when the stat cache vouches for `expectedHash`: the bytes are then not
   * hashed again, only the stat compared after reading. Absent for files that must be hashed.
   */
  readonly vouchedStat?: string;
  /** Objects in the store are immutable (read-only, named by their hash): no check needed. */
  readonly trusted?: boolean;
  /**
   * The size the source stage recorded: it sizes the reads (the file is still read to its end,
   * and a changed file is caught by the hash or stat check).
   */
  readonly size?: number;
}

/**
 * The bytes of a source file as a stream of chunks, decompressed when it is gzip. With `reuse`,
 * the chunks of an uncompressed file are views of one buffer that the next read overwrites: the
 * caller must be done with each chunk (keep no view of it) before it asks for the next. The raw
 * bytes are hashed as they go by and must match the hash the source stage recorded: a file
 * edited in the middle of a build fails the build instead of producing a dataset that matches
 * no key.
 */
export async function* readBytes(
  options: SourceBytes,
  signal?: AbortSignal,
  reuse = false,
): AsyncGenerator<Buffer> {
  const verify = options.vouchedStat === undefined && !options.trusted;
  const hasher = createHash('sha256');
  async function* raw(): AsyncGenerator<Buffer> {
    const {size} = options;
    if (size !== undefined && size < SMALL) {
      const bytes = readSmall(options.path, size);
      if (verify) hasher.update(bytes);
      if (bytes.length > 0) yield bytes;
      return;
    }
    const highWaterMark = size === undefined ? CHUNK : Math.min(CHUNK, size + 1);
    if (reuse && !options.gzip) {
      // One buffer for every read: the caller is done with a chunk when it asks for the next.
      const handle = await open(options.path, 'r');
      try {
        const buffer = Buffer.allocUnsafeSlow(highWaterMark);
        for (;;) {
          signal?.throwIfAborted();
          const {bytesRead} = await handle.read(buffer, 0, buffer.length, null);
          if (bytesRead === 0) return;
          const chunk = buffer.subarray(0, bytesRead);
          if (verify) hasher.update(chunk);
          yield chunk;
        }
      } finally {
        await handle.close();
      }
    }
    const stream = createReadStream(options.path, {highWaterMark});
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      signal?.throwIfAborted();
      if (verify) hasher.update(chunk);
      yield chunk;
    }
  }
  let chunks: AsyncIterable<Buffer> = raw();
  let streams: {destroy(): void}[] = [];
  if (options.gzip) {
    const source = Readable.from(chunks);
    const gunzip = createGunzip({chunkSize: 1024 * 1024});
    // pipe() does not forward errors: a read error or an abort must reach the reader.
    source.on('error', (e) => gunzip.destroy(e));
    source.pipe(gunzip);
    chunks = gunzip;
    streams = [source, gunzip];
  }
  try {
    for await (const chunk of chunks) yield chunk;
  } catch (e) {
    const code = (e as {code?: unknown}).code;
    if (typeof code === 'string' && code.startsWith('Z_')) {
      throw new StageFailure(
        'bad-input',
        `${options.shown}: not valid gzip data (${(e as Error).message})`,
      );
    }
    throw e;
  } finally {
    // A reader that stops early (an error downstream) must not leave the file open.
    for (const stream of streams) stream.destroy();
  }
  if (options.vouchedStat !== undefined) {
    if (statToken(options.path) !== options.vouchedStat) {
      throw new StageFailure(
        'source-changed',
        `${options.shown} changed while ft was reading it; run the build again`,
      );
    }
    return;
  }
  if (!verify) return;
  const actual = sha256FromHex(hasher.digest('hex'));
  if (actual !== options.sha256) {
    throw new StageFailure(
      'source-changed',
      `${options.shown} changed while ft was reading it (${options.sha256} -> ${actual}); run the build again`,
    );
  }
}

/** A small file's bytes, read to its end into one buffer of its expected size (plus one byte). */
function readSmall(path: string, expected: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    // Its own memory, not Node's shared pool: readers may keep the chunk or hand its buffer on.
    let buffer = Buffer.allocUnsafeSlow(expected + 1);
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        const grown = Buffer.allocUnsafeSlow(buffer.length * 2);
        buffer.copy(grown);
        buffer = grown;
      }
      const bytesRead = readSync(fd, buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return buffer.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}
