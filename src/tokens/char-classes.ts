/**
 * Per-code-point class bits for the hand-written piece scanners. Computed with the engine's own
 * Unicode property escapes, so they agree with the regexes in pretokenize.ts by construction.
 */

/** \p{L} */
export const LETTER = 1;
/** \p{N} */
export const NUMBER = 2;
/** \s in Rust's regex crate = Unicode White_Space (has U+0085, lacks U+FEFF). */
export const SPACE = 4;
/** o200k's [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}] */
export const UPPERISH = 8;
/** o200k's [\p{Ll}\p{Lm}\p{Lo}\p{M}] */
export const LOWERISH = 16;
/** \r or \n */
export const NEWLINE = 32;
/** Table entry of a high surrogate: look up the whole code point with astralClass instead. */
export const HIGH_SURROGATE = 64;
/** Set on astral classes: the code point takes two UTF-16 units. */
export const WIDE = 128;

const LETTER_RE = /^\p{L}$/u;
const NUMBER_RE = /^\p{N}$/u;
const SPACE_RE = /^\p{White_Space}$/u;
const UPPERISH_RE = /^[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]$/u;
const LOWERISH_RE = /^[\p{Ll}\p{Lm}\p{Lo}\p{M}]$/u;

/** Class bits of one code point (without WIDE). */
export function classifyCodePoint(cp: number): number {
  const ch = String.fromCodePoint(cp);
  return (
    (LETTER_RE.test(ch) ? LETTER : 0) |
    (NUMBER_RE.test(ch) ? NUMBER : 0) |
    (SPACE_RE.test(ch) ? SPACE : 0) |
    (UPPERISH_RE.test(ch) ? UPPERISH : 0) |
    (LOWERISH_RE.test(ch) ? LOWERISH : 0) |
    (cp === 0x0a || cp === 0x0d ? NEWLINE : 0)
  );
}

let bmp: Uint8Array | undefined;

/** Classes of all UTF-16 code units, built once (~20 ms) on first use. */
export function bmpClassTable(): Uint8Array {
  if (bmp === undefined) {
    const table = new Uint8Array(0x10000);
    for (let c = 0; c < 0x10000; c++) {
      if (c >= 0xd800 && c <= 0xdfff) {
        // Low surrogates are never looked up: the scanners step over whole pairs.
        table[c] = c <= 0xdbff ? HIGH_SURROGATE : 0;
      } else {
        table[c] = classifyCodePoint(c);
      }
    }
    bmp = table;
  }
  return bmp;
}

/** Astral code points are rare (emoji, historic scripts, CJK extensions): classify and memoize. */
const astral = new Map<number, number>();

/** Class bits of a code point >= U+10000, with WIDE set. */
export function astralClass(cp: number): number {
  let k = astral.get(cp);
  if (k === undefined) {
    k = classifyCodePoint(cp) | WIDE;
    astral.set(cp, k);
  }
  return k;
}

/** Class bits of the code point starting at s[j] (s must be well-formed UTF-16). */
export function classAt(s: string, j: number, table: Uint8Array): number {
  const k = table[s.charCodeAt(j)]!;
  return k & HIGH_SURROGATE ? astralClass(s.codePointAt(j)!) : k;
}

/** UTF-16 length of the code point whose class is k. */
export function widthOf(k: number): number {
  return 1 + ((k >> 7) & 1);
}
