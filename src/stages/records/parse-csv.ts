import {TextDecoder} from 'node:util';
import {parse} from 'csv-parse';
import type {DataProblems} from './data-error.js';
import type {Example} from './example.js';
import {originOf, type RecordOrigin} from './parse-jsonl.js';

/**
 * Parses CSV with a header row (csv-parse, RFC 4180 quoting): each further row becomes an
 * object from header names to string values. A row with another number of fields than the
 * header is a bad record at its line. Invalid UTF-8 stops the file with its line.
 */
export async function* parseCsv(
  chunks: AsyncIterable<Buffer>,
  where: RecordOrigin,
  problems: DataProblems,
  delimiter: string,
): AsyncGenerator<Example[]> {
  const parser = parse({
    delimiter,
    bom: true,
    relax_column_count: true,
    skip_empty_lines: true,
    info: true,
  });
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
        if (!parser.write(text)) await new Promise((resolve) => parser.once('drain', resolve));
      }
      parser.end();
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
    const err = e as Error & {lines?: number};
    problems.add(
      originOf(where, err.lines ?? lineOfChunk),
      `invalid CSV: ${err.message}`,
      1,
      undefined,
      'invalid CSV',
    );
  }
  await feed;
  if (batch.length > 0) yield batch;
}
