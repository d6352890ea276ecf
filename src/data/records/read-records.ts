import type {RecordFormat} from '../../recipe/normalized.js';
import {readBytes, type SourceBytes} from './byte-source.js';
import type {DataProblems} from './data-error.js';
import type {Example} from './example.js';
import {parseCsv} from './parse-csv.js';
import {parseJson} from './parse-json.js';
import {parseJsonl} from './parse-jsonl.js';

export interface RecordFile extends SourceBytes {
  readonly format: RecordFormat;
  readonly delimiter: string;
  /** The source it belongs to (its on_error applies). */
  readonly source: string;
  readonly lineOf?: (line: number) => number;
}

/** The records of one file, in batches, parsed by its format. */
export function readRecords(
  file: RecordFile,
  problems: DataProblems,
  signal?: AbortSignal,
): AsyncGenerator<Example[]> {
  const chunks = readBytes(file, signal);
  const where = {
    file: file.shown,
    source: file.source,
    ...(file.lineOf ? {lineOf: file.lineOf} : {}),
  };
  switch (file.format) {
    case 'jsonl':
      return parseJsonl(chunks, where, problems);
    case 'json':
      return parseJson(chunks, where, problems);
    case 'csv':
      return parseCsv(chunks, where, problems, file.delimiter, () => readBytes(file, signal));
  }
}
