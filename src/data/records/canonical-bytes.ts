/**
 * Writes the canonical JSON (RFC 8785, as core/canonical-json.ts makes it) of a JSON text
 * straight from its UTF-8 bytes, without parsing it into objects: the members of each object
 * are found, sorted by key and written in that order, strings already in JSON.stringify's
 * escaping and numbers it writes the same way are copied as they are, and only what must change
 * is written again (other escapes, such as Python's `\u00e9`; other numbers). For every text it
 * takes, the output is byte for byte Buffer.from(canonicalJson(JSON.parse(text))).
 *
 * It checks the grammar as strictly as JSON.parse, and refuses (returns false) what it does not
 * take: keys with escapes or non-ASCII characters (their order in UTF-16 needs the text),
 * repeated keys, nesting deeper than MAX_DEPTH. The caller then parses the ordinary way. The
 * bytes must be valid UTF-8.
 */
/**
 * What a writer of canonical JSON leaves of the last text it took: its bytes, and where each
 * wanted top-level field's value is in them (`start`, `end`: [start, end), quotes included for
 * strings) and what it is (`state`: ABSENT, PLAIN, ESCAPED or OTHER).
 */
export interface WrittenCanonical {
  readonly buffer: Buffer;
  readonly length: number;
  readonly start: ArrayLike<number>;
  readonly end: ArrayLike<number>;
  readonly state: ArrayLike<number>;
}

export class CanonicalWriter implements WrittenCanonical {
  /** The output; `length` bytes of it are written. */
  buffer: Buffer = Buffer.allocUnsafe(64 * 1024);
  length = 0;
  /**
   * For each wanted top-level field (the constructor's `fields`), where its value's canonical
   * JSON is in `buffer` ([start, end), quotes included for strings) and what it is: ABSENT,
   * PLAIN (a string without escapes), ESCAPED (a string with escapes), OTHER (not a string).
   */
  readonly start: Int32Array;
  readonly end: Int32Array;
  readonly state: Uint8Array;
  readonly #fields: readonly Uint8Array[];
  /** Members of the objects being written (MEMBER_INTS each, see #object). */
  #members = new Int32Array(MEMBER_INTS * 256);
  #top = 0;
  /** The input's memory as 32-bit words, to scan strings 4 bytes at a time (plainRun). */
  #words: Int32Array<ArrayBufferLike> = new Int32Array(0);
  #wordsOf: ArrayBufferLike | undefined;
  /** Where the input starts in `#words`' memory, in bytes. */
  #wordsBase = 0;
  /** The key order of the last top-level object that needed sorting. */
  readonly #order = new KeyOrder();

  /** `fields`: top-level field names whose values to locate (plain ASCII names). */
  constructor(fields: readonly string[] = []) {
    this.#fields = fields.map((f) => Buffer.from(f, 'latin1'));
    this.start = new Int32Array(fields.length);
    this.end = new Int32Array(fields.length);
    this.state = new Uint8Array(fields.length);
  }

  /**
   * Writes the canonical JSON of the value at bytes[from, to) (whitespace around it allowed),
   * from offset 0 of `buffer`, and locates the wanted fields. False when the text is not JSON,
   * or not taken.
   */
  write(b: Uint8Array, from: number, to: number): boolean {
    if (b.buffer !== this.#wordsOf) {
      this.#wordsOf = b.buffer;
      this.#words = new Int32Array(b.buffer, 0, b.buffer.byteLength >>> 2);
    }
    this.#wordsBase = b.byteOffset;
    this.length = 0;
    this.#top = 0;
    this.state.fill(ABSENT);
    const i = this.#value(b, skipSpace(b, from, to), to, 0);
    return i >= 0 && skipSpace(b, i, to) === to;
  }

