// The canonical JSON writer of the dataset stage (src/data/records/canonical-bytes.ts) for the
// lines it sees most, in AssemblyScript compiled to WebAssembly with 128-bit SIMD
// (scripts/build-wasm.mjs); src/data/records/fast-canonical-writer.ts drives it. It writes the
// canonical JSON (RFC 8785, as core/canonical-json.ts makes it) of a JSON text from its UTF-8
// bytes, byte for byte what CanonicalWriter writes, and locates the wanted top-level fields. It
// refuses (-1) every text CanonicalWriter refuses and some that it takes: numbers JSON.stringify
// would write otherwise (they need a double's shortest form), and anything past the capacities
// the host set; the host then asks CanonicalWriter. Strings are scanned 16 bytes at a time.
//
// Memory is laid out by the host (setup): the input at `input`, the output at `out` (room for
// twice the longest line, for sorting members), the member stack, the wanted fields' names and
// where each was found. Offsets are bytes into this module's memory; nothing is allocated here.

const QUOTE: i32 = 0x22;
const BACKSLASH: i32 = 0x5c;
const COLON: i32 = 0x3a;
const COMMA: i32 = 0x2c;
const OPEN_BRACE: i32 = 0x7b;
const CLOSE_BRACE: i32 = 0x7d;
const OPEN_BRACKET: i32 = 0x5b;
const CLOSE_BRACKET: i32 = 0x5d;

/** Field states, as canonical-bytes.ts numbers them. */
const ABSENT: i32 = 0;
const PLAIN: i32 = 1;
const ESCAPED: i32 = 2;
const OTHER: i32 = 3;

const MAX_DEPTH: i32 = 64;
/** i32s per member: key start, key end (input), member start, value start, value end (output), state, place. */
const MEMBER_INTS: i32 = 7;

let out: i32 = 0;
let outLength: i32 = 0;
let members: i32 = 0;
let membersCapacity: i32 = 0;
let top: i32 = 0;
/** Wanted fields: count; names as (offset, length) i32 pairs at `names`; results at `found`. */
let fieldCount: i32 = 0;
let names: i32 = 0;
/**
 * Where each wanted field was found: three i32 arrays of `fieldCount`, one after the other: the
 * value's start and end (offsets into the output) and its state.
 */
let found: i32 = 0;
let lastStringEscaped: bool = false;

/** Sets where things are (see the top of this file). */
export function setup(
  outAt: i32,
  membersAt: i32,
  membersMax: i32,
  namesAt: i32,
  count: i32,
  foundAt: i32,
): void {
  out = outAt;
  members = membersAt;
  membersCapacity = membersMax;
  names = namesAt;
  fieldCount = count;
  found = foundAt;
}

/**
 * Writes the canonical JSON of the value at [from, to) (whitespace around it allowed) at `out`
 * and locates the wanted fields: its length, or -1 when it is not JSON or not taken here.
 */
export function write(from: i32, to: i32): i32 {
  outLength = 0;
  top = 0;
  for (let k = 0; k < fieldCount; k++) store<i32>(found + (2 * fieldCount + k) * 4, ABSENT);
  const i = value(skipSpace(from, to), to, 0);
  if (i < 0 || skipSpace(i, to) != to) return -1;
  return outLength;
}

function value(i: i32, to: i32, depth: i32): i32 {
  if (i >= to) return -1;
  const c = <i32>load<u8>(i);
  if (c == QUOTE) return string(i, to);
  if (c == OPEN_BRACE) return depth >= MAX_DEPTH ? -1 : object(i, to, depth);
  if (c == OPEN_BRACKET) return depth >= MAX_DEPTH ? -1 : array(i, to, depth);
  if (c == 0x74) return word(i, to, 0x74, 0x72, 0x75, 0x65, 0, 4); // true
  if (c == 0x66) return word(i, to, 0x66, 0x61, 0x6c, 0x73, 0x65, 5); // false
  if (c == 0x6e) return word(i, to, 0x6e, 0x75, 0x6c, 0x6c, 0, 4); // null
  return number(i, to);
}

