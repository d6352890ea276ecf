import {canonicalJson} from '../../core/canonical-json.js';
import type {InlineSource} from '../../recipe/normalized.js';

/** Canonical JSONL of inline examples: the bytes stored, and whose hash keys the source. */
export function inlineBytes(source: InlineSource): string {
  return source.examples.map((e) => `${canonicalJson(e)}\n`).join('');
}
