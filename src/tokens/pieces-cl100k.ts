import {classAt, LETTER, NEWLINE, NUMBER, SPACE, widthOf} from './char-classes.js';
import {digitsEnd, lastNewlineIn, spacesEnd, symbolsEnd} from './piece-runs.js';

/**
 * Hand-compiled cl100k_base piece regex (see pretokenize.ts for the pattern and why the JS
 * translation is exact). Returns the end of the piece that starts at i, where the regex, run on
 * s[..end] as its own string, would match. Alternatives are tried in the pattern's order:
 *
 *   1 '(?i:[sdmt]|ll|ve|re)           4  ?[^\s\p{L}\p{N}]+[\r\n]*      7 \s+(?!\S)
 *   2 [^\r\n\p{L}\p{N}]?\p{L}+         5 \s+$                           8 \s
 *   3 \p{N}{1,3}                       6 \s*[\r\n]
 *
 * A hand scanner is ~3x faster than V8's regex here and allocates nothing; tests check it against
 * the regex on the vectors and on random text.
 */
export function nextPieceCl100k(s: string, i: number, end: number, table: Uint8Array): number {
  const c = s.charCodeAt(i);
  // 1: contractions; `s` also folds from U+017F under Unicode simple case folding.
  if (c === 0x27 && i + 1 < end) {
    const d = s.charCodeAt(i + 1) | 0x20; // ASCII lower-casing; harmless for the non-letters tested
    if (d === 0x73 || d === 0x64 || d === 0x6d || d === 0x74 || s.charCodeAt(i + 1) === 0x17f) {
      return i + 2;
    }
    if (i + 2 < end) {
      const e = s.charCodeAt(i + 2) | 0x20;
      if ((d === 0x6c && e === 0x6c) || ((d === 0x76 || d === 0x72) && e === 0x65)) return i + 3;
    }
  }
  const k = classAt(s, i, table);
  const w = widthOf(k);
  // 2: letters, optionally preceded by one char that is not a letter, digit, \r or \n.
  if (k & LETTER) return letterRunEnd(s, i + w, end, table);
  if (!(k & (NUMBER | NEWLINE)) && i + w < end && classAt(s, i + w, table) & LETTER) {
    return letterRunEnd(s, i + w, end, table);
  }
  // 3: one to three digits.
  if (k & NUMBER) return digitsEnd(s, i, k, end, table);
  // 4: an optional space, then symbols/punctuation (anything but \s, letters, digits), then \r\n.
  let j = -1;
  if (!(k & SPACE)) j = i;
  else if (c === 0x20 && i + 1 < end && !(classAt(s, i + 1, table) & (SPACE | LETTER | NUMBER))) {
    j = i + 1;
  }
  if (j >= 0) {
    j = symbolsEnd(s, j, end, table);
    while (j < end && table[s.charCodeAt(j)]! & NEWLINE) j++;
    return j;
  }
  // Whitespace.
  j = spacesEnd(s, i, end, table);
  if (j === end) return end; // 5: \s+$
  const lastNewline = lastNewlineIn(s, i, j, table);
  if (lastNewline >= 0) return lastNewline + 1; // 6: \s* backtracks to the last \r or \n
  if (j - 1 > i) return j - 1; // 7: leave the last space to prefix the next piece
  return i + 1; // 8
}

function letterRunEnd(s: string, j: number, end: number, table: Uint8Array): number {
  while (j < end) {
    const kj = classAt(s, j, table);
    if (!(kj & LETTER)) break;
    j += widthOf(kj);
  }
  return j;
}
