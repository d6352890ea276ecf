/**
 * Python `str` semantics the reference implementations rely on.
 *
 * sacreBLEU, rouge-score and the SQuAD script are Python: `str.split()` splits on runs of
 * Unicode whitespace as defined by `str.isspace()` (which differs from JavaScript's `\s`: it
 * includes U+001C..U+001F and U+0085 but not U+FEFF), `str.strip()` strips that same set, and
 * strings are indexed by code point rather than by UTF-16 code unit. These helpers reproduce
 * exactly those semantics so that token counts match the reference tools.
 */

/** The exact set of characters for which CPython's `str.isspace()` is true. */
const PY_WHITESPACE_CLASS =
  '\\t\\n\\u000b\\f\\r\\u001c-\\u001f \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';

const PY_WHITESPACE_RUN = new RegExp(`[${PY_WHITESPACE_CLASS}]+`, 'u');
const PY_LEADING_WHITESPACE = new RegExp(`^[${PY_WHITESPACE_CLASS}]+`, 'u');
const PY_TRAILING_WHITESPACE = new RegExp(`[${PY_WHITESPACE_CLASS}]+$`, 'u');

/** Python `s.split()` (no argument): split on whitespace runs, dropping empty strings. */
export function pySplit(text: string): string[] {
  if (text.length === 0) {
    return [];
  }
  return text.split(PY_WHITESPACE_RUN).filter((part) => part.length > 0);
}

/** Python `s.rstrip()` (no argument). */
export function pyRstrip(text: string): string {
  return text.replace(PY_TRAILING_WHITESPACE, '');
}

/** Python `s.strip()` (no argument). */
export function pyStrip(text: string): string {
  return text.replace(PY_LEADING_WHITESPACE, '').replace(PY_TRAILING_WHITESPACE, '');
}

/** Python `' '.join(s.split())`: collapse whitespace runs to single spaces and trim. */
export function pyNormalizeSpaces(text: string): string {
  return pySplit(text).join(' ');
}

/** The code points of `text` as one-character strings (Python's `list(s)`). */
export function codePoints(text: string): string[] {
  return Array.from(text);
}

/**
 * Python `s.lower()`. JavaScript's `toLowerCase()` applies the same full Unicode default case
 * mapping (including SpecialCasing such as U+0130 and the context-sensitive final sigma).
 */
export function pyLower(text: string): string {
  return text.toLowerCase();
}
