/**
 * sacreBLEU `TokenizerRegexp` (`tokenizers/tokenizer_re.py`): the language-dependent part of
 * mteval-v13a, shared by the `13a` and `zh` tokenizers.
 */

import {pySplit, pyStrip} from '../python-text.js';

const RULES: ReadonlyArray<readonly [RegExp, string]> = [
  // language-dependent part (assuming Western languages): {-~ [-` space-& (-+ :-@ /
  [/([{-~[-`\u0020-&(-+:-@/])/gu, ' $1 '],
  // tokenize period and comma unless preceded by a digit
  [/([^0-9])([.,])/gu, '$1 $2 '],
  // tokenize period and comma unless followed by a digit
  [/([.,])([^0-9])/gu, ' $1 $2'],
  // tokenize dash when preceded by a digit
  [/([0-9])(-)/gu, '$1 $2 '],
];

/** Applies the mteval-v13a punctuation rules, then collapses whitespace (`' '.join(line.strip().split())`). */
export function tokenizeRegexp(line: string): string {
  let out = line;
  for (const [pattern, replacement] of RULES) {
    out = out.replace(pattern, replacement);
  }
  return pySplit(pyStrip(out)).join(' ');
}
