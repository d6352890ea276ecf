import type {Sha256} from '../../core/hash.js';
import type {RecordFormat} from '../../recipe/normalized.js';
import {readBytes} from './byte-source.js';
import type {DataProblems} from './data-error.js';
import type {Example} from './example.js';
import {parseCsv} from './parse-csv.js';
import {parseJson} from './parse-json.js';
import {parseJsonl} from './parse-jsonl.js';

export interface RecordFile {
  /** Absolute path of the bytes (in the project, or an object in the store). */
  readonly path: string;
  /** As shown in messages. */
  readonly shown: string;
  readonly sha256: Sha256;
  readonly format: RecordFormat;
  readonly gzip: boolean;
  readonly delimiter: string;
  /** The source it belongs to (its on_error applies). */
  readonly source: string;
  readonly lineOf?: (line: number) => number;
  /** See ByteSourceOptions: skip re-hashing what the stat cache vouches for, or the store holds. */
  readonly vouchedStat?: string;
  readonly trusted?: boolean;
}

/** The records of one file, in batches, parsed by its format. */
export function readRecords(
  file: RecordFile,
  problems: DataProblems,
  signal?: AbortSignal,
): AsyncGenerator<Example[]> {
  const chunks = readBytes({
    path: file.path,
    shown: file.shown,
    gzip: file.gzip,
    expectedHash: file.sha256,
    ...(file.vouchedStat !== undefined ? {vouchedStat: file.vouchedStat} : {}),
    ...(file.trusted ? {trusted: true} : {}),
    ...(signal ? {signal} : {}),
  });
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
      return parseCsv(chunks, where, problems, file.delimiter);
  }
}
