/**
 * Reads chosen top-level fields of a JSON object straight from its UTF-8 bytes, without
 * decoding or parsing the line into objects: for each field, where its string value's raw text
 * starts and ends and whether that text is already in canonical form (JSON.stringify's escaping).
 *
 * The whole line is checked against the JSON grammar (RFC 8259) on the way, strictly: `scan`
 * accepts a line only when JSON.parse would, so a record is never let through that the parser
 * would reject. It may refuse valid lines (escaped keys, very deep nesting); the caller then
 * takes the ordinary path (decode and JSON.parse), which also words the error of a bad line.
 * The bytes must already be known to be valid UTF-8.
 */
export class JsonFieldScanner {
  /** Per field: the raw value text is bytes[start, end) (between the quotes). */
  readonly start: Int32Array;
  readonly end: Int32Array;
  /** Per field: ABSENT, PLAIN (no escapes), ESCAPED (canonical escapes only), or OTHER. */
  readonly state: Uint8Array;
  readonly #keys: readonly Uint8Array[];
  /** Escapes seen by the last string scanned: 0 none, 1 canonical only, 2 some other. */
  #escapes = 0;

  /** `keys`: the field names, plain ASCII (template placeholders are). */
  constructor(keys: readonly string[]) {
    this.#keys = keys.map((k) => Buffer.from(k, 'latin1'));
    this.start = new Int32Array(keys.length);
    this.end = new Int32Array(keys.length);
    this.state = new Uint8Array(keys.length);
  }

  /**
   * Scans bytes[from, to) as one JSON object (surrounding whitespace allowed). False when the
   * line is not one, or is one this scanner does not take; `state` is then meaningless.
   */
  scan(b: Uint8Array, from: number, to: number): boolean {
    this.state.fill(ABSENT);
    let i = skipSpace(b, from, to);
    if (i >= to || b[i] !== OPEN_BRACE) return false;
    i = skipSpace(b, i + 1, to);
    if (i < to && b[i] === CLOSE_BRACE) return skipSpace(b, i + 1, to) === to;
    for (;;) {
      if (i >= to || b[i] !== QUOTE) return false;
      const keyStart = i + 1;
      i = this.#string(b, keyStart, to);
      // An escaped key could spell a wanted name differently ("pr\u006fmpt"): not taken.
      if (i < 0 || this.#escapes !== 0) return false;
      const field = this.#field(b, keyStart, i - 1);
      i = skipSpace(b, i, to);
      if (i >= to || b[i] !== COLON) return false;
      i = skipSpace(b, i + 1, to);
      if (i >= to) return false;
      if (b[i] === QUOTE) {
        const valueStart = i + 1;
        i = this.#string(b, valueStart, to);
        if (i < 0) return false;
        // A repeated key: the last one wins, as in JSON.parse.
        if (field >= 0) {
          this.start[field] = valueStart;
          this.end[field] = i - 1;
          this.state[field] = this.#escapes === 0 ? PLAIN : this.#escapes === 1 ? ESCAPED : OTHER;
        }
      } else {
        i = this.#value(b, i, to, 1);
        if (i < 0) return false;
        if (field >= 0) this.state[field] = OTHER;
      }
      i = skipSpace(b, i, to);
      if (i >= to) return false;
      if (b[i] === COMMA) {
        i = skipSpace(b, i + 1, to);
        continue;
      }
      return b[i] === CLOSE_BRACE && skipSpace(b, i + 1, to) === to;
    }
  }

  /** Which wanted key bytes[from, to) is, or -1. */
  #field(b: Uint8Array, from: number, to: number): number {
    const length = to - from;
    next: for (let k = 0; k < this.#keys.length; k++) {
      const key = this.#keys[k]!;
      if (key.length !== length) continue;
      for (let j = 0; j < length; j++) if (key[j] !== b[from + j]) continue next;
      return k;
    }
    return -1;
  }

