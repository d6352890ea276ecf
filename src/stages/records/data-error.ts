import {type Diagnostic, error} from '../../core/diagnostic.js';
import type {Origin} from './example.js';

/** How many bad records are reported before the rest are only counted. */
export const MAX_REPORTED = 20;

/**
 * Collects problems in the data (not the recipe) with their file and line, so that one run
 * reports up to MAX_REPORTED of them instead of stopping at the first.
 */
export class DataProblems {
  readonly diagnostics: Diagnostic[] = [];
  count = 0;

  add(origin: Origin, message: string, col = 1, sourceLine?: string): void {
    this.count++;
    if (this.diagnostics.length >= MAX_REPORTED) return;
    const shown = sourceLine === undefined ? undefined : truncate(sourceLine);
    this.diagnostics.push(
      error('data', message, {
        file: origin.file,
        line: origin.line,
        col,
        ...(shown !== undefined ? {sourceLine: shown, endCol: col + 1} : {}),
      }),
    );
  }

  /** All diagnostics, plus a closing count when some were not shown. */
  all(): Diagnostic[] {
    if (this.count <= this.diagnostics.length) return this.diagnostics;
    return [
      ...this.diagnostics,
      error('data', `${this.count - this.diagnostics.length} more bad records not shown`),
    ];
  }
}

function truncate(line: string): string {
  return line.length > 200 ? `${line.slice(0, 200)}...` : line;
}
