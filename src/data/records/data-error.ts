import {type Diagnostic, error} from '../../core/diagnostic.js';
import type {Origin} from './example.js';

/** How many bad records are reported before the rest are only counted. */
export const MAX_REPORTED = 20;

/**
 * Collects problems in the data (not the recipe) with their file and line, so one run reports
 * up to MAX_REPORTED of them instead of stopping at the first. A record from a source with
 * `on_error: skip` is counted as skipped instead (its first locations kept as warnings);
 * anything else is an error that fails the stage.
 *
 * The problems shown are the first in input order (files in the order first met, then lines),
 * whichever step found them and however the input was cut into batches or chunks: one thread and
 * worker threads show the same ones, in the same order.
 */
export class DataProblems {
  readonly #skipping: ReadonlySet<string>;
  readonly #errors: Ranked[] = [];
  readonly #warnings: Ranked[] = [];
  #errorCount = 0;
  #skipCount = 0;
  readonly #skipReasons = new Map<string, number>();
  /** Errors per reason, so that one kind can be withdrawn (see `withdraw`). */
  readonly #errorReasons = new Map<string, number>();
  /** Each file's rank: the order in which its first problem came. */
  readonly #files = new Map<string, number>();

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
    if (skip) {
      this.#skipCount++;
      this.#skipReasons.set(reason, (this.#skipReasons.get(reason) ?? 0) + 1);
    } else {
      this.#errorCount++;
      this.#errorReasons.set(reason, (this.#errorReasons.get(reason) ?? 0) + 1);
    }
    const list = skip ? this.#warnings : this.#errors;
    const rank = this.#rank(origin.file);
    if (!fits(list, rank, origin.line)) return skip;
    const shown = sourceLine === undefined ? undefined : truncate(sourceLine);
    const location = {
      file: origin.file,
      line: origin.line,
      col,
      ...(shown !== undefined ? {sourceLine: shown, endCol: col + 1} : {}),
    };
    const d = error('data', skip ? `skipped: ${message}` : message, location);
    insert(list, {
      rank,
      line: origin.line,
      reason,
      diagnostic: skip ? {...d, severity: 'warning'} : d,
    });
    return skip;
  }

  /**
   * Takes back every error and skipped record of one reason, when one diagnostic about the
   * whole of them says it better (no record has a field: one error at the step, not one per
   * record). The ones that were not kept for showing are taken out of the counts too.
   */
  withdraw(reason: string): void {
    for (const list of [this.#errors, this.#warnings]) {
      for (let i = list.length - 1; i >= 0; i--) if (list[i]!.reason === reason) list.splice(i, 1);
    }
    this.#errorCount -= this.#errorReasons.get(reason) ?? 0;
    this.#errorReasons.delete(reason);
    this.#skipCount -= this.#skipReasons.get(reason) ?? 0;
    this.#skipReasons.delete(reason);
  }

  #rank(file: string): number {
    let rank = this.#files.get(file);
    if (rank === undefined) {
      rank = this.#files.size;
      this.#files.set(file, rank);
    }
    return rank;
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
      errors: this.#errors.map((r) => ({...r.diagnostic, reason: r.reason})),
      warnings: this.#warnings.map((r) => ({...r.diagnostic, reason: r.reason})),
      errorCount: this.#errorCount,
      skipCount: this.#skipCount,
      skipReasons: Object.fromEntries(this.#skipReasons),
      errorReasons: Object.fromEntries(this.#errorReasons),
    };
  }

  /** Adds what another collector found (call in chunk order: files rank as they come). */
  absorb(other: DataProblemsSnapshot): void {
    for (const [from, to] of [
      [other.errors, this.#errors],
      [other.warnings, this.#warnings],
    ] as const) {
      for (const {reason, ...d} of from) {
        const line = d.location?.line ?? 0;
        const rank = this.#rank(d.location?.file ?? '');
        if (fits(to, rank, line)) insert(to, {rank, line, reason, diagnostic: d});
      }
    }
    this.#errorCount += other.errorCount;
    this.#skipCount += other.skipCount;
    for (const [reason, n] of Object.entries(other.skipReasons)) {
      this.#skipReasons.set(reason, (this.#skipReasons.get(reason) ?? 0) + n);
    }
    for (const [reason, n] of Object.entries(other.errorReasons)) {
      this.#errorReasons.set(reason, (this.#errorReasons.get(reason) ?? 0) + n);
    }
  }

  /** `{total, reasons}` of skipped records, for the stage summary. */
  skipped(): {total: number; reasons: Record<string, number>} {
    return {total: this.#skipCount, reasons: Object.fromEntries(this.#skipReasons)};
  }
}

/** A problem kept for showing, with where it stands in the input. */
interface Ranked {
  readonly rank: number;
  readonly line: number;
  readonly reason: string;
  readonly diagnostic: Diagnostic;
}

/** Whether a problem at (rank, line) is among the first MAX_REPORTED of a list. */
function fits(list: readonly Ranked[], rank: number, line: number): boolean {
  if (list.length < MAX_REPORTED) return true;
  const last = list.at(-1)!;
  return rank < last.rank || (rank === last.rank && line < last.line);
}

/** Inserts in input order (after problems at the same place: they came first), keeps the first. */
function insert(list: Ranked[], item: Ranked): void {
  let at = list.length;
  while (
    at > 0 &&
    (list[at - 1]!.rank > item.rank ||
      (list[at - 1]!.rank === item.rank && list[at - 1]!.line > item.line))
  ) {
    at--;
  }
  list.splice(at, 0, item);
  if (list.length > MAX_REPORTED) list.pop();
}

function withRest(
  kept: readonly Ranked[],
  total: number,
  what: string,
  severity: 'error' | 'warning',
): Diagnostic[] {
  const shown = kept.map((r) => r.diagnostic);
  if (total <= shown.length) return shown;
  return [...shown, {...error('data', `${total - shown.length} more ${what} not shown`), severity}];
}

function truncate(line: string): string {
  return line.length > 200 ? `${line.slice(0, 200)}...` : line;
}

export interface DataProblemsSnapshot {
  readonly errors: readonly (Diagnostic & {readonly reason: string})[];
  readonly warnings: readonly (Diagnostic & {readonly reason: string})[];
  readonly errorCount: number;
  readonly skipCount: number;
  readonly skipReasons: Readonly<Record<string, number>>;
  readonly errorReasons: Readonly<Record<string, number>>;
}
