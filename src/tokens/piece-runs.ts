import {classAt, LETTER, NEWLINE, NUMBER, SPACE, widthOf} from './char-classes.js';

/**
 * Runs that the cl100k_base and o200k_base piece scanners read the same way (the two patterns
 * share these alternatives).
 */

/** End of \p{N}{1,3} at i, whose first code point (class k) is a digit. */
export function digitsEnd(s: string, i: number, k: number, end: number, table: Uint8Array): number {
  let j = i + widthOf(k);
  for (let count = 1; count < 3 && j < end; count++) {
    const kj = classAt(s, j, table);
    if (!(kj & NUMBER)) break;
    j += widthOf(kj);
  }
  return j;
}

/** End of [^\s\p{L}\p{N}]* from j. */
export function symbolsEnd(s: string, j: number, end: number, table: Uint8Array): number {
  while (j < end) {
    const kj = classAt(s, j, table);
    if (kj & (SPACE | LETTER | NUMBER)) break;
    j += widthOf(kj);
  }
  return j;
}

/** End of \s* from i (all White_Space code points are single UTF-16 units). */
export function spacesEnd(s: string, i: number, end: number, table: Uint8Array): number {
  let j = i;
  while (j < end && table[s.charCodeAt(j)]! & SPACE) j++;
  return j;
}

/** Where the last \r or \n of s[from, to) is (-1: none): both patterns backtrack to it. */
export function lastNewlineIn(s: string, from: number, to: number, table: Uint8Array): number {
  for (let j = to - 1; j >= from; j--) if (table[s.charCodeAt(j)]! & NEWLINE) return j;
  return -1;
}
