/**
 * What the user did wrong, where. Recipe errors, bad data lines and usage errors all become
 * Diagnostics, are all reported in one run, and are printed by report/diagnostic-printer.ts as
 * `<file>:<line>:<col>: error: <message>` with the source line and carets under it.
 */
export interface Diagnostic {
  /** Stable kebab-case identifier, for tests and for people searching the docs. */
  readonly code: DiagnosticCode;
  readonly severity: 'error' | 'warning';
  readonly message: string;
  readonly location?: SourceLocation;
  /** A suggestion such as "did you mean 'template'?". */
  readonly hint?: string;
}

export type DiagnosticCode =
  | 'yaml-syntax'
  | 'duplicate-key'
  | 'schema'
  | 'unknown-key'
  | 'recipe-rule'
  | 'missing-file'
  /** The machine stops ft (no space, no permission): exit 1, see environment-error.ts. */
  | 'environment'
  | 'bad-override'
  /** Recipe code (js, command, a URL fetch) that --no-exec / FT_NO_EXEC refuses. */
  | 'no-exec'
  | 'data'
  | 'usage'
  /** Damage found in a cache (removed, and remade or restored), a cache that disagrees. */
  | 'store'
  | 'internal';

/** A position in a text file, 1-based, columns in UTF-16 code units (as editors count them). */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  /** Last column (exclusive) of the span on `line`, for the carets. */
  readonly endCol?: number;
  /** The text of `line`, so a printer needs no file access. */
  readonly sourceLine?: string;
}

/** Builds a location for the span [start, end) of `text`. */
export function locationInText(
  file: string,
  text: string,
  start: number,
  end: number,
): SourceLocation {
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < lineStart; i = text.indexOf('\n', i + 1)) line++;
  let lineEnd = text.indexOf('\n', lineStart);
  if (lineEnd === -1) lineEnd = text.length;
  const sourceLine = text.slice(lineStart, lineEnd).replace(/\r$/, '');
  const col = start - lineStart + 1;
  const endCol = Math.max(col + 1, Math.min(end, lineEnd) - lineStart + 1);
  return {file, line, col, endCol, sourceLine};
}

export function error(
  code: DiagnosticCode,
  message: string,
  location?: SourceLocation,
  hint?: string,
): Diagnostic {
  return {
    code,
    severity: 'error',
    message,
    ...(location ? {location} : {}),
    ...(hint ? {hint} : {}),
  };
}

/**
 * Thrown to abandon a command because of the user's input (recipe, data, arguments): exit 2.
 * Carries every diagnostic found, never just the first.
 */
export class UserError extends Error {
  override readonly name = 'UserError';
  constructor(readonly diagnostics: readonly Diagnostic[]) {
    super(diagnostics.map((d) => d.message).join('\n'));
  }
}
