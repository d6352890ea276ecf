import {TextDecoder} from 'node:util';
import type {DataProblems} from './data-error.js';
import type {Example} from './example.js';
import {explainJsonError} from './json-syntax-error.js';
import {originOf, type RecordOrigin} from './parse-jsonl.js';
import {firstInvalidUtf8} from './utf8.js';
import {describeLimit, maxTextBytes} from './whole-lines.js';

const BATCH = 4096;

/**
 * Parses a JSON file holding an array of records. JSON has no streaming form that keeps
 * positions cheaply, so the file is read whole (use JSONL for large data); each element's line
 * is found by a scan of the text, so messages still name the line a bad record starts on. A file
 * longer than `maxBytes` (the longest string there can be) is a problem at its line 1, found
 * as soon as that many bytes are read.
 */
export async function* parseJson(
  chunks: AsyncIterable<Buffer>,
  where: RecordOrigin,
  problems: DataProblems,
  maxBytes = maxTextBytes(),
): AsyncGenerator<Example[]> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of chunks) {
    size += chunk.length;
    if (size > maxBytes) {
      problems.add(
        originOf(where, 1),
        `the file is larger than ${describeLimit(maxBytes)}, and a .json source is read as one string; write it as JSONL (one record per line), which ft reads line by line`,
        1,
        undefined,
        'file too long',
      );
      return; // the rest is not read
    }
    parts.push(chunk);
  }
  const bytes = Buffer.concat(parts, size);
  let text: string;
  try {
    text = new TextDecoder('utf-8', {fatal: true}).decode(bytes);
  } catch {
    const offset = firstInvalidUtf8(bytes);
    const before = bytes.subarray(0, offset);
    const line = countNewlines(before, before.length) + 1;
    const col = offset - (before.lastIndexOf(0x0a) + 1) + 1;
    problems.add(originOf(where, line), 'invalid UTF-8', col, undefined, 'invalid UTF-8');
    return;
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const {message, offset} = explainJsonError(e, text);
    const lineStart = offset === 0 ? 0 : text.lastIndexOf('\n', offset - 1) + 1;
    problems.add(
      originOf(where, countNewlines(text, offset) + 1),
      `invalid JSON: ${message}`,
      offset - lineStart + 1,
      undefined,
      'invalid JSON',
    );
    return;
  }
  if (!Array.isArray(value)) {
    problems.add(
      originOf(where, 1),
      'a .json source must hold an array of records',
      1,
      undefined,
      'not an array',
    );
    return;
  }
  const lines = elementLines(text, value.length);
  let batch: Example[] = [];
  value.forEach((element: unknown, i) => {
    const origin = originOf(where, lines[i] ?? 1);
    if (element === null || typeof element !== 'object' || Array.isArray(element)) {
      problems.add(origin, 'each element must be a JSON object', 1, undefined, 'not an object');
      return;
    }
    batch.push({record: element as Record<string, unknown>, origin, id: ''}); // id: SourceIdentity
  });
  // One batch per BATCH records keeps downstream steps' batches a familiar size.
  while (batch.length > 0) {
    yield batch.slice(0, BATCH);
    batch = batch.slice(BATCH);
  }
}

/** The line on which each top-level array element starts (a scan that skips strings). */
function elementLines(text: string, count: number): number[] {
  const lines: number[] = [];
  let line = 1;
  let depth = 0;
  let inString = false;
  let expectElement = false;
  for (let i = 0; i < text.length && lines.length < count; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) line++;
    if (inString) {
      if (c === 92)
        i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
      continue;
    }
    if (c === 32 || c === 9 || c === 10 || c === 13) continue;
    if (depth === 1 && expectElement) {
      lines.push(line);
      expectElement = false;
    }
    if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      depth++;
      if (depth === 1) expectElement = true;
    } else if (c === 93 || c === 125) depth--;
    else if (c === 44 && depth === 1) expectElement = true;
  }
  return lines;
}

/** Line feeds in bytes or text before `end`. */
function countNewlines(data: Uint8Array | string, end: number): number {
  let n = 0;
  if (typeof data === 'string') {
    for (let i = data.indexOf('\n'); i !== -1 && i < end; i = data.indexOf('\n', i + 1)) n++;
  } else for (let i = 0; i < end; i++) if (data[i] === 0x0a) n++;
  return n;
}