  /** The value starting at `i`, written; the index after it, or -1. */
  #value(b: Uint8Array, i: number, to: number, depth: number): number {
    if (i >= to) return -1;
    const c = b[i]!;
    if (c === QUOTE) return this.#string(b, i, to);
    if (c === OPEN_BRACE) return depth >= MAX_DEPTH ? -1 : this.#object(b, i, to, depth);
    if (c === OPEN_BRACKET) return depth >= MAX_DEPTH ? -1 : this.#array(b, i, to, depth);
    if (c === 0x74) return this.#word(b, i, to, TRUE);
    if (c === 0x66) return this.#word(b, i, to, FALSE);
    if (c === 0x6e) return this.#word(b, i, to, NULL);
    return this.#number(b, i, to);
  }

  /**
   * An object: its members are written as they come (`"key":value`, values in canonical form),
   * then, unless their keys already come in order, copied aside and written again in key order
   * (keys are ASCII: byte order is UTF-16 code unit order).
   */
  #object(b: Uint8Array, i: number, to: number, depth: number): number {
    const base = this.#top;
    const open = this.length;
    this.#byte(OPEN_BRACE);
    let n = 0;
    let sorted = true;
    i = skipSpace(b, i + 1, to);
    if (i < to && b[i] === CLOSE_BRACE) {
      this.#byte(CLOSE_BRACE);
      return i + 1;
    }
    for (;;) {
      if (i >= to || b[i] !== QUOTE) return -1;
      const keyStart = i + 1;
      let k = keyStart;
      while (k < to && b[k] !== QUOTE) {
        const kc = b[k]!;
        if (kc === BACKSLASH || kc >= 0x80 || kc < 0x20) return -1; // not taken (or invalid)
        k++;
      }
      if (k >= to) return -1;
      i = skipSpace(b, k + 1, to);
      if (i >= to || b[i] !== COLON) return -1;
      i = skipSpace(b, i + 1, to);
      if (n > 0) {
        this.#byte(COMMA);
        const previous = base + MEMBER_INTS * (n - 1);
        const order = compareKeys(
          b,
          this.#members[previous]!,
          this.#members[previous + 1]!,
          keyStart,
          k,
        );
        if (order === 0) return -1; // a repeated key: JSON.parse keeps the last; not taken
        if (order > 0) sorted = false;
      }
      const memberStart = this.length;
      this.#copy(b, keyStart - 1, k + 1);
      this.#byte(COLON);
      const valueStart = this.length;
      const at = base + MEMBER_INTS * n;
      if (at + MEMBER_INTS > this.#members.length) this.#growMembers();
      this.#top = at + MEMBER_INTS; // nested objects keep their members above this one
      i = this.#value(b, i, to, depth + 1);
      if (i < 0) return -1;
      const m = this.#members;
      m[at] = keyStart;
      m[at + 1] = k;
      m[at + 2] = memberStart;
      m[at + 3] = valueStart;
      m[at + 4] = this.length;
      m[at + 5] = b[i - 1] === QUOTE ? (lastStringEscaped ? ESCAPED : PLAIN) : OTHER;
      m[at + 6] = n;
      n++;
      i = skipSpace(b, i, to);
      if (i >= to) return -1;
      if (b[i] === CLOSE_BRACE) break;
      if (b[i] !== COMMA) return -1;
      i = skipSpace(b, i + 1, to);
    }
    this.#byte(CLOSE_BRACE);
    if (!sorted) {
      // Lines of a file mostly list the same keys in the same order: their order is kept.
      if (!(depth === 0 && this.#order.apply(this.#members, base, n, b))) {
        if (!sortMembers(this.#members, base, n, b)) return -1; // a repeated key
        if (depth === 0) this.#order.remember(this.#members, base, n, b);
      }
      this.#reorder(base, n, open);
    }
    if (depth === 0) this.#locate(b, base, n);
    this.#top = base;
    return i + 1;
  }

  /** Writes the n members at `base` again, in their (sorted) order, after `open`'s brace. */
  #reorder(base: number, n: number, open: number): void {
    const from = open + 1;
    const size = this.length - 1 - from;
    // The members are put in order past the end, then moved back: copyWithin needs no views.
    if (this.length + size > this.buffer.length) this.#grow(size);
    const out = this.buffer;
    const tail = this.length;
    const m = this.#members;
    let at = tail;
    for (let j = 0; j < n; j++) {
      const e = base + MEMBER_INTS * j;
      if (j > 0) out[at++] = COMMA;
      const memberStart = m[e + 2]!;
      const memberEnd = m[e + 4]!;
      const shift = from + (at - tail) - memberStart;
      out.copyWithin(at, memberStart, memberEnd);
      at += memberEnd - memberStart;
      m[e + 2] = memberStart + shift;
      m[e + 3] = m[e + 3]! + shift;
      m[e + 4] = memberEnd + shift;
    }
    out.copyWithin(from, tail, tail + size);
  }

  /** Records where the wanted fields' values are, among the top-level members at `base`. */
  #locate(b: Uint8Array, base: number, n: number): void {
    const fields = this.#fields;
    if (fields.length === 0) return;
    const m = this.#members;
    for (let j = 0; j < n; j++) {
      const e = base + MEMBER_INTS * j;
      const keyStart = m[e]!;
      const length = m[e + 1]! - keyStart;
      next: for (let f = 0; f < fields.length; f++) {
        const name = fields[f]!;
        if (name.length !== length) continue;
        for (let x = 0; x < length; x++) if (name[x] !== b[keyStart + x]) continue next;
        this.start[f] = m[e + 3]!;
        this.end[f] = m[e + 4]!;
        this.state[f] = m[e + 5]!;
        break;
      }
    }
  }

  #array(b: Uint8Array, i: number, to: number, depth: number): number {
    this.#byte(OPEN_BRACKET);
    i = skipSpace(b, i + 1, to);
    if (i < to && b[i] === CLOSE_BRACKET) {
      this.#byte(CLOSE_BRACKET);
      return i + 1;
    }
    for (let first = true; ; first = false) {
      if (!first) this.#byte(COMMA);
      i = this.#value(b, i, to, depth + 1);
      if (i < 0) return -1;
      i = skipSpace(b, i, to);
      if (i >= to) return -1;
      if (b[i] === CLOSE_BRACKET) {
        this.#byte(CLOSE_BRACKET);
        return i + 1;
      }
      if (b[i] !== COMMA) return -1;
      i = skipSpace(b, i + 1, to);
    }
  }

  /**
   * A string (its quote at `i`), written in JSON.stringify's escaping in one pass: characters
   * are copied, short escapes kept, `\/` and `\u` escapes of anything but a control character,
   * a quote, a backslash or a lone surrogate written as the character (in UTF-8).
   */
  #string(b: Uint8Array, i: number, to: number): number {
    // The canonical form is never longer than the text (an escape never grows).
    if (this.length + (to - i) > this.buffer.length) this.#grow(to - i);
    const out = this.buffer;
    let at = this.length;
    let escaped = false;
    out[at++] = QUOTE;
    let j = i + 1;
    while (j < to) {
      // A run of characters that are copied as they are: found first, then copied at once.
      const run = j;
      j = plainRun(b, this.#words, this.#wordsBase, j, to);
      if (j >= to) return -1;
      const c = b[j]!;
      if (j - run > 48) {
        out.set(b.subarray(run, j), at);
        at += j - run;
      } else for (let x = run; x < j; x++) out[at++] = b[x]!;
      if (c === QUOTE) {
        out[at++] = QUOTE;
        this.length = at;
        lastStringEscaped = escaped;
        return j + 1;
      }
      if (c < 0x20) return -1; // a raw control character is not allowed in a string
      if (j + 1 >= to) return -1;
      const e = b[j + 1]!;
      if (e === 0x75) {
        let code = hex4(b, j + 2, to);
        if (code < 0) return -1;
        j += 6;
        if (code >= 0xd800 && code <= 0xdbff) {
          const low =
            j + 1 < to && b[j] === BACKSLASH && b[j + 1] === 0x75 ? hex4(b, j + 2, to) : -1;
          if (low >= 0xdc00 && low <= 0xdfff) {
            code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
            j += 6;
          }
        }
        if (
          code < 0x20 ||
          code === QUOTE ||
          code === BACKSLASH ||
          (code >= 0xd800 && code <= 0xdfff)
        ) {
          at = escapeCode(out, at, code);
          escaped = true;
        } else at = utf8(out, at, code);
      } else if (e === 0x2f) {
        out[at++] = 0x2f; // \/ : JSON.stringify writes '/'
        j += 2;
      } else if (
        e === QUOTE ||
        e === BACKSLASH ||
        e === 0x62 ||
        e === 0x66 ||
        e === 0x6e ||
        e === 0x72 ||
        e === 0x74
      ) {
        out[at++] = BACKSLASH; // \" \\ \b \f \n \r \t are JSON.stringify's own
        out[at++] = e;
        escaped = true;
        j += 2;
      } else return -1;
    }
    return -1;
  }

  /**
   * A number: copied when JSON.stringify would write its value the same way (plainNumber), else
   * written as JSON.stringify writes its value.
   */
  #number(b: Uint8Array, i: number, to: number): number {
    const end = scanNumber(b, i, to);
    if (end < 0) return -1;
    if (plainNumber(b, i, end)) this.#copy(b, i, end);
    else {
      const value = Number(Buffer.from(b.buffer, b.byteOffset + i, end - i).toString('latin1'));
      // Beyond a double's range (1e400): canonical JSON has no form for it; not taken.
      if (!Number.isFinite(value)) return -1;
      this.#text(JSON.stringify(value));
    }
    return end;
  }

  #word(b: Uint8Array, i: number, to: number, spelled: Uint8Array): number {
    if (i + spelled.length > to) return -1;
    for (let j = 0; j < spelled.length; j++) if (b[i + j] !== spelled[j]) return -1;
    this.#copy(b, i, i + spelled.length);
    return i + spelled.length;
  }

  #byte(c: number): void {
    if (this.length === this.buffer.length) this.#grow(1);
    this.buffer[this.length++] = c;
  }

  #copy(b: Uint8Array, from: number, to: number): void {
    const n = to - from;
    if (this.length + n > this.buffer.length) this.#grow(n);
    const out = this.buffer;
    if (n <= 32) {
      let at = this.length;
      for (let j = from; j < to; j++) out[at++] = b[j]!;
    } else out.set(b.subarray(from, to), this.length);
    this.length += n;
  }

  #text(text: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    if (this.length + text.length * 3 > this.buffer.length) this.#grow(text.length * 3);
    this.length += this.buffer.write(text, this.length, 'utf8');
  }

  #grow(more: number): void {
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + more));
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }

  #growMembers(): void {
    const grown = new Int32Array(this.#members.length * 2);
    grown.set(this.#members);
    this.#members = grown;
  }
}