@inline
function put(c: i32): void {
  store<u8>(out + outLength, <u8>c);
  outLength++;
}

function object(i: i32, to: i32, depth: i32): i32 {
  const base = top;
  const open = outLength;
  put(OPEN_BRACE);
  let n = 0;
  let sorted = true;
  i = skipSpace(i + 1, to);
  if (i < to && <i32>load<u8>(i) == CLOSE_BRACE) {
    put(CLOSE_BRACE);
    return i + 1;
  }
  while (true) {
    if (i >= to || <i32>load<u8>(i) != QUOTE) return -1;
    const keyStart = i + 1;
    let k = keyStart;
    while (k < to) {
      const kc = <i32>load<u8>(k);
      if (kc == QUOTE) break;
      if (kc == BACKSLASH || kc >= 0x80 || kc < 0x20) return -1; // not taken (or invalid)
      k++;
    }
    if (k >= to) return -1;
    i = skipSpace(k + 1, to);
    if (i >= to || <i32>load<u8>(i) != COLON) return -1;
    i = skipSpace(i + 1, to);
    if (n > 0) {
      put(COMMA);
      const previous = members + (base + MEMBER_INTS * (n - 1)) * 4;
      const order = compareKeys(load<i32>(previous), load<i32>(previous + 4), keyStart, k);
      if (order == 0) return -1; // a repeated key: JSON.parse keeps the last; not taken
      if (order > 0) sorted = false;
    }
    const at = base + MEMBER_INTS * n;
    if (at + MEMBER_INTS > membersCapacity) return -1; // the host's stack is full: not taken
    const memberStart = outLength;
    copy(keyStart - 1, k + 1);
    put(COLON);
    const valueStart = outLength;
    top = at + MEMBER_INTS; // nested objects keep their members above this one
    i = value(i, to, depth + 1);
    if (i < 0) return -1;
    const m = members + at * 4;
    store<i32>(m, keyStart);
    store<i32>(m + 4, k);
    store<i32>(m + 8, memberStart);
    store<i32>(m + 12, valueStart);
    store<i32>(m + 16, outLength);
    store<i32>(
      m + 20,
      <i32>load<u8>(i - 1) == QUOTE ? (lastStringEscaped ? ESCAPED : PLAIN) : OTHER,
    );
    store<i32>(m + 24, n);
    n++;
    i = skipSpace(i, to);
    if (i >= to) return -1;
    const c = <i32>load<u8>(i);
    if (c == CLOSE_BRACE) break;
    if (c != COMMA) return -1;
    i = skipSpace(i + 1, to);
  }
  put(CLOSE_BRACE);
  if (!sorted) {
    // Sorting holds one member past the object's (see sortMembers).
    if (base + MEMBER_INTS * (n + 1) > membersCapacity) return -1;
    if (!sortMembers(base, n)) return -1; // a repeated key
    reorder(base, n, open);
  }
  if (depth == 0) locate(base, n);
  top = base;
  return i + 1;
}

/** Insertion sort of the n members at `base` by key bytes; false when two keys are equal. */
function sortMembers(base: i32, n: i32): bool {
  const stride = MEMBER_INTS * 4;
  const first = members + base * 4;
  // The member being inserted is held past the top of the stack (the host leaves room there).
  const held = first + n * stride;
  for (let j = 1; j < n; j++) {
    memory.copy(held, first + j * stride, stride);
    const hk0 = load<i32>(held);
    const hk1 = load<i32>(held + 4);
    let p = j - 1;
    while (p >= 0) {
      const e = first + p * stride;
      if (compareKeys(load<i32>(e), load<i32>(e + 4), hk0, hk1) <= 0) break;
      memory.copy(e + stride, e, stride);
      p--;
    }
    memory.copy(first + (p + 1) * stride, held, stride);
  }
  for (let j = 1; j < n; j++) {
    const a = first + (j - 1) * stride;
    const b = first + j * stride;
    if (compareKeys(load<i32>(a), load<i32>(a + 4), load<i32>(b), load<i32>(b + 4)) == 0)
      return false;
  }
  return true;
}

