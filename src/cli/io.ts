import {isAbsolute, relative} from 'node:path';
import {formatDiagnostic} from '../console/diagnostic-printer.js';
import type {Diagnostic} from '../core/diagnostic.js';

/** Where a command writes, and how: the only place ft decides about terminals and color. */
export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** stdout is a terminal and CI is not set: live progress is welcome. */
  readonly interactive: boolean;
  /** ANSI color on stderr (a terminal, and NO_COLOR unset). */
  readonly color: boolean;
  readonly cwd: string;
  /** Aborted on SIGINT / SIGTERM. */
  readonly signal: AbortSignal;
}

export function processIo(signal: AbortSignal): Io {
  const ci = Boolean(process.env.CI) && process.env.CI !== 'false';
  const noColor = process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '';
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    interactive: Boolean(process.stdout.isTTY) && !ci,
    color: Boolean(process.stderr.isTTY) && !noColor,
    cwd: process.cwd(),
    signal,
  };
}

export function printDiagnostics(io: Io, diagnostics: readonly Diagnostic[]): void {
  for (const d of diagnostics) io.err(`${formatDiagnostic(d, {color: io.color})}\n`);
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  if (errors > 1) io.err(`${errors} errors\n`);
}

/** A path as people read it: relative to where ft runs, unless it lies outside. */
export function shownPath(io: Io, path: string): string {
  const rel = relative(io.cwd, path);
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}
