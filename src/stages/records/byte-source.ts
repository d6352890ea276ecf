import {createHash} from 'node:crypto';
import {createReadStream} from 'node:fs';
import {Readable} from 'node:stream';
import {createGunzip} from 'node:zlib';
import {type Sha256, sha256FromHex} from '../../core/hash.js';
import {StageFailure} from '../../core/stage-failure.js';

const CHUNK = 1024 * 1024;

export interface ByteSourceOptions {
  /** Absolute path of the file (in the project or in the store). */
  readonly path: string;
  /** The file as shown in messages. */
  readonly shown: string;
  /** Decompress (the hash is of the compressed bytes, as stored). */
  readonly gzip: boolean;
  /** The hash recorded for the file; other bytes mean it changed during the build. */
  readonly expectedHash: Sha256;
  readonly signal?: AbortSignal;
}

/**
 * The bytes of a source file as a stream of chunks, decompressed when it is gzip. The raw
 * bytes are hashed as they go by and must match the hash the source stage recorded: a file
 * edited in the middle of a build fails the build instead of producing a dataset that matches
 * no key.
 */
export async function* readBytes(options: ByteSourceOptions): AsyncGenerator<Buffer> {
  const hasher = createHash('sha256');
  async function* raw(): AsyncGenerator<Buffer> {
    const stream = createReadStream(options.path, {highWaterMark: CHUNK});
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      options.signal?.throwIfAborted();
      hasher.update(chunk);
      yield chunk;
    }
  }
  const chunks: AsyncIterable<Buffer> = options.gzip
    ? Readable.from(raw()).pipe(createGunzip({chunkSize: 1024 * 1024}))
    : raw();
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
  }
  const actual = sha256FromHex(hasher.digest('hex'));
  if (actual !== options.expectedHash) {
    throw new StageFailure(
      'source-changed',
      `${options.shown} changed while ft was reading it (${options.expectedHash} -> ${actual}); run the build again`,
    );
  }
}
