import {constants} from 'node:buffer';

const NEWLINE = 0x0a;

/**
 * The longest text ft decodes into one string: a line of a JSONL file, a whole .json file. The
 * engine cannot hold a longer string (V8: 2^29 - 24 UTF-16 units, 536,870,888), and a text of at
 * most that many UTF-8 bytes always fits, since no character takes more UTF-16 units than bytes.
 */
export const STRING_LIMIT_BYTES = constants.MAX_STRING_LENGTH;

/**
 * The limit in force: STRING_LIMIT_BYTES, or FT_MAX_TEXT_BYTES when that is lower (to bound the
 * memory one record may take, and so tests can reach the limit without half a gigabyte).
 */
export function maxTextBytes(): number {
  const configured = Number(process.env.FT_MAX_TEXT_BYTES);
  return Number.isInteger(configured) && configured > 0
    ? Math.min(configured, STRING_LIMIT_BYTES)
    : STRING_LIMIT_BYTES;
}

/** The limit, named for messages: what it is and where it comes from. */
export function describeLimit(limit: number): string {
  const bytes = `${limit.toLocaleString('en-US')} bytes`;
  return limit >= STRING_LIMIT_BYTES
    ? `the longest string JavaScript can hold (${bytes})`
    : `FT_MAX_TEXT_BYTES (${bytes})`;
}

/** What `wholeLines` yields, in the order of the input. */
export type LinePiece =
  /** Whole lines (each ending in '\n', except the file's last), none longer than the limit. */
  | {readonly kind: 'lines'; readonly bytes: Buffer}
  /** One line (the one after the lines yielded so far) longer than the limit, not kept. */
  | {readonly kind: 'too-long'; readonly bytes: number};

export interface WholeLinesOptions {
  /** Longer lines are counted and skipped, never buffered whole: see `maxTextBytes`. */
  readonly maxLineBytes: number;
  /**
   * Whole lines are yielded once this many bytes were read since the last yield, the line being
   * read included (0: at every read).
   */
  readonly minBytes?: number;
  /**
   * Every `lines` buffer is a fresh allocation of its own, never a view into a read or Node's
   * pool, so that it can be transferred to a worker thread whole.
   */
  readonly own?: boolean;
  /**
   * With `own`: gives the buffer for `bytes` of lines (exactly that long, starting its own
   * memory, never Node's pool), instead of a new allocation: the caller may recycle them.
   */
  readonly alloc?: (bytes: number) => Buffer;
  /**
   * The reader overwrites each chunk once the next is asked for (readBytes' `reuse`): the bytes
   * kept past a chunk (a partial line, lines not yet yielded) are copied out of it first.
   */
  readonly transient?: boolean;
}

/**
 * Cuts a stream of byte chunks into whole lines. A line longer than `maxLineBytes` is reported as
 * `too-long` with its length and its bytes are dropped as they come: memory stays at the limit
 * however long the line, and the lines after it are read as usual. Counting lines is left to the
 * caller (who splits them anyway): a `too-long` line is the one after everything yielded before.
 *
 * Only the lines that span reads are measured, plus, when a read is longer than the limit, the
 * lines inside it: a line within a read of at most `maxLineBytes` cannot be too long.
 */
export async function* wholeLines(
  chunks: AsyncIterable<Buffer>,
  options: WholeLinesOptions,
): AsyncGenerator<LinePiece> {
  const max = options.maxLineBytes;
  const minBytes = options.minBytes ?? 0;
  const own = options.own ?? false;
  const alloc = options.alloc;
  const transient = options.transient ?? false;
  /** Whole lines not yet yielded. */
  let ready: Buffer[] = [];
  let readyBytes = 0;
  /** The line being read (it follows `ready`): its pieces while it fits, and its length. */
  let partial: Buffer[] = [];
  let partialBytes = 0;
  /** The line being read is too long: its bytes are counted, not kept. */
  let tooLong = false;
  const keep = (bytes: Buffer) => {
    if (bytes.length === 0) return;
    ready.push(bytes);
    readyBytes += bytes.length;
  };
  const take = (): LinePiece => {
    const bytes = joined(ready, readyBytes, own, alloc);
    ready = [];
    readyBytes = 0;
    return {kind: 'lines', bytes};
  };

  for await (const chunk of chunks) {
    const last = chunk.lastIndexOf(NEWLINE);
    /** chunk[run, from): whole lines that fit, not yet in `ready`. */
    let run = 0;
    /** Where the line being read starts in this chunk (0 too when it began in an earlier one). */
    let from = 0;
    while (from <= last) {
      // Lines that end by `last` are shorter than the bytes up to it: when those fit, all do.
      if (partialBytes === 0 && last - from <= max) {
        from = last + 1;
        break;
      }
      const nl = chunk.indexOf(NEWLINE, from);
      const length = partialBytes + nl - from;
      if (tooLong || length > max) {
        keep(chunk.subarray(run, from));
        if (readyBytes > 0) yield take();
        yield {kind: 'too-long', bytes: length};
        partial = [];
        tooLong = false;
        run = nl + 1;
      } else if (partial.length > 0) {
        // The line began in an earlier read (so run is 0): its first pieces go before this one.
        for (const piece of partial) keep(piece);
        partial = [];
      }
      partialBytes = 0;
      from = nl + 1;
    }
    // The rest of the chunk begins, or continues, the line being read.
    const rest = chunk.length - from;
    if (!tooLong && partialBytes + rest > max) {
      keep(chunk.subarray(run, from));
      run = from;
      if (readyBytes > 0) yield take();
      partial = [];
      tooLong = true;
    }
    keep(chunk.subarray(run, from));
    if (!tooLong && rest > 0) partial.push(chunk.subarray(from));
    partialBytes += rest;
    if (readyBytes > 0 && readyBytes + partialBytes >= minBytes) yield take();
    if (transient) {
      // What is kept must outlive the chunk.
      const copied = (piece: Buffer) =>
        piece.buffer === chunk.buffer ? Buffer.concat([piece], piece.length) : piece;
      ready = ready.map(copied);
      partial = partial.map(copied);
    }
  }
  if (tooLong) {
    yield {kind: 'too-long', bytes: partialBytes};
    return;
  }
  for (const piece of partial) keep(piece); // the last line, without a line end
  if (readyBytes > 0) yield take();
}

/** The pieces as one buffer (the piece itself when there is one and it need not be `own`). */
function joined(
  pieces: readonly Buffer[],
  bytes: number,
  own: boolean,
  alloc: ((bytes: number) => Buffer) | undefined,
): Buffer {
  if (!own) return pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces, bytes);
  const out = alloc ? alloc(bytes) : Buffer.allocUnsafeSlow(bytes);
  let at = 0;
  for (const piece of pieces) {
    out.set(piece, at);
    at += piece.length;
  }
  return out;
}