/** Writes the n members at `base` again, in their (sorted) order, after `open`'s brace. */
function reorder(base: i32, n: i32, open: i32): void {
  const from = open + 1;
  const size = outLength - 1 - from;
  const tail = outLength;
  let at = tail;
  for (let j = 0; j < n; j++) {
    const e = members + (base + MEMBER_INTS * j) * 4;
    if (j > 0) {
      store<u8>(out + at, COMMA);
      at++;
    }
    const memberStart = load<i32>(e + 8);
    const memberEnd = load<i32>(e + 16);
    const shift = from + (at - tail) - memberStart;
    memory.copy(out + at, out + memberStart, memberEnd - memberStart);
    at += memberEnd - memberStart;
    store<i32>(e + 8, memberStart + shift);
    store<i32>(e + 12, load<i32>(e + 12) + shift);
    store<i32>(e + 16, memberEnd + shift);
  }
  memory.copy(out + from, out + tail, size);
}

/** Records where the wanted fields' values are, among the top-level members at `base`. */
function locate(base: i32, n: i32): void {
  if (fieldCount == 0) return;
  for (let j = 0; j < n; j++) {
    const e = members + (base + MEMBER_INTS * j) * 4;
    const keyStart = load<i32>(e);
    const length = load<i32>(e + 4) - keyStart;
    for (let f = 0; f < fieldCount; f++) {
      const name = load<i32>(names + f * 8);
      if (load<i32>(names + f * 8 + 4) != length) continue;
      let same = true;
      for (let x = 0; x < length; x++) {
        if (load<u8>(name + x) != load<u8>(keyStart + x)) {
          same = false;
          break;
        }
      }
      if (!same) continue;
      store<i32>(found + f * 4, load<i32>(e + 12));
      store<i32>(found + (fieldCount + f) * 4, load<i32>(e + 16));
      store<i32>(found + (2 * fieldCount + f) * 4, load<i32>(e + 20));
      break;
    }
  }
}

function array(i: i32, to: i32, depth: i32): i32 {
  put(OPEN_BRACKET);
  i = skipSpace(i + 1, to);
  if (i < to && <i32>load<u8>(i) == CLOSE_BRACKET) {
    put(CLOSE_BRACKET);
    return i + 1;
  }
  let first = true;
  while (true) {
    if (!first) put(COMMA);
    first = false;
    i = value(i, to, depth + 1);
    if (i < 0) return -1;
    i = skipSpace(i, to);
    if (i >= to) return -1;
    const c = <i32>load<u8>(i);
    if (c == CLOSE_BRACKET) {
      put(CLOSE_BRACKET);
      return i + 1;
    }
    if (c != COMMA) return -1;
    i = skipSpace(i + 1, to);
  }
  return -1;
}

/**
 * The index of the first byte of [j, to) that ends a run of characters copied as they are (a
 * quote, a backslash, a control character), or `to`; 16 bytes at a time.
 */
@inline
function plainRun(j: i32, to: i32): i32 {
  const quote = i8x16.splat(0x22);
  const backslash = i8x16.splat(0x5c);
  const space = i8x16.splat(0x20);
  while (j + 16 <= to) {
    const v = v128.load(j);
    const hit = v128.or(v128.or(i8x16.eq(v, quote), i8x16.eq(v, backslash)), i8x16.lt_u(v, space));
    const bits = i8x16.bitmask(hit);
    if (bits != 0) return j + ctz<i32>(bits);
    j += 16;
  }
  while (j < to) {
    const c = <i32>load<u8>(j);
    if (c == QUOTE || c == BACKSLASH || c < 0x20) return j;
    j++;
  }
  return to;
}

/**
 * A string (its quote at `i`), written in JSON.stringify's escaping: characters copied, short
 * escapes kept, `\/` and `\u` escapes of anything but a control character, a quote, a
 * backslash or a lone surrogate written as the character (in UTF-8).
 */
