import type {Sha256} from '../../core/hash.js';
import type {NormalizedSource, RecordFormat} from '../../recipe/normalized.js';

/** One file of a source, as the dataset stage will read it. */
export interface SourceFile {
  /** Relative to the recipe for local files; the URL (without credentials) or `<inline>` else. */
  readonly path: string;
  readonly sha256: Sha256;
  readonly size: number;
  readonly format: RecordFormat;
  readonly gzip: boolean;
  readonly delimiter: string;
  /** The bytes are an object in the store (fetched or inline), not a file of the project. */
  readonly stored: boolean;
}

/** What a source stage stores: the files the dataset stage will read and must find unchanged. */
export interface SourceManifest {
  readonly name: string;
  readonly on_error: 'fail' | 'skip';
  readonly files: readonly SourceFile[];
}

/** The CSV delimiter of a source's file: the recipe's, else a tab for .tsv, else a comma. */
export function delimiterFor(source: NormalizedSource, name: string): string {
  return (
    source.delimiter ?? (name.toLowerCase().replace(/\.gz$/, '').endsWith('.tsv') ? '\t' : ',')
  );
}
