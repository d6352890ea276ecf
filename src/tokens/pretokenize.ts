import {bmpClassTable} from './char-classes.js';
import type {EncodingName} from './encodings.js';
import {nextPieceCl100k} from './pieces-cl100k.js';
import {nextPieceO200k} from './pieces-o200k.js';

/**
 * tiktoken's pre-tokenization regexes (pat_str in tiktoken_ext/openai_public.py), translated from
 * Rust fancy-regex syntax to JavaScript. The translation keeps the match semantics identical; the
 * differences that matter are:
 *
 * 1. `\s` / `\S`. In Rust's regex crate (Unicode mode) `\s` is the Unicode White_Space property:
 *    it includes U+0085 (NEL) and excludes U+FEFF (BOM). JavaScript's `\s` is the other way round
 *    (it has U+FEFF, lacks U+0085), so every `\s` becomes `\p{White_Space}` (same 25 code points as
 *    Rust; checked against Python `regex`, which tiktoken's reference implementation uses).
 *    `\r`, `\n`, `\p{L}`, `\p{N}`, `\p{Lu}`, ... mean the same in both engines.
 *
 * 2. `(?i:...)` around the contractions. Rust folds case with Unicode simple case folding, under
 *    which `s` also matches U+017F (LATIN SMALL LETTER LONG S); no other code point folds to any of
 *    d, e, l, m, r, s, t, v. The classes below spell that set out instead of relying on an inline
 *    modifier, so `'ſ` is a contraction exactly as in tiktoken.
 *
 * 3. Possessive quantifiers (`?+`, `++`, `*+`, `{1,3}+`) do not exist in JS. Each one in cl100k's
 *    pattern is provably equivalent to the greedy form, so no atomic-group emulation is needed:
 *    - `[^\r\n\p{L}\p{N}]?+\p{L}++`: giving the optional char back would leave `\p{L}+` to start on
 *      that same char, which is not a letter, so that retry always fails; and `\p{L}++` ends its
 *      alternative, so nothing after it could ask it to give characters back.
 *    - `\p{N}{1,3}+` ends its alternative (same argument).
 *    - ` ?[^\s\p{L}\p{N}]++[\r\n]*+`: `[\r\n]*` can always match (empty) and ends the alternative,
 *      so the possessive run before it is never asked to shrink.
 *    - `\s++$`: a shorter whitespace run ends just before another whitespace char, which is never
 *      the end of input, so backtracking cannot make `$` match; greedy fails exactly when possessive
 *      does (JS spends O(run) extra steps there, still linear).
 *    o200k's pattern has no possessive quantifiers.
 *
 * 4. `$` without the m flag means end of input in both engines. tiktoken runs the regex on the text
 *    between allowed special tokens as a separate string, so `$` and `(?!\S)` see the start of
 *    the special token as the end (the scanners take that end as a parameter).
 *
 * Both engines use leftmost-first alternation with backtracking preference order, so with the
 * classes above they produce identical splits. Input must be well-formed UTF-16 (lone surrogates
 * replaced, as tiktoken does), and the `u` flag makes every class consume whole code points.
 *
 * Property classes come from the JS engine's Unicode tables (Node 24: Unicode 17). They match
 * Python `regex` for every code point; a code point assigned in a Unicode version newer than the
 * one compiled into tiktoken's Rust regex crate could in principle be classed differently there.
 */
const WS = String.raw`\p{White_Space}`;
const NOT_WS = String.raw`\P{White_Space}`;

/** `(?i:[sdmt]|ll|ve|re)` under Unicode simple case folding. */
const CL100K_CONTRACTION = String.raw`'(?:[sdmtSDMT\u017F]|[lL][lL]|[vV][eE]|[rR][eE])`;

/** `(?i:'s|'t|'re|'ve|'m|'ll|'d)` under Unicode simple case folding. */
const O200K_CONTRACTION = String.raw`'(?:[sS\u017F]|[tT]|[rR][eE]|[vV][eE]|[mM]|[lL][lL]|[dD])`;

const CL100K_PATTERN = [
  CL100K_CONTRACTION,
  String.raw`[^\r\n\p{L}\p{N}]?\p{L}+`,
  String.raw`\p{N}{1,3}`,
  String.raw` ?[^${WS}\p{L}\p{N}]+[\r\n]*`,
  `${WS}+$`,
  String.raw`${WS}*[\r\n]`,
  `${WS}+(?!${NOT_WS})`,
  WS,
].join('|');

const O200K_UPPER = String.raw`[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]`;
const O200K_LOWER = String.raw`[\p{Ll}\p{Lm}\p{Lo}\p{M}]`;

const O200K_PATTERN = [
  String.raw`[^\r\n\p{L}\p{N}]?${O200K_UPPER}*${O200K_LOWER}+(?:${O200K_CONTRACTION})?`,
  String.raw`[^\r\n\p{L}\p{N}]?${O200K_UPPER}+${O200K_LOWER}*(?:${O200K_CONTRACTION})?`,
  String.raw`\p{N}{1,3}`,
  String.raw` ?[^${WS}\p{L}\p{N}]+[\r\n/]*`,
  String.raw`${WS}*[\r\n]+`,
  `${WS}+(?!${NOT_WS})`,
  `${WS}+`,
].join('|');

const PATTERNS: Readonly<Record<EncodingName, string>> = {
  cl100k_base: CL100K_PATTERN,
  o200k_base: O200K_PATTERN,
};

/**
 * A fresh global regex with tiktoken's split semantics. It is the readable specification; the
 * encoder runs the equivalent hand-written scanners (pieces-*.ts), which tests check against it.
 */
export function piecePattern(name: EncodingName): RegExp {
  return new RegExp(PATTERNS[name], 'gu');
}

/** `String.prototype.isWellFormed/toWellFormed` (ES2024; the project's lib setting is ES2023). */
const wellFormed = String.prototype as unknown as {
  isWellFormed(this: string): boolean;
  toWellFormed(this: string): string;
};

/**
 * tiktoken's Python wrapper re-encodes text with lone surrogates as UTF-16 with "replace", which
 * turns each lone surrogate into U+FFFD; toWellFormed does exactly that. The scanners rely on it:
 * a high surrogate is always followed by a low one.
 */
export function toWellFormed(text: string): string {
  if (typeof text !== 'string') throw new TypeError('text must be a string');
  return wellFormed.isWellFormed.call(text) ? text : wellFormed.toWellFormed.call(text);
}

/** The pieces tiktoken's regex splits text into (no special-token handling), via the scanners. */
export function splitPieces(name: EncodingName, text: string): string[] {
  const s = toWellFormed(text);
  const next = name === 'cl100k_base' ? nextPieceCl100k : nextPieceO200k;
  const table = bmpClassTable();
  const pieces: string[] = [];
  for (let i = 0; i < s.length; ) {
    const j = next(s, i, s.length, table);
    pieces.push(s.slice(i, j));
    i = j;
  }
  return pieces;
}