function string(i: i32, to: i32): i32 {
  let escaped = false;
  put(QUOTE);
  let j = i + 1;
  while (j < to) {
    const run = j;
    j = plainRun(j, to);
    if (j >= to) return -1;
    const n = j - run;
    memory.copy(out + outLength, run, n);
    outLength += n;
    const c = <i32>load<u8>(j);
    if (c == QUOTE) {
      put(QUOTE);
      lastStringEscaped = escaped;
      return j + 1;
    }
    if (c < 0x20) return -1; // a raw control character is not allowed in a string
    if (j + 1 >= to) return -1;
    const e = <i32>load<u8>(j + 1);
    if (e == 0x75) {
      let code = hex4(j + 2, to);
      if (code < 0) return -1;
      j += 6;
      if (code >= 0xd800 && code <= 0xdbff) {
        const low =
          j + 1 < to && <i32>load<u8>(j) == BACKSLASH && <i32>load<u8>(j + 1) == 0x75
            ? hex4(j + 2, to)
            : -1;
        if (low >= 0xdc00 && low <= 0xdfff) {
          code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
          j += 6;
        }
      }
      if (code < 0x20 || code == QUOTE || code == BACKSLASH || (code >= 0xd800 && code <= 0xdfff)) {
        escapeCode(code);
        escaped = true;
      } else utf8(code);
    } else if (e == 0x2f) {
      put(0x2f); // \/ : JSON.stringify writes '/'
      j += 2;
    } else if (
      e == QUOTE ||
      e == BACKSLASH ||
      e == 0x62 ||
      e == 0x66 ||
      e == 0x6e ||
      e == 0x72 ||
      e == 0x74
    ) {
      put(BACKSLASH); // \" \\ \b \f \n \r \t are JSON.stringify's own
      put(e);
      escaped = true;
      j += 2;
    } else return -1;
  }
  return -1;
}

/** A number, copied when JSON.stringify would write its value the same way; else not taken. */
function number(i: i32, to: i32): i32 {
  const end = scanNumber(i, to);
  if (end < 0 || !plainNumber(i, end)) return -1;
  copy(i, end);
  return end;
}

function word(i: i32, to: i32, c0: i32, c1: i32, c2: i32, c3: i32, c4: i32, n: i32): i32 {
  if (i + n > to) return -1;
  if (
    <i32>load<u8>(i) != c0 ||
    <i32>load<u8>(i + 1) != c1 ||
    <i32>load<u8>(i + 2) != c2 ||
    <i32>load<u8>(i + 3) != c3 ||
    (n == 5 && <i32>load<u8>(i + 4) != c4)
  )
    return -1;
  copy(i, i + n);
  return i + n;
}

@inline
function copy(from: i32, to: i32): void {
  memory.copy(out + outLength, from, to - from);
  outLength += to - from;
}

function compareKeys(a0: i32, a1: i32, c0: i32, c1: i32): i32 {
  const la = a1 - a0;
  const lc = c1 - c0;
  const n = la < lc ? la : lc;
  for (let j = 0; j < n; j++) {
    const d = <i32>load<u8>(a0 + j) - <i32>load<u8>(c0 + j);
    if (d != 0) return d;
  }
  return la - lc;
}

/** The value of 4 hex digits at [i, i + 4), or -1. */
function hex4(i: i32, to: i32): i32 {
  if (i + 4 > to) return -1;
  let code = 0;
  for (let j = i; j < i + 4; j++) {
    const d = hexDigit(<i32>load<u8>(j));
    if (d < 0) return -1;
    code = code * 16 + d;
  }
  return code;
}