  /** A string whose text starts at `i` (after the quote): the index after its closing quote. */
  #string(b: Uint8Array, i: number, to: number): number {
    let escapes = 0;
    while (i < to) {
      const c = b[i]!;
      if (c === QUOTE) {
        this.#escapes = escapes;
        return i + 1;
      }
      if (c === BACKSLASH) {
        if (i + 1 >= to) return -1;
        const e = b[i + 1]!;
        if (e === QUOTE || e === BACKSLASH || e === 0x62 || e === 0x66 || e === 0x6e) {
          if (escapes === 0) escapes = 1; // \" \\ \b \f \n: JSON.stringify's own
          i += 2;
        } else if (e === 0x72 || e === 0x74) {
          if (escapes === 0) escapes = 1; // \r \t
          i += 2;
        } else if (e === 0x2f) {
          escapes = 2; // \/ : JSON.stringify writes a plain '/'
          i += 2;
        } else if (e === 0x75) {
          if (i + 6 > to) return -1;
          let code = 0;
          let upper = false;
          for (let j = i + 2; j < i + 6; j++) {
            const d = hexDigit(b[j]!);
            if (d < 0) return -1;
            if (b[j]! >= 0x41 && b[j]! <= 0x46) upper = true;
            code = code * 16 + d;
          }
          // JSON.stringify spells \u only for control characters without a short escape,
          // in lower case.
          const canonical = code < 0x20 && !SHORT_ESCAPED.has(code) && !upper;
          if (!canonical) escapes = 2;
          else if (escapes === 0) escapes = 1;
          i += 6;
        } else return -1;
      } else if (c < 0x20)
        return -1; // a raw control character is not allowed in a string
      else i++;
    }
    return -1;
  }

  /** Any JSON value starting at `i`: the index after it, or -1. */
  #value(b: Uint8Array, i: number, to: number, depth: number): number {
    if (depth > MAX_DEPTH) return -1;
    const c = b[i]!;
    if (c === QUOTE) return this.#string(b, i + 1, to);
    if (c === OPEN_BRACE) {
      i = skipSpace(b, i + 1, to);
      if (i < to && b[i] === CLOSE_BRACE) return i + 1;
      for (;;) {
        if (i >= to || b[i] !== QUOTE) return -1;
        i = this.#string(b, i + 1, to);
        if (i < 0) return -1;
        i = skipSpace(b, i, to);
        if (i >= to || b[i] !== COLON) return -1;
        i = skipSpace(b, i + 1, to);
        if (i >= to) return -1;
        i = this.#value(b, i, to, depth + 1);
        if (i < 0) return -1;
        i = skipSpace(b, i, to);
        if (i >= to) return -1;
        if (b[i] === CLOSE_BRACE) return i + 1;
        if (b[i] !== COMMA) return -1;
        i = skipSpace(b, i + 1, to);
      }
    }
    if (c === OPEN_BRACKET) {
      i = skipSpace(b, i + 1, to);
      if (i < to && b[i] === CLOSE_BRACKET) return i + 1;
      for (;;) {
        if (i >= to) return -1;
        i = this.#value(b, i, to, depth + 1);
        if (i < 0) return -1;
        i = skipSpace(b, i, to);
        if (i >= to) return -1;
        if (b[i] === CLOSE_BRACKET) return i + 1;
        if (b[i] !== COMMA) return -1;
        i = skipSpace(b, i + 1, to);
      }
    }
    if (c === 0x74) return word(b, i, to, TRUE);
    if (c === 0x66) return word(b, i, to, FALSE);
    if (c === 0x6e) return word(b, i, to, NULL);
    return number(b, i, to);
  }
}

export const ABSENT = 0;
export const PLAIN = 1;
export const ESCAPED = 2;
export const OTHER = 3;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
/** Deeper values are left to JSON.parse. */
const MAX_DEPTH = 256;
/** Control characters JSON.stringify writes as \b \t \n \f \r. */
const SHORT_ESCAPED = new Set([8, 9, 10, 12, 13]);
const TRUE = Buffer.from('true');
const FALSE = Buffer.from('false');
const NULL = Buffer.from('null');

/** JSON's whitespace: space, tab, line feed, carriage return. */
function skipSpace(b: Uint8Array, i: number, to: number): number {
  while (i < to) {
    const c = b[i]!;
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d && c !== 0x0a) break;
    i++;
  }
  return i;
}

function word(b: Uint8Array, i: number, to: number, spelled: Uint8Array): number {
  if (i + spelled.length > to) return -1;
  for (let j = 0; j < spelled.length; j++) if (b[i + j] !== spelled[j]) return -1;
  return i + spelled.length;
}

/** -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
function number(b: Uint8Array, i: number, to: number): number {
  if (i < to && b[i] === 0x2d) i++;
  if (i >= to) return -1;
  if (b[i] === 0x30) i++;
  else if (isDigit(b[i]!)) while (i < to && isDigit(b[i]!)) i++;
  else return -1;
  if (i < to && b[i] === 0x2e) {
    i++;
    if (i >= to || !isDigit(b[i]!)) return -1;
    while (i < to && isDigit(b[i]!)) i++;
  }
  if (i < to && (b[i] === 0x65 || b[i] === 0x45)) {
    i++;
    if (i < to && (b[i] === 0x2b || b[i] === 0x2d)) i++;
    if (i >= to || !isDigit(b[i]!)) return -1;
    while (i < to && isDigit(b[i]!)) i++;
  }
  return i;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}
