import {type Diagnostic, error} from '../../core/diagnostic.js';
import type {Origin} from './example.js';

/** How many bad records are reported before the rest are only counted. */
export const MAX_REPORTED = 20;

/**
 * Collects problems in the data (not the recipe) with their file and line, so one run reports
 * up to MAX_REPORTED of them instead of stopping at the first. A record from a source with
 * `on_error: skip` is counted as skipped instead (its first locations kept as warnings);
 * anything else is an error that fails the stage.
 */
export class DataProblems {
  readonly #skipping: ReadonlySet<string>;
  readonly #errors: Diagnostic[] = [];
  readonly #warnings: Diagnostic[] = [];
  #errorCount = 0;
  #skipCount = 0;
  readonly #skipReasons = new Map<string, number>();

  /** @param skipping names of the sources whose bad records are skipped */
  constructor(skipping: Iterable<string> = []) {
    this.#skipping = new Set(skipping);
  }

  /**
   * Records a problem. Returns true when the record is to be skipped (the caller leaves it
   * out), false when it is an error (the stage will fail; the caller may still leave it out).
   */
  add(
    origin: Origin,
    message: string,
    col = 1,
    sourceLine?: string,
    reason = 'bad record',
  ): boolean {
    const skip = origin.source !== undefined && this.#skipping.has(origin.source);
    const list = skip ? this.#warnings : this.#errors;
    if (skip) {
      this.#skipCount++;
      this.#skipReasons.set(reason, (this.#skipReasons.get(reason) ?? 0) + 1);
    } else this.#errorCount++;
    if (list.length < MAX_REPORTED) {
      const shown = sourceLine === undefined ? undefined : truncate(sourceLine);
      const location = {
        file: origin.file,
        line: origin.line,
        col,
        ...(shown !== undefined ? {sourceLine: shown, endCol: col + 1} : {}),
      };
      const d = error('data', skip ? `skipped: ${message}` : message, location);
      list.push(skip ? {...d, severity: 'warning'} : d);
    }
    return skip;
  }

  get count(): number {
    return this.#errorCount;
  }

  /** Errors, plus a closing count when some were not shown. */
  errors(): Diagnostic[] {
    return withRest(this.#errors, this.#errorCount, 'bad records', 'error');
  }

  /** Warnings about skipped records, plus a closing count. */
  warnings(): Diagnostic[] {
    return withRest(this.#warnings, this.#skipCount, 'skipped records', 'warning');
  }

  /** What was collected, as plain data (a worker thread sends it to the main thread). */
  snapshot(): DataProblemsSnapshot {
    return {
      errors: this.#errors,
      warnings: this.#warnings,
      errorCount: this.#errorCount,
      skipCount: this.#skipCount,
      skipReasons: Object.fromEntries(this.#skipReasons),
    };
  }

  /** Adds what another collector found (in input order: call in chunk order). */
  absorb(other: DataProblemsSnapshot): void {
    for (const d of other.errors) if (this.#errors.length < MAX_REPORTED) this.#errors.push(d);
    for (const d of other.warnings)
      if (this.#warnings.length < MAX_REPORTED) this.#warnings.push(d);
    this.#errorCount += other.errorCount;
    this.#skipCount += other.skipCount;
    for (const [reason, n] of Object.entries(other.skipReasons)) {
      this.#skipReasons.set(reason, (this.#skipReasons.get(reason) ?? 0) + n);
    }
  }

  /** `{total, reasons}` of skipped records, for the stage summary. */
  skipped(): {total: number; reasons: Record<string, number>} {
    return {total: this.#skipCount, reasons: Object.fromEntries(this.#skipReasons)};
  }
}

function withRest(
  shown: Diagnostic[],
  total: number,
  what: string,
  severity: 'error' | 'warning',
): Diagnostic[] {
  if (total <= shown.length) return shown;
  return [...shown, {...error('data', `${total - shown.length} more ${what} not shown`), severity}];
}

function truncate(line: string): string {
  return line.length > 200 ? `${line.slice(0, 200)}...` : line;
}

export interface DataProblemsSnapshot {
  readonly errors: readonly Diagnostic[];
  readonly warnings: readonly Diagnostic[];
  readonly errorCount: number;
  readonly skipCount: number;
  readonly skipReasons: Readonly<Record<string, number>>;
}
