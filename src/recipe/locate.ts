import {type Document, isMap, isNode, isScalar, isSeq} from 'yaml';
import type {PathSegment} from '../core/path-syntax.js';

/** A span of the recipe text, [start, end) in UTF-16 offsets. */
export interface TextSpan {
  readonly start: number;
  readonly end: number;
}

/**
 * Maps a path into the recipe to the span of its YAML node. Walks up to the nearest ancestor
 * that exists, so "missing key" errors land on the parent. With `key`, points at that key of
 * the map at `path` (for unknown keys, where the key itself is the mistake).
 */
export function locate(
  doc: Document,
  text: string,
  path: readonly PathSegment[],
  key?: string,
): TextSpan {
  for (let i = path.length; i >= 0; i--) {
    const node = doc.getIn(path.slice(0, i), true);
    if (key !== undefined && i === path.length && isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
      if (pair && isNode(pair.key) && pair.key.range) {
        return {start: pair.key.range[0], end: pair.key.range[1]};
      }
    }
    if (isNode(node) && node.range) {
      // A collection's value span covers all its lines; point at its first line only.
      if (isMap(node) || isSeq(node)) return firstLine(text, node.range[0], node.range[1]);
      return {start: node.range[0], end: node.range[1]};
    }
  }
  return {start: 0, end: 0};
}

/**
 * The span of the key that introduces `path` (e.g. `split:` for `transforms[1].split`), which
 * reads better than the first line of a block map for errors about a whole mapping.
 */
export function locateKey(doc: Document, path: readonly PathSegment[]): TextSpan | undefined {
  const last = path.at(-1);
  if (typeof last !== 'string') return undefined;
  const parent = doc.getIn(path.slice(0, -1), true);
  if (!isMap(parent)) return undefined;
  const pair = parent.items.find((p) => isScalar(p.key) && String(p.key.value) === last);
  if (pair && isNode(pair.key) && pair.key.range) {
    return {start: pair.key.range[0], end: pair.key.range[1]};
  }
  return undefined;
}

function firstLine(text: string, start: number, end: number): TextSpan {
  const lineEnd = text.indexOf('\n', start);
  return {start, end: lineEnd === -1 ? end : Math.min(end, lineEnd)};
}
