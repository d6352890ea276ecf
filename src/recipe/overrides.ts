import {parse as parseYaml} from 'yaml';
import {type Diagnostic, error} from '../core/diagnostic.js';
import {formatPath, type PathSegment, parsePath} from '../core/path-syntax.js';
import type {Result} from '../core/result.js';
import {fail, ok} from '../core/result.js';
import type {Override} from './recipe-text.js';

/**
 * Parses `--set <path>=<value>` arguments. The value is YAML, so `--set seed=3` is a number and
 * `--set name='"3"'` a string, exactly as if it were written in the file.
 */
export function parseOverrides(args: readonly string[]): Result<Override[], Diagnostic[]> {
  const overrides: Override[] = [];
  const problems: Diagnostic[] = [];
  for (const argument of args) {
    const eq = splitAt(argument);
    const where = {
      file: '--set',
      line: 1,
      col: 1,
      endCol: argument.length + 1,
      sourceLine: argument,
    };
    if (eq === -1) {
      problems.push(error('bad-override', `--set needs <path>=<value>, got '${argument}'`, where));
      continue;
    }
    const path = parsePath(argument.slice(0, eq));
    if (!path) {
      problems.push(
        error(
          'bad-override',
          `'${argument.slice(0, eq)}' is not a recipe path (write e.g. transforms[1].split.validation)`,
          {...where, endCol: eq + 1},
        ),
      );
      continue;
    }
    try {
      overrides.push({path, argument, value: parseYaml(argument.slice(eq + 1))});
    } catch (e) {
      problems.push(
        error('bad-override', `the value is not valid YAML: ${(e as Error).message}`, {
          ...where,
          col: eq + 2,
        }),
      );
    }
  }
  return problems.length > 0 ? fail(problems) : ok(overrides);
}

/** Index of the `=` that ends the path: the first one outside `["..."]`. */
function splitAt(argument: string): number {
  let inString = false;
  for (let i = 0; i < argument.length; i++) {
    const c = argument[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '=') return i;
  }
  return -1;
}

/**
 * Applies overrides to a plain copy of the recipe data. Missing maps on the way are created;
 * list indices must exist, since inserting into a list would silently renumber the rest.
 */
export function applyOverrides(
  data: unknown,
  overrides: readonly Override[],
): Result<unknown, Diagnostic[]> {
  const root: unknown = structuredClone(data);
  const problems: Diagnostic[] = [];
  for (const o of overrides) {
    const problem = setIn(root, o.path, o.value);
    if (problem) {
      problems.push(
        error('bad-override', problem, {
          file: '--set',
          line: 1,
          col: 1,
          endCol: o.argument.indexOf('=') + 1,
          sourceLine: o.argument,
        }),
      );
    }
  }
  return problems.length > 0 ? fail(problems) : ok(root);
}

/** Keys that would reach JavaScript's object machinery instead of the recipe. */
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

function setIn(root: unknown, path: readonly PathSegment[], value: unknown): string | undefined {
  const bad = path.find((s) => typeof s === 'string' && FORBIDDEN.has(s));
  if (bad !== undefined) return `'${String(bad)}' is not a recipe key`;
  let node = root;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i]!;
    const last = i === path.length - 1;
    const here = formatPath(path.slice(0, i)) || 'the recipe';
    if (typeof segment === 'number') {
      if (!Array.isArray(node)) return `${here} is not a list`;
      if (segment >= node.length) return `${here} has ${node.length} items; no index ${segment}`;
      if (last) node[segment] = value;
      else node = node[segment];
    } else {
      if (node === null || typeof node !== 'object' || Array.isArray(node)) {
        return `${here} is not a mapping`;
      }
      const map = node as Record<string, unknown>;
      if (last) map[segment] = value;
      else {
        if (map[segment] === undefined || map[segment] === null) map[segment] = {};
        node = map[segment];
      }
    }
  }
  return undefined;
}
