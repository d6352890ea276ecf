/**
 * Where JSON text stops being JSON, for error messages. V8's JSON.parse gives a position for
 * most syntax errors but not for all: `Unexpected token '}', "{"a": tru}" is not valid JSON`
 * and `Unexpected end of JSON input` have none. Used only once JSON.parse has failed, so it
 * costs nothing on valid records.
 */

/** A syntax error: its message (V8's, without the position or the quoted text) and offset. */
export interface JsonSyntaxError {
  readonly message: string;
  /** UTF-16 offset in the text (JSON.parse's positions are too). */
  readonly offset: number;
}

/**
 * Explains why JSON.parse(text.slice(start, end)) threw `error`: V8's message without the
 * position and the quoted input, and the offset (relative to `start`) of the first character
 * that cannot continue a JSON value there: V8's own where its message has one, else the
 * scanner's (which agrees with V8 wherever V8 gives one).
 */
export function explainJsonError(
  error: unknown,
  text: string,
  start = 0,
  end = text.length,
): JsonSyntaxError {
  const message = error instanceof Error ? error.message : String(error);
  // `... in JSON at position 7 (line 1 column 8)`, `... after JSON at position 9 (...)`
  const position = /^(.*?)(?: in JSON)? at position (\d+)(?: \(line \d+ column \d+\))?$/s.exec(
    message,
  );
  if (position) return {message: position[1]!, offset: Number(position[2])};
  const found = jsonSyntaxErrorOffset(text, start, end);
  const offset = Math.max(0, found - start); // found is -1 only if it was no syntax error
  // `Unexpected token 'x', "<the input, maybe cut>" is not valid JSON`: V8 names one UTF-16
  // unit, half a character outside the BMP; name the whole character, visibly.
  if (message.startsWith('Unexpected token ') && found >= 0 && found < end) {
    return {message: `Unexpected token '${visible(text, found)}'`, offset};
  }
  return {message, offset};
}

/** The character at i; control characters and the byte order mark as JSON escapes. */
function visible(text: string, i: number): string {
  const c = text.codePointAt(i)!;
  if (c < 0x20 || c === 0x7f || c === 0xfeff) return `\\u${c.toString(16).padStart(4, '0')}`;
  return String.fromCodePoint(c);
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

/** What a container on the stack expects next. */
const IN_ARRAY = 0;
const IN_OBJECT = 1;

/**
 * The offset in `text` of the first character at which text[start, end) stops being one JSON
 * value (RFC 8259, whitespace around it allowed, as JSON.parse takes it): `end` when the text
 * ends too early, -1 when it is valid JSON. Iterative, so deep nesting cannot overflow the stack.
 *
 * Helpers return the index after what they read, or `~offset` (negative) for an error at offset.
 */
export function jsonSyntaxErrorOffset(text: string, start = 0, end = text.length): number {
  const stack: number[] = [];
  let i = skipSpace(text, start, end);
  for (;;) {
    // A value starts at i.
    if (i >= end) return end;
    const c = text.charCodeAt(i);
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      const close = c === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET;
      i = skipSpace(text, i + 1, end);
      if (i < end && text.charCodeAt(i) === close) {
        i++;
      } else {
        stack.push(c === OPEN_BRACE ? IN_OBJECT : IN_ARRAY);
        if (c === OPEN_BRACE) {
          i = member(text, i, end);
          if (i < 0) return ~i;
        }
        continue;
      }
    } else {
      i = scalar(text, i, end);
      if (i < 0) return ~i;
    }
    // After a value: close containers, or go on to the next element.
    for (;;) {
      i = skipSpace(text, i, end);
      const top = stack.at(-1);
      if (top === undefined) return i === end ? -1 : i;
      if (i >= end) return end;
      const d = text.charCodeAt(i);
      if (d === COMMA) {
        i = skipSpace(text, i + 1, end);
        if (top === IN_OBJECT) {
          i = member(text, i, end);
          if (i < 0) return ~i;
        }
        break;
      }
      if (d !== (top === IN_OBJECT ? CLOSE_BRACE : CLOSE_BRACKET)) return i;
      stack.pop();
      i++;
    }
  }
}

/** `"key" :` and the space after it, at i (which is past any space before it). */
function member(text: string, i: number, end: number): number {
  if (i >= end) return ~end;
  if (text.charCodeAt(i) !== QUOTE) return ~i;
  let j = string(text, i, end);
  if (j < 0) return j;
  j = skipSpace(text, j, end);
  if (j >= end) return ~end;
  if (text.charCodeAt(j) !== COLON) return ~j;
  return skipSpace(text, j + 1, end);
}

/** A string, number or literal at i. */
function scalar(text: string, i: number, end: number): number {
  const c = text.charCodeAt(i);
  if (c === QUOTE) return string(text, i, end);
  if (c === MINUS || isDigit(c)) return number(text, i, end);
  for (const literal of ['true', 'false', 'null']) {
    if (c !== literal.charCodeAt(0)) continue;
    for (let k = 1; k < literal.length; k++) {
      if (i + k >= end) return ~end;
      if (text.charCodeAt(i + k) !== literal.charCodeAt(k)) return ~(i + k);
    }
    return i + literal.length;
  }
  return ~i;
}

/** A string whose opening quote is at i. */
function string(text: string, i: number, end: number): number {
  for (let j = i + 1; j < end; j++) {
    const c = text.charCodeAt(j);
    if (c === QUOTE) return j + 1;
    if (c < 0x20) return ~j;
    if (c !== BACKSLASH) continue;
    j++;
    if (j >= end) return ~end;
    const e = text.charCodeAt(j);
    if (e === 0x75 /* u */) {
      for (let k = 1; k <= 4; k++) {
        if (j + k >= end) return ~end;
        if (!isHex(text.charCodeAt(j + k))) return ~(j + k);
      }
      j += 4;
    } else if (!'"\\/bfnrt'.includes(text[j]!)) return ~j;
  }
  return ~end;
}

/** A number at i (a minus sign or a digit). */
function number(text: string, i: number, end: number): number {
  let j = i;
  if (text.charCodeAt(j) === MINUS) j++;
  if (j >= end) return ~end;
  if (text.charCodeAt(j) === ZERO) {
    j++;
    if (j < end && isDigit(text.charCodeAt(j))) return ~j; // a leading zero
  } else {
    if (!isDigit(text.charCodeAt(j))) return ~j;
    while (j < end && isDigit(text.charCodeAt(j))) j++;
  }
  if (j < end && text.charCodeAt(j) === DOT) {
    j++;
    j = digits(text, j, end);
    if (j < 0) return j;
  }
  const e = j < end ? text.charCodeAt(j) : 0;
  if (e === 0x65 || e === 0x45 /* e E */) {
    j++;
    if (j < end && (text.charCodeAt(j) === PLUS || text.charCodeAt(j) === MINUS)) j++;
    j = digits(text, j, end);
  }
  return j;
}

/** One or more digits at j. */
function digits(text: string, j: number, end: number): number {
  if (j >= end) return ~end;
  if (!isDigit(text.charCodeAt(j))) return ~j;
  let k = j;
  while (k < end && isDigit(text.charCodeAt(k))) k++;
  return k;
}

/** JSON's whitespace: space, tab, line feed, carriage return. */
function skipSpace(text: string, i: number, end: number): number {
  let j = i;
  for (; j < end; j++) {
    const c = text.charCodeAt(j);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
  }
  return j;
}

function isDigit(c: number): boolean {
  return c >= ZERO && c <= NINE;
}

function isHex(c: number): boolean {
  return isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}
