import {pipeline} from 'node:stream/promises';
import {TextDecoder} from 'node:util';
import {type Options, parse} from 'csv-parse';
import type {DataProblems} from './data-error.js';
import type {Example} from './example.js';
import {originOf, type RecordOrigin} from './parse-jsonl.js';

/** csv-parse's error: the line it stopped on and, with `raw`, the record's text up to there. */
type CsvError = Error & {code?: string; lines?: number; raw?: string};

/**
 * Parses CSV with a header row (csv-parse, RFC 4180 quoting): each further row becomes an
 * object from header names to string values. A row with another number of fields than the
 * header is a bad record at its line. Invalid UTF-8 stops the file with its line, invalid CSV
 * with its line and, for a misplaced quote, its column (found by `reread`, which reads the same
 * bytes again, when given).
 */
export async function* parseCsv(
  chunks: AsyncIterable<Buffer>,
  where: RecordOrigin,
  problems: DataProblems,
  delimiter: string,
  reread?: () => AsyncIterable<Buffer>,
): AsyncGenerator<Example[]> {
  const options: Options = {
    delimiter,
    bom: true,
    relax_column_count: true,
    skip_empty_lines: true,
    info: true,
  };
  const parser = parse(options);
  const decoder = new TextDecoder('utf-8', {fatal: true});
  let lineOfChunk = 1;
  const feed = (async () => {
    try {
      for await (const chunk of chunks) {
        let text: string;
        try {
          text = decoder.decode(chunk, {stream: true});
        } catch {
          problems.add(
            originOf(where, lineOfChunk),
            'invalid UTF-8 in this part of the file',
            1,
            undefined,
            'invalid UTF-8',
          );
          break;
        }
        for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lineOfChunk++;
        // A parse error destroys the parser, and then no 'drain' ever comes.
        if (!parser.write(text) && !parser.destroyed) await drainedOrClosed(parser);
        if (parser.destroyed) break;
      }
      if (!parser.destroyed) parser.end();
    } catch (e) {
      parser.destroy(e as Error);
    }
  })();
  let header: string[] | undefined;
  let batch: Example[] = [];
  try {
    for await (const row of parser as AsyncIterable<{record: string[]; info: {lines: number}}>) {
      const line = row.info.lines;
      if (!header) {
        header = row.record;
        continue;
      }
      const origin = originOf(where, line);
      if (row.record.length !== header.length) {
        problems.add(
          origin,
          `this row has ${row.record.length} fields; the header has ${header.length}`,
          1,
          undefined,
          'wrong field count',
        );
        continue;
      }
      const record: Record<string, unknown> = {};
      header.forEach((name, i) => {
        record[name] = row.record[i];
      });
      batch.push({record, origin, id: ''}); // id: SourceIdentity, by the reader's caller
      if (batch.length === 4096) {
        yield batch;
        batch = [];
      }
    }
  } catch (e) {
    const err = e as CsvError;
    problems.add(
      originOf(where, err.lines ?? lineOfChunk),
      `invalid CSV: ${err.message}`,
      reread ? await csvErrorColumn(reread(), options, err) : 1,
      undefined,
      'invalid CSV',
    );
  }
  await feed;
  if (batch.length > 0) yield batch;
}

/** Resolves when `stream` can take more writes, or is closed (destroyed by an error). */
function drainedOrClosed(stream: NodeJS.EventEmitter): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}

/**
 * The column (1-based, UTF-16 units) of csv-parse's error `failed` on the line it names, for the
 * errors at one character (a quote where none may be); 1 for the others, or when the bytes read
 * again do not fail the same way. csv-parse gives no column; parsing again with `raw` gives the
 * failing record's text up to that character. `raw` slows every record, so it is used only here,
 * once the file has failed.
 */
async function csvErrorColumn(
  chunks: AsyncIterable<Buffer>,
  options: Options,
  failed: CsvError,
): Promise<number> {
  // The closing quote's error stops before the character after the quote, the opening quote's
  // after the quote itself.
  const past = {CSV_INVALID_CLOSING_QUOTE: 1, INVALID_OPENING_QUOTE: 0}[failed.code ?? ''];
  if (past === undefined) return 1;
  const decoder = new TextDecoder('utf-8');
  try {
    await pipeline(
      async function* () {
        for await (const chunk of chunks) yield decoder.decode(chunk, {stream: true});
      },
      parse({...options, raw: true}),
      async (records: AsyncIterable<unknown>) => {
        for await (const _ of records);
      },
    );
  } catch (e) {
    const again = e as CsvError;
    if (again.code !== failed.code || again.lines !== failed.lines || again.raw === undefined) {
      return 1;
    }
    const lineStart = Math.max(again.raw.lastIndexOf('\n'), again.raw.lastIndexOf('\r')) + 1;
    return again.raw.length - lineStart + past;
  }
  return 1;
}
