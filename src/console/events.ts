import type {Diagnostic} from '../core/diagnostic.js';
import type {Why} from '../plan/why.js';
import type {StageChecks} from './stage-details.js';

/** What `ft plan` expects a build to do with a stage. */
export type PlanStatus = 'fresh' | 'cached' | 'run' | 'pending';

/** What a build did with a stage. */
export type StageStatus =
  | 'ran'
  | 'fresh'
  | 'cached'
  | 'failed'
  | 'skipped'
  | 'interrupted'
  | 'detached';

/**
 * Everything a build reports, as typed events (`ft build --json` prints them as NDJSON, one per
 * line, and the TTY and plain reporters render the same stream). The executor never prints.
 */
export type BuildEvent =
  | {
      readonly event: 'stage-start';
      readonly id: string;
      readonly kind: string;
      readonly key: string;
      readonly why: readonly Why[];
      /** A training's checks and estimate, known before it runs (as `ft plan --json`). */
      readonly checks?: StageChecks;
    }
  | {
      readonly event: 'stage-end';
      readonly id: string;
      readonly kind: string;
      readonly key: string | null;
      readonly status: StageStatus;
      readonly why: readonly Why[];
      readonly duration_ms: number;
      readonly outputs?: Readonly<Record<string, string>>;
      /** What the stage reports of its work (the dataset's funnel, ...), as `ft plan --json`. */
      readonly summary?: Readonly<Record<string, unknown>>;
      readonly checks?: StageChecks;
      readonly error?: {readonly reason: string; readonly message: string};
    }
  | {
      readonly event: 'progress';
      readonly id: string;
      readonly message: string;
      readonly done?: number;
      readonly total?: number;
    }
  | DiagnosticEvent
  | {
      /**
       * A gate the build applies after the stages: a regression check against the baseline
       * commit's scores (`ft build --baseline`), or a bound on a latency metric.
       */
      readonly event: 'gate';
      /** Which kind of check; absent: a regression check. */
      readonly check?: 'regression' | 'latency';
      readonly passed: boolean;
      readonly detail: string;
    }
  | {
      /**
       * The build's report, written at its end (src/report/): where its files are, and the
       * compact summary people read (the eval's table, the gates, the trainings).
       */
      readonly event: 'report';
      readonly dir: string;
      readonly files: readonly string[];
      readonly lines: readonly string[];
    }
  | {
      /**
       * A latency metric of one model, measured after the stages from the answer logs: not a
       * property of the result, so in no stage's outputs and not in the lockfile.
       */
      readonly event: 'latency';
      readonly model: string;
      readonly metric: string;
      readonly statistic: 'median' | 'p95';
      /** Milliseconds; null when not available (answers a local trainer gave in one batch). */
      readonly value: number | null;
      readonly scale: 'ms';
      readonly interval: readonly [number, number] | null;
      /** Answers timed. */
      readonly n: number;
      readonly detail: string;
    }
  | {
      readonly event: 'summary';
      readonly ok: boolean;
      readonly exit_code: number;
      readonly stages: readonly {readonly id: string; readonly status: StageStatus}[];
    };

export interface DiagnosticEvent {
  readonly event: 'diagnostic';
  readonly severity: 'error' | 'warning';
  readonly code: string;
  readonly message: string;
  readonly file?: string;
  readonly line?: number;
  readonly col?: number;
  readonly end_col?: number;
  /** The text of the line, so a reader needs no file access to show it. */
  readonly source_line?: string;
  readonly hint?: string;
  /** The stage that found it, for data problems. */
  readonly stage?: string;
}

export function diagnosticEvent(d: Diagnostic, stage?: string): DiagnosticEvent {
  return {
    event: 'diagnostic',
    severity: d.severity,
    code: d.code,
    message: d.message,
    ...(d.location
      ? {
          file: d.location.file,
          line: d.location.line,
          col: d.location.col,
          ...(d.location.endCol !== undefined ? {end_col: d.location.endCol} : {}),
          ...(d.location.sourceLine !== undefined ? {source_line: d.location.sourceLine} : {}),
        }
      : {}),
    ...(d.hint ? {hint: d.hint} : {}),
    ...(stage ? {stage} : {}),
  };
}

/** The inverse of diagnosticEvent, for renderers that receive events. */
export function diagnosticOf(e: DiagnosticEvent): Diagnostic {
  return {
    code: e.code as Diagnostic['code'],
    severity: e.severity,
    message: e.message,
    ...(e.file !== undefined
      ? {
          location: {
            file: e.file,
            line: e.line ?? 1,
            col: e.col ?? 1,
            ...(e.end_col !== undefined ? {endCol: e.end_col} : {}),
            ...(e.source_line !== undefined ? {sourceLine: e.source_line} : {}),
          },
        }
      : {}),
    ...(e.hint !== undefined ? {hint: e.hint} : {}),
  };
}
