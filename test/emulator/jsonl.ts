/** The JSONL check fine-tune files get, on `POST /files` and on completing an Upload. */
import {invalid} from './errors.js';

export interface UploadedFile {
  readonly filename: string;
  readonly content: Buffer;
}

/**
 * The lines of a file with their 0-based index, decoded one at a time: an Upload can hold up to
 * 8 GB, past the longest string V8 makes (about 512 MB).
 */
export function* linesOf(content: Buffer): Generator<[number, string]> {
  let start = 0;
  for (let i = 0; start <= content.length; i++) {
    let end = content.indexOf(0x0a, start);
    if (end < 0) end = content.length;
    yield [i, content.toString('utf8', start, end)];
    start = end + 1;
  }
}

/** Rejects `fine-tune` uploads that are not JSONL (GUESS: the live wording is not recorded). */
export function checkJsonl(file: UploadedFile): void {
  if (!file.filename.endsWith('.jsonl')) {
    throw invalid(
      `Invalid file format for Fine-Tuning API. Must be .jsonl`,
      'file',
      'invalid_file_format',
    );
  }
  let n = 0;
  for (const [i, line] of linesOf(file.content)) {
    if (line.trim() === '') continue;
    n++;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw invalid(
        `Invalid file format. Line ${i + 1} is not valid JSON.`,
        'file',
        'invalid_file_format',
      );
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw invalid(
        `Invalid file format. Line ${i + 1} is not a JSON object.`,
        'file',
        'invalid_file_format',
      );
    }
  }
  if (n === 0)
    throw invalid('Invalid file format. The file is empty.', 'file', 'invalid_file_format');
}
