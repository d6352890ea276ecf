/** sacreBLEU `TokenizerChar` (`tokenizers/tokenizer_char.py`). */

import {codePoints} from '../python-text.js';

/** Separates every character (code point) with a space, as sacreBLEU's `char` tokenizer. */
export function tokenizeChar(line: string): string {
  return codePoints(line).join(' ');
}
