/**
 * sacreBLEU `TokenizerV14International` (`tokenizers/tokenizer_intl.py`), after mteval-v14.pl's
 * international tokenization. sacreBLEU uses the Python `regex` module's `\p{P}` (punctuation),
 * `\P{N}` (not a number) and `\p{S}` (symbol) Unicode classes; JavaScript's `u`-flag property
 * escapes are the same Unicode general categories.
 */

import {pySplit} from '../python-text.js';

const RULES: ReadonlyArray<readonly [RegExp, string]> = [
  // Separate out punctuations preceded by a non-digit
  [/(\P{N})(\p{P})/gu, '$1 $2 '],
  // Separate out punctuations followed by a non-digit
  [/(\p{P})(\P{N})/gu, ' $1 $2'],
  // Separate out symbols
  [/(\p{S})/gu, ' $1 '],
];

/** Tokenizes one segment exactly like sacreBLEU's `intl` tokenizer. */
export function tokenizeIntl(line: string): string {
  let out = line;
  for (const [pattern, replacement] of RULES) {
    out = out.replace(pattern, replacement);
  }
  return pySplit(out).join(' ');
}