function hexDigit(c: i32): i32 {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

/** Writes a code unit as JSON.stringify escapes it (short form, else lower-case \u). */
function escapeCode(code: i32): void {
  put(BACKSLASH);
  let short = 0;
  if (code == 8) short = 0x62;
  else if (code == 9) short = 0x74;
  else if (code == 10) short = 0x6e;
  else if (code == 12) short = 0x66;
  else if (code == 13) short = 0x72;
  else if (code == 34) short = 0x22;
  else if (code == 92) short = 0x5c;
  if (short != 0) {
    put(short);
    return;
  }
  put(0x75);
  for (let shift = 12; shift >= 0; shift -= 4) {
    const d = (code >> shift) & 15;
    put(d < 10 ? 0x30 + d : 0x57 + d);
  }
}

/** Writes a code point (not a surrogate) in UTF-8. */
function utf8(code: i32): void {
  if (code < 0x80) put(code);
  else if (code < 0x800) {
    put(0xc0 | (code >> 6));
    put(0x80 | (code & 63));
  } else if (code < 0x10000) {
    put(0xe0 | (code >> 12));
    put(0x80 | ((code >> 6) & 63));
    put(0x80 | (code & 63));
  } else {
    put(0xf0 | (code >> 18));
    put(0x80 | ((code >> 12) & 63));
    put(0x80 | ((code >> 6) & 63));
    put(0x80 | (code & 63));
  }
}

/**
 * Whether the number text [i, end) (grammar already checked) is exactly what JSON.stringify
 * writes for its value: no exponent, at most 15 significant digits, no trailing zero in a
 * fraction, not -0, and not below 1e-6.
 */
function plainNumber(i: i32, end: i32): bool {
  let j = i;
  if (<i32>load<u8>(j) == 0x2d) j++;
  const intStart = j;
  while (j < end && <i32>load<u8>(j) != 0x2e) {
    const c = <i32>load<u8>(j);
    if (c == 0x65 || c == 0x45) return false;
    j++;
  }
  const intDigits = j - intStart;
  const zeroInt = intDigits == 1 && <i32>load<u8>(intStart) == 0x30;
  if (j == end) return intDigits <= 15 && !(zeroInt && <i32>load<u8>(i) == 0x2d);
  const fracStart = j + 1;
  let leadingZeros = 0;
  if (zeroInt)
    while (fracStart + leadingZeros < end && <i32>load<u8>(fracStart + leadingZeros) == 0x30)
      leadingZeros++;
  for (let k = fracStart; k < end; k++) {
    const c = <i32>load<u8>(k);
    if (c == 0x65 || c == 0x45) return false;
  }
  if (<i32>load<u8>(end - 1) == 0x30) return false; // 1.50, 0.0
  const fracDigits = end - fracStart;
  const significant = zeroInt ? fracDigits - leadingZeros : intDigits + fracDigits;
  return significant <= 15 && !(zeroInt && leadingZeros >= 6);
}

/** -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?: the index after it, or -1. */
function scanNumber(i: i32, to: i32): i32 {
  if (i < to && <i32>load<u8>(i) == 0x2d) i++;
  if (i >= to) return -1;
  if (<i32>load<u8>(i) == 0x30) i++;
  else if (isDigit(<i32>load<u8>(i))) while (i < to && isDigit(<i32>load<u8>(i))) i++;
  else return -1;
  if (i < to && <i32>load<u8>(i) == 0x2e) {
    i++;
    if (i >= to || !isDigit(<i32>load<u8>(i))) return -1;
    while (i < to && isDigit(<i32>load<u8>(i))) i++;
  }
  if (i < to && (<i32>load<u8>(i) == 0x65 || <i32>load<u8>(i) == 0x45)) {
    i++;
    if (i < to && (<i32>load<u8>(i) == 0x2b || <i32>load<u8>(i) == 0x2d)) i++;
    if (i >= to || !isDigit(<i32>load<u8>(i))) return -1;
    while (i < to && isDigit(<i32>load<u8>(i))) i++;
  }
  return i;
}

@inline
function isDigit(c: i32): bool {
  return c >= 0x30 && c <= 0x39;
}

/** JSON's whitespace: space, tab, line feed, carriage return. */
function skipSpace(i: i32, to: i32): i32 {
  while (i < to) {
    const c = <i32>load<u8>(i);
    if (c != 0x20 && c != 0x09 && c != 0x0d && c != 0x0a) break;
    i++;
  }
  return i;
}
