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
 * `at: 'key'`). What came from `--set` is reported against the argument, not the file: a value
 * it set (at the value), and a key or mapping that is not in the file, which it added (at the
 * path: `--set nope=1` is an unknown key of the argument, not of the file's first line).
 */
export function diagnosticAt(
  source: RecipeText,
  code: DiagnosticCode,
  path: readonly PathSegment[],
  message: string,
  options: {key?: string; at?: 'key'; hint?: string} = {},
): Diagnostic {
  const blamed = overrideBlamed(source, path, options.key);
  if (blamed) {
    const {override, part} = blamed;
    const eq = override.argument.indexOf('=');
    return error(
      code,
      message,
      {
        file: '--set',
        line: 1,
        col: part === 'value' ? eq + 2 : 1,
        endCol: part === 'value' ? override.argument.length + 1 : eq + 1,
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

/**
 * The `--set` a problem at `path` (at its key `key`) is blamed on, and which part of it: the last
 * one that set the node or a mapping around it (its value is at fault, unless the problem is the
 * key its path names), else, when the file has no such node, the last one that made it on the
 * way to its own path (its path is).
 */
function overrideBlamed(
  source: RecipeText,
  path: readonly PathSegment[],
  key: string | undefined,
): {override: Override; part: 'value' | 'path'} | undefined {
  const node = key === undefined ? path : [...path, key];
  const set = source.overrides.findLast((o) => startsWith(node, o.path));
  if (set) {
    return {
      override: set,
      part: key !== undefined && set.path.length === node.length ? 'path' : 'value',
    };
  }
  if (source.doc.hasIn(node)) return undefined;
  const made = source.overrides.findLast((o) => startsWith(o.path, node));
  return made ? {override: made, part: 'path'} : undefined;
}

function startsWith(path: readonly PathSegment[], prefix: readonly PathSegment[]): boolean {
  return prefix.length <= path.length && prefix.every((s, i) => path[i] === s);
}
