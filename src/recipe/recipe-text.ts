import type {Document} from 'yaml';
import {type Diagnostic, type DiagnosticCode, error, locationInText} from '../core/diagnostic.js';
import type {PathSegment} from '../core/path-syntax.js';
import {locate, locateKey} from './locate.js';

/** A `--set <path>=<value>` given on the command line. */
export interface Override {
  readonly path: readonly PathSegment[];
  /** The argument as typed, shown under diagnostics about the value it sets. */
  readonly argument: string;
  /** The value as parsed from YAML. */
  readonly value: unknown;
}

/**
 * The parsed recipe text with everything needed to point a diagnostic at a node: the file as
 * the user named it, its text, the YAML document, and the overrides applied on top.
 */
export interface RecipeText {
  readonly file: string;
  readonly text: string;
  readonly doc: Document.Parsed;
  readonly overrides: readonly Override[];
}

/**
 * A diagnostic at the node for `path` (or at its key `key`, or at the key that introduces it with
 * `at: 'key'`). Values that came from `--set` are reported against the argument, not the file.
 */
export function diagnosticAt(
  source: RecipeText,
  code: DiagnosticCode,
  path: readonly PathSegment[],
  message: string,
  options: {key?: string; at?: 'key'; hint?: string} = {},
): Diagnostic {
  const override = source.overrides.findLast((o) => startsWith(path, o.path));
  if (override) {
    const col = override.argument.indexOf('=') + 2;
    return error(
      code,
      message,
      {
        file: '--set',
        line: 1,
        col,
        endCol: override.argument.length + 1,
        sourceLine: override.argument,
      },
      options.hint,
    );
  }
  const span =
    (options.at === 'key' ? locateKey(source.doc, path) : undefined) ??
    locate(source.doc, source.text, path, options.key);
  return error(
    code,
    message,
    locationInText(source.file, source.text, span.start, span.end),
    options.hint,
  );
}

function startsWith(path: readonly PathSegment[], prefix: readonly PathSegment[]): boolean {
  return prefix.length <= path.length && prefix.every((s, i) => path[i] === s);
}
