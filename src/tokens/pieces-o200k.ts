import {
  classAt,
  LETTER,
  LOWERISH,
  NEWLINE,
  NUMBER,
  SPACE,
  UPPERISH,
  widthOf,
} from './char-classes.js';
import {digitsEnd, lastNewlineIn, spacesEnd, symbolsEnd} from './piece-runs.js';

/**
 * Hand-compiled o200k_base piece regex (pattern and translation notes in pretokenize.ts). With
 * U = [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}], W = [\p{Ll}\p{Lm}\p{Lo}\p{M}], P = [^\r\n\p{L}\p{N}] and
 * C = (?i:'s|'t|'re|'ve|'m|'ll|'d), the alternatives, tried in order, are:
 *
 *   1 P?U*W+C?     3 \p{N}{1,3}             5 \s*[\r\n]+     7 \s+
 *   2 P?U+W*C?     4  ?[^\s\p{L}\p{N}]+[\r\n/]*      6 \s+(?!\S)
 *
 * Backtracking order matters in 1 and 2: a regex engine first tries them with the optional P
 * taken, then without, and in 1 it shrinks U* from the longest run until W+ can start. Returns
 * the end of the piece starting at i, for the regex run on s[..end] as its own string.
 */
export function nextPieceO200k(s: string, i: number, end: number, table: Uint8Array): number {
  const k = classAt(s, i, table);
  const w = widthOf(k);
  const prefixed = !(k & (LETTER | NUMBER | NEWLINE)) && i + w < end;
  if (k & (UPPERISH | LOWERISH) || prefixed) {
    let j = prefixed ? casedWord(s, i + w, end, table, true) : -1;
    if (j < 0) j = casedWord(s, i, end, table, true);
    if (j < 0 && prefixed) j = casedWord(s, i + w, end, table, false);
    if (j < 0) j = casedWord(s, i, end, table, false);
    if (j >= 0) return j;
  }
  // 3: one to three digits.
  if (k & NUMBER) return digitsEnd(s, i, k, end, table);
  // 4: an optional space, then symbols/punctuation/marks, then any of \r \n /.
  let j = -1;
  if (!(k & (SPACE | LETTER | NUMBER))) j = i;
  else if (
    s.charCodeAt(i) === 0x20 &&
    i + 1 < end &&
    !(classAt(s, i + 1, table) & (SPACE | LETTER | NUMBER))
  ) {
    j = i + 1;
  }
  if (j >= 0) {
    j = symbolsEnd(s, j, end, table);
    while (j < end) {
      const c = s.charCodeAt(j);
      if (c !== 0x0a && c !== 0x0d && c !== 0x2f) break;
      j++;
    }
    return j;
  }
  // Whitespace.
  j = spacesEnd(s, i, end, table);
  const lastNewline = lastNewlineIn(s, i, j, table);
  // 5: \s* backtracks to the last \r or \n of the run; [\r\n]+ then takes just that one.
  if (lastNewline >= 0) return lastNewline + 1;
  if (j === end) return end; // 6 at the end of the text: (?!\S) holds there
  if (j - 1 > i) return j - 1; // 6: leave the last space to prefix the next piece
  return j; // 7: a single space before a non-space
}

/**
 * Alternative 1 (`U*W+C?`, lowerTail = true) or 2 (`U+W*C?`) starting exactly at p, without the
 * optional prefix. Returns the match end or -1.
 */
function casedWord(
  s: string,
  p: number,
  end: number,
  table: Uint8Array,
  lowerTail: boolean,
): number {
  // Longest U run, remembering where its last W char (Lm, Lo or M: in both sets) starts.
  let j = p;
  let lastBoth = -1;
  while (j < end) {
    const kj = classAt(s, j, table);
    if (!(kj & UPPERISH)) break;
    if (kj & LOWERISH) lastBoth = j;
    j += widthOf(kj);
  }
  let tail: number; // where the W run starts
  if (lowerTail) {
    // U* gives back characters until W+ can match: first at the run's end, else at its last W.
    if (j < end && classAt(s, j, table) & LOWERISH) tail = j;
    else if (lastBoth >= 0) tail = lastBoth;
    else return -1;
  } else {
    if (j === p) return -1;
    tail = j;
  }
  // Greedy W run. When tail = lastBoth it stops right after that char: what follows is a U
  // char outside W, or the char after the U run, which is not in W either.
  while (tail < end) {
    const kt = classAt(s, tail, table);
    if (!(kt & LOWERISH)) break;
    tail += widthOf(kt);
  }
  return tail + contractionLength(s, tail, end);
}

/** Length of (?i:'s|'t|'re|'ve|'m|'ll|'d) at j (U+017F folds to s), else 0. */
function contractionLength(s: string, j: number, end: number): number {
  if (j + 1 >= end || s.charCodeAt(j) !== 0x27) return 0;
  const raw = s.charCodeAt(j + 1);
  const d = raw | 0x20;
  if (d === 0x73 || d === 0x74 || d === 0x6d || d === 0x64 || raw === 0x17f) return 2;
  if (j + 2 >= end) return 0;
  const e = s.charCodeAt(j + 2) | 0x20;
  if (((d === 0x72 || d === 0x76) && e === 0x65) || (d === 0x6c && e === 0x6c)) return 3;
  return 0;
}
