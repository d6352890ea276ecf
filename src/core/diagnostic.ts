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

/**
 * Builds a location for the span [start, end) of `text`. The line is found by binary search in
 * the text's line starts, computed once per text: a recipe with 200,000 inline examples asks for
 * 200,000 locations in the same text, and counting lines from the top each time was quadratic.
 */
export function locationInText(
  file: string,
  text: string,
  start: number,
  end: number,
): SourceLocation {
  const starts = lineStartsOf(text);
  const line = lineAt(starts, start);
  const lineStart = starts[line - 1]!;
  let lineEnd = text.indexOf('\n', lineStart);
  if (lineEnd === -1) lineEnd = text.length;
  const sourceLine = text.slice(lineStart, lineEnd).replace(/\r$/, '');
  const col = start - lineStart + 1;
  const endCol = Math.max(col + 1, Math.min(end, lineEnd) - lineStart + 1);
  return {file, line, col, endCol, sourceLine};
}

/**
 * The offsets where the lines of the last text asked about start. One text at a time: the
 * callers locate many spans in one recipe, and comparing a string with itself is a pointer check.
 */
let lastText: string | undefined;
let lastStarts: number[] = [];

function lineStartsOf(text: string): readonly number[] {
  if (text !== lastText) {
    const starts = [0];
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    lastText = text;
    lastStarts = starts;
  }
  return lastStarts;
}

/** The 1-based line holding `offset`: the last line start at or before it. */
function lineAt(starts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
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
