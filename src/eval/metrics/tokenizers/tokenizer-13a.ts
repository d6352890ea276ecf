/**
 * sacreBLEU `Tokenizer13a` (`tokenizers/tokenizer_13a.py`), the default BLEU tokenizer,
 * equivalent to mteval-v13a.pl as used by WMT.
 */

import {tokenizeRegexp} from './tokenizer-regexp.js';

/**
 * Tokenizes one segment exactly like sacreBLEU's `13a` tokenizer: drops `<skipped>`, joins
 * hyphenated line breaks and newlines, unescapes `&quot;`, `&amp;`, `&lt;`, `&gt;` in that order
 * (so `&amp;lt;` becomes `<`, as in sacreBLEU), pads with spaces and applies the regexp rules.
 */
export function tokenize13a(line: string): string {
  let out = line.replaceAll('<skipped>', '').replaceAll('-\n', '').replaceAll('\n', ' ');
  if (out.includes('&')) {
    out = out
      .replaceAll('&quot;', '"')
      .replaceAll('&amp;', '&')
      .replaceAll('&lt;', '<')
      .replaceAll('&gt;', '>');
  }
  return tokenizeRegexp(` ${out} `);
}
