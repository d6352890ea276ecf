import * as util from 'node:util';
import {type Diagnostic, error} from './diagnostic.js';

/**
 * Thrown to abandon a command because the machine, not the input, stops it: a file ft must read
 * or write cannot be (disk full, read-only, no permission): exit 1, like a failed build. Its
 * diagnostics name the path and the error code (ENOSPC, EACCES, ...), so the user can act on
 * them; it is never reported as a bug in ft.
 */
export class EnvironmentError extends Error {
  override readonly name = 'EnvironmentError';
  constructor(
    readonly diagnostics: readonly Diagnostic[],
    options?: {cause?: unknown},
  ) {
    super(diagnostics.map((d) => d.message).join('\n'), options);
  }

  /** `<what> <shown>: <code> (<text>)`, from the error a file operation threw. */
  static of(what: string, shown: string, cause: unknown, hint?: string): EnvironmentError {
    return new EnvironmentError(
      [error('environment', `${what} ${shown}: ${describeSystemError(cause)}`, undefined, hint)],
      {cause},
    );
  }
}

/** An error from the operating system (fs, child processes): it has a code such as ENOSPC. */
export interface SystemError extends Error {
  readonly code: string;
  readonly errno?: number;
  readonly syscall?: string;
  readonly path?: string;
}

export function isSystemError(e: unknown): e is SystemError {
  return e instanceof Error && typeof (e as {code?: unknown}).code === 'string';
}

/**
 * Codes that say what state the machine is in, not what ft did wrong: no space or quota, a
 * read-only or failing disk, permissions, too many open files, and something of the wrong kind
 * where ft needs a file or a folder (`.ft/builds` a file, a lockfile a folder).
 */
const ENVIRONMENT_CODES: ReadonlySet<string> = new Set([
  'ENOSPC',
  'EDQUOT',
  'EFBIG',
  'EROFS',
  'EIO',
  'EACCES',
  'EPERM',
  'EMFILE',
  'ENFILE',
  'ENOMEM',
  'EEXIST',
  'ENOTDIR',
  'EISDIR',
]);

/** Whether `e` comes from the state of the machine (see ENVIRONMENT_CODES). */
export function isEnvironmentError(e: unknown): e is SystemError {
  return isSystemError(e) && ENVIRONMENT_CODES.has(e.code);
}

/** `ENOSPC (no space left on device)`: the code, and what it means when the system says. */
export function describeSystemError(e: unknown): string {
  if (!isSystemError(e)) return e instanceof Error ? e.message : String(e);
  let text: string | undefined;
  try {
    // Looked up, not imported by name: Node added it in 22.12, and a missing named import would
    // stop ft from loading at all on an older Node.
    const lookUp = util.getSystemErrorMessage as ((errno: number) => string) | undefined;
    text = typeof e.errno === 'number' && lookUp ? lookUp(e.errno) : undefined;
  } catch {
    text = undefined; // not an errno the system knows
  }
  return text ? `${e.code} (${text})` : e.code;
}

/**
 * What to print for a failure that comes from the machine (exit 1), not from a bug: an
 * EnvironmentError, or, where no code caught it, an operating-system error such as ENOSPC or
 * EACCES, with its path. Undefined for anything else.
 */
export function environmentDiagnostics(e: unknown): readonly Diagnostic[] | undefined {
  if (e instanceof EnvironmentError) return e.diagnostics;
  if (!isEnvironmentError(e)) return undefined;
  const what = [e.syscall, e.path].filter((x) => x !== undefined).join(' ');
  return [
    error(
      'environment',
      `${what ? `${what}: ` : ''}${describeSystemError(e)}`,
      undefined,
      'ft could not use a file or folder it needs: check the space, permissions and what is at that path',
    ),
  ];
}