/**
 * The sorted order of one object's keys, kept to sort the next object with the same keys in the
 * same order (the next line of a file, mostly) without comparing them again.
 */
class KeyOrder {
  #keys = Buffer.allocUnsafe(1024);
  #ends = new Int32Array(64);
  #order = new Int32Array(64);
  #n = -1;
  #rows = new Int32Array(64 * MEMBER_INTS);

  /** Puts the n members at m[base..] in the remembered order, when their keys are the same. */
  apply(m: Int32Array, base: number, n: number, b: Uint8Array): boolean {
    if (n !== this.#n) return false;
    const keys = this.#keys;
    const ends = this.#ends;
    // In input order, the j-th member is the one whose place (slot 6) is j.
    for (let j = 0; j < n; j++) {
      const at = base + MEMBER_INTS * j;
      const from = j === 0 ? 0 : ends[j - 1]!;
      const keyStart = m[at]!;
      const length = m[at + 1]! - keyStart;
      if (length !== ends[j]! - from) return false;
      for (let x = 0; x < length; x++) if (keys[from + x] !== b[keyStart + x]) return false;
    }
    const rows = this.#rows;
    for (let x = 0; x < n * MEMBER_INTS; x++) rows[x] = m[base + x]!;
    for (let j = 0; j < n; j++) {
      const row = this.#order[j]! * MEMBER_INTS;
      const to = base + MEMBER_INTS * j;
      for (let w = 0; w < MEMBER_INTS; w++) m[to + w] = rows[row + w]!;
    }
    return true;
  }

  /** Remembers the order of n sorted members, whose keys are read from `b`. */
  remember(m: Int32Array, base: number, n: number, b: Uint8Array): void {
    if (n > this.#ends.length) {
      this.#n = -1; // larger objects are sorted each time
      return;
    }
    if (this.#rows.length < n * MEMBER_INTS) this.#rows = new Int32Array(n * MEMBER_INTS);
    // Keys in input order: member at sorted position j came from input place m[.. + 6].
    const starts = new Int32Array(n);
    const lengths = new Int32Array(n);
    let total = 0;
    for (let j = 0; j < n; j++) {
      const at = base + MEMBER_INTS * j;
      const place = m[at + 6]!;
      this.#order[j] = place;
      starts[place] = m[at]!;
      lengths[place] = m[at + 1]! - m[at]!;
      total += lengths[place]!;
    }
    if (this.#keys.length < total) this.#keys = Buffer.allocUnsafe(total * 2);
    let end = 0;
    for (let place = 0; place < n; place++) {
      for (let x = 0; x < lengths[place]!; x++) this.#keys[end + x] = b[starts[place]! + x]!;
      end += lengths[place]!;
      this.#ends[place] = end;
    }
    this.#n = n;
  }
}

/**
 * Sorts the n members at m[base..] by key bytes (insertion sort: objects are small; a big one
 * takes the array sort). False when two keys are equal.
 */
function sortMembers(m: Int32Array, base: number, n: number, b: Uint8Array): boolean {
  const W = MEMBER_INTS;
  const at = (j: number) => base + W * j;
  if (n > 32) {
    const order = Array.from({length: n}, (_, j) => Array.from(m.subarray(at(j), at(j) + W)));
    order.sort((x, y) => compareKeys(b, x[0]!, x[1]!, y[0]!, y[1]!));
    for (let j = 0; j < n; j++) m.set(order[j]!, at(j));
  } else {
    for (let j = 1; j < n; j++) {
      for (let w = 0; w < W; w++) held[w] = m[at(j) + w]!;
      let p = j - 1;
      while (p >= 0 && compareKeys(b, m[at(p)]!, m[at(p) + 1]!, held[0]!, held[1]!) > 0) {
        for (let w = 0; w < W; w++) m[at(p + 1) + w] = m[at(p) + w]!;
        p--;
      }
      for (let w = 0; w < W; w++) m[at(p + 1) + w] = held[w]!;
    }
  }
  for (let j = 1; j < n; j++) {
    if (compareKeys(b, m[at(j - 1)]!, m[at(j - 1) + 1]!, m[at(j)]!, m[at(j) + 1]!) === 0)
      return false;
  }
  return true;
}

function compareKeys(b: Uint8Array, a0: number, a1: number, c0: number, c1: number): number {
  const n = Math.min(a1 - a0, c1 - c0);
  for (let j = 0; j < n; j++) {
    const d = b[a0 + j]! - b[c0 + j]!;
    if (d !== 0) return d;
  }
  return a1 - a0 - (c1 - c0);
}

/**
 * The index of the first byte of b[j, to) that ends a run of characters copied as they are (a
 * quote, a backslash, a control character), or `to`. `words` is b's memory as 32-bit words and
 * b starts `base` bytes into it: aligned words are tested 4 bytes at a time (a word holds such a
 * byte exactly when one of its bytes is below 0x20, or equal to 0x22 or 0x5c: the tests below
 * are exact for that, only which byte it is needs the bytes), the rest byte by byte.
 */
function plainRun(
  b: Uint8Array,
  words: Int32Array<ArrayBufferLike>,
  base: number,
  j: number,
  to: number,
): number {
  while (j < to && ((base + j) & 3) !== 0) {
    const c = b[j]!;
    if (c === QUOTE || c === BACKSLASH || c < 0x20) return j;
    j++;
  }
  let w = (base + j) >>> 2;
  const last = (base + to) >>> 2; // words wholly before `to`
  while (w < last) {
    const x = words[w]!;
    const q = x ^ 0x22222222;
    const s = x ^ 0x5c5c5c5c;
    const hit =
      (((x - 0x20202020) | 0) & ~x) | (((q - 0x01010101) | 0) & ~q) | (((s - 0x01010101) | 0) & ~s);
    if ((hit & 0x80808080) !== 0) break;
    w++;
  }
  j = w * 4 - base;
  while (j < to) {
    const c = b[j]!;
    if (c === QUOTE || c === BACKSLASH || c < 0x20) return j;
    j++;
  }
  return to;
}

/** Whether the last string written has escapes in its canonical form. */
let lastStringEscaped = false;

/** The value of 4 hex digits at b[i..i+4), or -1. */
function hex4(b: Uint8Array, i: number, to: number): number {
  if (i + 4 > to) return -1;
  let code = 0;
  for (let j = i; j < i + 4; j++) {
    const d = hexDigit(b[j]!);
    if (d < 0) return -1;
    code = code * 16 + d;
  }
  return code;
}

/** Writes a code unit as JSON.stringify escapes it (short form, else lower-case \u). */
function escapeCode(out: Buffer, at: number, code: number): number {
  out[at++] = BACKSLASH;
  const short = SHORT_ESCAPES[code];
  if (short !== undefined) {
    out[at++] = short;
    return at;
  }
  out[at++] = 0x75;
  for (let shift = 12; shift >= 0; shift -= 4) out[at++] = LOWER_HEX[(code >> shift) & 15]!;
  return at;
}

/** Writes a code point (not a surrogate) in UTF-8. */
function utf8(out: Buffer, at: number, code: number): number {
  if (code < 0x80) out[at++] = code;
  else if (code < 0x800) {
    out[at++] = 0xc0 | (code >> 6);
    out[at++] = 0x80 | (code & 63);
  } else if (code < 0x10000) {
    out[at++] = 0xe0 | (code >> 12);
    out[at++] = 0x80 | ((code >> 6) & 63);
    out[at++] = 0x80 | (code & 63);
  } else {
    out[at++] = 0xf0 | (code >> 18);
    out[at++] = 0x80 | ((code >> 12) & 63);
    out[at++] = 0x80 | ((code >> 6) & 63);
    out[at++] = 0x80 | (code & 63);
  }
  return at;
}

/** The letter of each code JSON.stringify escapes short: \b \t \n \f \r \" \\. */
const SHORT_ESCAPES: Readonly<Record<number, number>> = {
  8: 0x62,
  9: 0x74,
  10: 0x6e,
  12: 0x66,
  13: 0x72,
  34: 0x22,
  92: 0x5c,
};
const LOWER_HEX = Buffer.from('0123456789abcdef');

/**
 * Whether the number text b[i, end) (grammar already checked) is exactly what JSON.stringify
 * writes for its value: no exponent, at most 15 significant digits (a double tells every such
 * decimal apart, so the shortest form that reads back is the text itself), no trailing zero in
 * a fraction, not -0, and not below 1e-6 (which JSON.stringify writes with an exponent).
 */
function plainNumber(b: Uint8Array, i: number, end: number): boolean {
  let j = i;
  if (b[j] === 0x2d) j++;
  const intStart = j;
  while (j < end && b[j] !== 0x2e) {
    const c = b[j]!;
    if (c === 0x65 || c === 0x45) return false;
    j++;
  }
  const intDigits = j - intStart;
  const zeroInt = intDigits === 1 && b[intStart] === 0x30;
  if (j === end) return intDigits <= 15 && !(zeroInt && b[i] === 0x2d);
  // A fraction: j is at the point.
  const fracStart = j + 1;
  let leadingZeros = 0;
  if (zeroInt)
    while (fracStart + leadingZeros < end && b[fracStart + leadingZeros] === 0x30) leadingZeros++;
  for (let k = fracStart; k < end; k++) {
    const c = b[k]!;
    if (c === 0x65 || c === 0x45) return false;
  }
  if (b[end - 1] === 0x30) return false; // 1.50, 0.0
  const fracDigits = end - fracStart;
  const significant = zeroInt ? fracDigits - leadingZeros : intDigits + fracDigits;
  return significant <= 15 && !(zeroInt && leadingZeros >= 6);
}

/** -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?: the index after it, or -1. */
function scanNumber(b: Uint8Array, i: number, to: number): number {
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

/** JSON's whitespace: space, tab, line feed, carriage return. */
function skipSpace(b: Uint8Array, i: number, to: number): number {
  while (i < to) {
    const c = b[i]!;
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d && c !== 0x0a) break;
    i++;
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

/** Deeper values are left to JSON.parse. */
const MAX_DEPTH = 64;
/**
 * A member being written: key start and end (input), member start, value start and end
 * (output), state, and its place among the object's members in the input.
 */
const MEMBER_INTS = 7;
/** The member being inserted (sortMembers). */
const held = new Int32Array(MEMBER_INTS);

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
const TRUE = Buffer.from('true');
const FALSE = Buffer.from('false');
const NULL = Buffer.from('null');
