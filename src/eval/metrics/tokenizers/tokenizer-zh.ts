/**
 * sacreBLEU `TokenizerZh` (`tokenizers/tokenizer_zh.py`, by Shujian Huang): splits every
 * "Chinese character" into its own token, then applies the 13a regexp rules (without 13a's
 * unescaping and padding) to the rest.
 */

import {pyStrip} from '../python-text.js';
import {tokenizeRegexp} from './tokenizer-regexp.js';

/**
 * Inclusive code point ranges equivalent to sacreBLEU's `_UCODE_RANGES` under Python string
 * comparison (`start <= uchar <= end`).
 *
 * Two upstream entries are written as `'\u20000'` / `'\u2a6d6'` and `'\u2f800'` / `'\u2fa1d'`.
 * In Python those literals are two-character strings (`'\u2000' + '0'`, ...), so for a single
 * character `c` the test reduces to `'\u2000' < c <= '\u2a6d'` and `'\u2f80' < c <= '\u2fa1'`:
 * the BMP ranges U+2001..U+2A6D and U+2F81..U+2FA1 (and not CJK Extension B). We reproduce that
 * behaviour because it is what sacreBLEU computes.
 */
const RANGES: ReadonlyArray<readonly [number, number]> = [
  [0x3400, 0x4db5], // CJK Unified Ideographs Extension A, release 3.0
  [0x4e00, 0x9fa5], // CJK Unified Ideographs, release 1.1
  [0x9fa6, 0x9fbb], // CJK Unified Ideographs, release 4.1
  [0xf900, 0xfa2d], // CJK Compatibility Ideographs, release 1.1
  [0xfa30, 0xfa6a], // CJK Compatibility Ideographs, release 3.2
  [0xfa70, 0xfad9], // CJK Compatibility Ideographs, release 4.1
  [0x2001, 0x2a6d], // upstream '\u20000'..'\u2a6d6' (see above)
  [0x2f81, 0x2fa1], // upstream '\u2f800'..'\u2fa1d' (see above)
  [0xff00, 0xffef], // Full width ASCII, full width punctuation, half width Katakana/kana, Korean
  [0x2e80, 0x2eff], // CJK Radicals Supplement
  [0x3000, 0x303f], // CJK punctuation mark
  [0x31c0, 0x31ef], // CJK stroke
  [0x2f00, 0x2fdf], // Kangxi Radicals
  [0x2ff0, 0x2fff], // Chinese character structure
  [0x3100, 0x312f], // Phonetic symbols
  [0x31a0, 0x31bf], // Phonetic symbols (Taiwanese and Hakka expansion)
  [0xfe10, 0xfe1f],
  [0xfe30, 0xfe4f],
  [0x2600, 0x26ff],
  [0x2700, 0x27bf],
  [0x3200, 0x32ff],
  [0x3300, 0x33ff],
];

/** sacreBLEU `TokenizerZh._is_chinese_char`. */
export function isChineseChar(char: string): boolean {
  const code = char.codePointAt(0);
  if (code === undefined) {
    return false;
  }
  for (const [start, end] of RANGES) {
    if (start <= code && code <= end) {
      return true;
    }
  }
  return false;
}

/** Tokenizes one segment exactly like sacreBLEU's `zh` tokenizer. */
export function tokenizeZh(line: string): string {
  let chars = '';
  for (const char of pyStrip(line)) {
    chars += isChineseChar(char) ? ` ${char} ` : char;
  }
  return tokenizeRegexp(chars);
}
