import {createHash} from 'node:crypto';
import {open} from 'node:fs/promises';
import {TextDecoder} from 'node:util';
import type {Sha256} from '../../core/hash.js';
import {sha256FromHex} from '../../core/hash.js';
import type {DataProblems} from './data-error.js';
import type {Example} from './example.js';

const CHUNK = 4 * 1024 * 1024;
const NEWLINE = 0x0a;

export interface JsonlReadOptions {
  /** Absolute path to read. */
  readonly path: string;
  /** The file as shown in messages (relative to the recipe). */
  readonly shown: string;
  /** The hash the source stage recorded; a different hash means the file changed mid-build. */
  readonly expectedHash: Sha256;
  readonly problems: DataProblems;
  readonly signal?: AbortSignal;
}

/**
 * Streams a JSONL file as batches of examples: one JSON object per line, blank lines skipped,
 * a UTF-8 BOM and CRLF line ends accepted. Memory stays at one chunk whatever the file size.
 * Bad lines (invalid UTF-8, invalid JSON, not an object) are reported with file, line and
 * column. The bytes are hashed as they are read and must match `expectedHash`.
 */
export async function* readJsonl(options: JsonlReadOptions): AsyncGenerator<Example[]> {
  const {path, shown, problems} = options;
  const handle = await open(path, 'r');
  const hasher = createHash('sha256');
  const decoder = new TextDecoder('utf-8', {fatal: true, ignoreBOM: false});
  let carry: Buffer = Buffer.alloc(0);
  let lineNo = 0;
  let first = true;
  try {
    const buffer = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      options.signal?.throwIfAborted();
      const {bytesRead} = await handle.read(buffer, 0, CHUNK, null);
      const eof = bytesRead === 0;
      let data: Buffer;
      if (eof) data = carry;
      else {
        const read = buffer.subarray(0, bytesRead);
        hasher.update(read);
        data = carry.length > 0 ? Buffer.concat([carry, read]) : Buffer.from(read);
      }
      const end = eof ? data.length : data.lastIndexOf(NEWLINE) + 1;
      carry = eof ? Buffer.alloc(0) : data.subarray(end);
      if (end > 0) {
        const batch: Example[] = [];
        lineNo = parseLines(data.subarray(0, end), lineNo, first, shown, decoder, problems, batch);
        first = false;
        if (batch.length > 0) yield batch;
      }
      if (eof) break;
    }
  } finally {
    await handle.close();
  }
  const actual = sha256FromHex(hasher.digest('hex'));
  if (actual !== options.expectedHash) {
    throw new Error(
      `${shown} changed while ft was reading it (${options.expectedHash} -> ${actual}); run the build again`,
    );
  }
}

/** Decodes and parses whole lines; returns the number of the last line seen. */
function parseLines(
  bytes: Buffer,
  lineNo: number,
  atFileStart: boolean,
  shown: string,
  decoder: TextDecoder,
  problems: DataProblems,
  out: Example[],
): number {
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    return parseLinesOneByOne(bytes, lineNo, atFileStart, shown, problems, out);
  }
  if (atFileStart && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let start = 0;
  while (start < text.length) {
    let nl = text.indexOf('\n', start);
    if (nl === -1) nl = text.length;
    lineNo++;
    parseLine(text.slice(start, nl), lineNo, shown, problems, out);
    start = nl + 1;
  }
  return lineNo;
}

/** Slow path, only when a chunk holds invalid UTF-8: find which lines do. */
function parseLinesOneByOne(
  bytes: Buffer,
  lineNo: number,
  atFileStart: boolean,
  shown: string,
  problems: DataProblems,
  out: Example[],
): number {
  const strict = new TextDecoder('utf-8', {fatal: true});
  let start = 0;
  while (start < bytes.length) {
    let nl = bytes.indexOf(NEWLINE, start);
    if (nl === -1) nl = bytes.length;
    lineNo++;
    const lineBytes = bytes.subarray(start, nl);
    let line: string;
    try {
      line = strict.decode(lineBytes);
      if (atFileStart && lineNo === 1 && line.charCodeAt(0) === 0xfeff) line = line.slice(1);
      parseLine(line, lineNo, shown, problems, out);
    } catch {
      const col = firstInvalidUtf8(lineBytes) + 1;
      problems.add({file: shown, line: lineNo}, `invalid UTF-8 at byte ${col} of the line`, col);
    }
    start = nl + 1;
  }
  return lineNo;
}

function parseLine(
  raw: string,
  line: number,
  shown: string,
  problems: DataProblems,
  out: Example[],
): void {
  const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  if (text.trim() === '') return;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const message = (e as Error).message;
    const col = Number(/column (\d+)/.exec(message)?.[1] ?? 1);
    problems.add(
      {file: shown, line},
      `invalid JSON: ${message.replace(/ in JSON at position.*$/, '')}`,
      col,
      text,
    );
    return;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    problems.add({file: shown, line}, 'each line must be a JSON object', 1, text);
    return;
  }
  out.push({record: value as Record<string, unknown>, origin: {file: shown, line}});
}

/** Byte offset of the first invalid UTF-8 sequence in `bytes` (per the Unicode table 3-7). */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const c = bytes[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    let length: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) length = 2;
    else if (c >= 0xe0 && c <= 0xef) {
      length = 3;
      if (c === 0xe0) lo = 0xa0; // overlong
      if (c === 0xed) hi = 0x9f; // surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
      length = 4;
      if (c === 0xf0) lo = 0x90; // overlong
      if (c === 0xf4) hi = 0x8f; // above U+10FFFF
    } else return i;
    for (let k = 1; k < length; k++) {
      const b = bytes[i + k];
      const min = k === 1 ? lo : 0x80;
      const max = k === 1 ? hi : 0xbf;
      if (b === undefined || b < min || b > max) return i;
    }
    i += length;
  }
  return bytes.length;
}
