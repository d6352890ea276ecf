import {TextDecoder} from 'node:util';
import type {DataProblems} from './data-error.js';
import type {Example, Origin} from './example.js';
import {explainJsonError} from './json-syntax-error.js';
import {firstInvalidUtf8} from './utf8.js';
import {describeLimit, maxTextBytes, wholeLines} from './whole-lines.js';

const NEWLINE = 0x0a;
/** Bytes of lines parsed into one batch (the last line of a batch may end past it). */
const BATCH_BYTES = 64 * 1024;

/** Where parsed records say they come from. */
export interface RecordOrigin {
  /** The file as shown in messages. */
  readonly file: string;
  readonly source: string;
  /** Maps a line of the bytes to the line shown (inline examples live in the recipe). */
  readonly lineOf?: (line: number) => number;
}

/**
 * Parses JSONL from a stream of byte chunks, in batches of examples: one JSON object per line,
 * blank lines skipped, a UTF-8 BOM and CRLF line ends accepted. Memory stays at about one
 * chunk (or one line, when a line is longer). Bad lines (invalid UTF-8, invalid JSON, not an
 * object, longer than `maxLineBytes`) go to `problems` with their line and column (for invalid
 * JSON, where parsing failed: 1-based, in UTF-16 units).
 */
export async function* parseJsonl(
  chunks: AsyncIterable<Buffer>,
  where: RecordOrigin,
  problems: DataProblems,
  maxLineBytes = maxTextBytes(),
): AsyncGenerator<Example[]> {
  // The decoder keeps BOMs: only one at the start of the file is dropped (parseLines); one
  // before a later line is not JSON there, wherever the chunks happen to be cut.
  const decoder = new TextDecoder('utf-8', {fatal: true, ignoreBOM: true});
  let lineNo = 0;
  let first = true;
  const parse = (bytes: Buffer): Example[] => {
    const batch: Example[] = [];
    lineNo = parseLines(bytes, lineNo, first, where, decoder, problems, batch);
    first = false;
    return batch;
  };
  for await (const piece of wholeLines(chunks, {maxLineBytes})) {
    if (piece.kind === 'too-long') {
      lineNo++;
      first = false;
      problems.add(
        originOf(where, lineNo),
        lineTooLong(piece.bytes, maxLineBytes),
        1,
        undefined,
        'line too long',
      );
      continue;
    }
    // Small batches: each is done with (written) before the next is parsed, so few records are
    // alive at once and the heap stays small.
    const data = piece.bytes;
    for (let from = 0; from < data.length; ) {
      let to = Math.min(from + BATCH_BYTES, data.length);
      if (to < data.length) to = data.indexOf(NEWLINE, to - 1) + 1 || data.length;
      const batch = parse(data.subarray(from, to));
      if (batch.length > 0) yield batch;
      from = to;
    }
  }
}

/** A line longer than ft reads: how long, why not, and what to do. */
export function lineTooLong(bytes: number, limit: number): string {
  return `the line is ${bytes.toLocaleString('en-US')} bytes, longer than ${describeLimit(limit)}, so ft cannot read it as one record; split it into smaller records, or leave it out (on_error: skip)`;
}

/**
 * Parses one chunk of whole lines (what a worker thread receives), whose first line has the
 * number `firstLine`.
 */
export function parseJsonlChunk(
  bytes: Buffer,
  firstLine: number,
  atFileStart: boolean,
  where: RecordOrigin,
  problems: DataProblems,
): Example[] {
  const out: Example[] = [];
  parseLines(
    bytes,
    firstLine - 1,
    atFileStart,
    where,
    new TextDecoder('utf-8', {fatal: true, ignoreBOM: true}),
    problems,
    out,
  );
  return out;
}

/** Decodes and parses whole lines; returns the number of the last line seen. */
function parseLines(
  bytes: Buffer,
  lineNo: number,
  atFileStart: boolean,
  where: RecordOrigin,
  decoder: TextDecoder,
  problems: DataProblems,
  out: Example[],
): number {
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    // Invalid UTF-8 somewhere, or a line near the length limit with others: too long a string.
    return parseLinesOneByOne(bytes, lineNo, atFileStart, where, problems, out);
  }
  if (atFileStart && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let start = 0;
  while (start < text.length) {
    let nl = text.indexOf('\n', start);
    if (nl === -1) nl = text.length;
    lineNo++;
    parseLine(text, start, nl, lineNo, where, problems, out);
    start = nl + 1;
  }
  return lineNo;
}

/** Slow path, when a chunk cannot be decoded at once: find which lines hold invalid UTF-8. */
function parseLinesOneByOne(
  bytes: Buffer,
  lineNo: number,
  atFileStart: boolean,
  where: RecordOrigin,
  problems: DataProblems,
  out: Example[],
): number {
  const strict = new TextDecoder('utf-8', {fatal: true, ignoreBOM: true});
  let start = 0;
  while (start < bytes.length) {
    let nl = bytes.indexOf(NEWLINE, start);
    if (nl === -1) nl = bytes.length;
    lineNo++;
    const lineBytes = bytes.subarray(start, nl);
    let line: string | undefined;
    try {
      line = strict.decode(lineBytes);
    } catch {
      const col = firstInvalidUtf8(lineBytes) + 1;
      problems.add(
        originOf(where, lineNo),
        `invalid UTF-8 at byte ${col} of the line`,
        col,
        undefined,
        'invalid UTF-8',
      );
    }
    if (line !== undefined) {
      if (atFileStart && lineNo === 1 && line.charCodeAt(0) === 0xfeff) line = line.slice(1);
      parseLine(line, 0, line.length, lineNo, where, problems, out);
    }
    start = nl + 1;
  }
  return lineNo;
}

/**
 * Parses the line text[start, end) (its number `line`) into `out`, or reports what is wrong
 * with it; a blank line is skipped.
 */
export function parseLine(
  text: string,
  start: number,
  end: number,
  line: number,
  where: RecordOrigin,
  problems: DataProblems,
  out: Example[],
): void {
  let stop = end;
  if (stop > start && text.charCodeAt(stop - 1) === 13) stop--; // CRLF
  // Fast path: a line that starts with '{' is almost always a record.
  let first = start;
  while (first < stop && isSpace(text.charCodeAt(first))) first++;
  if (first === stop) return; // blank line
  const slice = text.slice(start, stop);
  let value: unknown;
  try {
    value = JSON.parse(slice);
  } catch (e) {
    const {message, offset} = explainJsonError(e, slice);
    problems.add(
      originOf(where, line),
      `invalid JSON: ${message}`,
      offset + 1,
      slice,
      'invalid JSON',
    );
    return;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    problems.add(
      originOf(where, line),
      'each line must be a JSON object',
      1,
      slice,
      'not an object',
    );
    return;
  }
  // The id is given by SourceIdentity, by the caller (it needs the recipe's split).
  out.push({record: value as Record<string, unknown>, origin: originOf(where, line), id: ''});
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 13;
}

export function originOf(where: RecordOrigin, line: number): Origin {
  return {file: where.file, line: where.lineOf ? where.lineOf(line) : line, source: where.source};
}
