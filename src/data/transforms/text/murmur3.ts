/**
 * MurmurHash3 (Austin Appleby, public domain), the x86 variants: 32-bit and 128-bit. Fast,
 * non-cryptographic, and made of 32-bit multiplies (Math.imul), which JavaScript does natively;
 * the x64 variant needs 64-bit products and runs several times slower here. Dedupe hashes
 * millions of records per second with these; nothing security-relevant depends on them.
 *
 * murmur3x86_32 hashes a range of a string's UTF-16 code units, little-endian: the reference
 * function over those bytes of `Buffer.from(text, 'utf16le')`, with no copy or encoding. The
 * 128-bit forms hash bytes (see string-hash128.ts for strings), and come as a streaming form too.
 * The `*Bytes` forms read byte by byte, exactly as the reference does; the tests pin them to
 * SMHasher's verification values and the fast forms to them.
 */

const C1_32 = 0xcc9e2d51;
const C2_32 = 0x1b873593;

const C1 = 0x239b961b;
const C2 = 0xab0e9789;
const C3 = 0x38b34ae5;
const C4 = 0xa1e38b93;

/** The final avalanche of MurmurHash3: a bijection on 32-bit values. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

function mix32(h: number, k: number): number {
  k = Math.imul(k, C1_32);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, C2_32);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function tail32(h: number, k: number): number {
  k = Math.imul(k, C1_32);
  k = (k << 15) | (k >>> 17);
  return h ^ Math.imul(k, C2_32);
}

/** MurmurHash3_x86_32 of the code units text[start..end), as a signed 32-bit integer. */
export function murmur3x86_32(text: string, start: number, end: number, seed: number): number {
  let h = seed | 0;
  let i = start;
  const blocksEnd = end - ((end - start) & 1);
  for (; i < blocksEnd; i += 2) {
    h = mix32(h, text.charCodeAt(i) | (text.charCodeAt(i + 1) << 16));
  }
  if (i < end) h = tail32(h, text.charCodeAt(i));
  return fmix32(h ^ ((end - start) * 2));
}

/** MurmurHash3_x86_32 of ints[start..end) taken as 32-bit little-endian words. */
export function murmur3x86_32Ints(
  ints: Int32Array,
  start: number,
  end: number,
  seed: number,
): number {
  let h = seed | 0;
  for (let i = start; i < end; i++) h = mix32(h, ints[i]!);
  return fmix32(h ^ ((end - start) * 4));
}

/** MurmurHash3_x86_32 of bytes: the reference form, against which the string forms are tested. */
export function murmur3x86_32Bytes(bytes: Uint8Array, seed: number): number {
  const length = bytes.length;
  const blocksEnd = length - (length & 3);
  let h = seed | 0;
  let i = 0;
  for (; i < blocksEnd; i += 4) {
    h = mix32(h, bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24));
  }
  const rest = length & 3;
  if (rest > 0) {
    let k = bytes[i]!;
    if (rest > 1) k |= bytes[i + 1]! << 8;
    if (rest > 2) k |= bytes[i + 2]! << 16;
    h = tail32(h, k);
  }
  return fmix32(h ^ length);
}

// The four lanes of MurmurHash3_x86_128's block step; each takes the lane, its right neighbour
// (already updated for h4's neighbour h1, as in the reference) and the block's word.
function lane1(h: number, next: number, k: number): number {
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  h ^= Math.imul(k, C2);
  h = (h << 19) | (h >>> 13);
  return (Math.imul((h + next) | 0, 5) + 0x561ccd1b) | 0;
}

function lane2(h: number, next: number, k: number): number {
  k = Math.imul(k, C2);
  k = (k << 16) | (k >>> 16);
  h ^= Math.imul(k, C3);
  h = (h << 17) | (h >>> 15);
  return (Math.imul((h + next) | 0, 5) + 0x0bcaa747) | 0;
}

function lane3(h: number, next: number, k: number): number {
  k = Math.imul(k, C3);
  k = (k << 17) | (k >>> 15);
  h ^= Math.imul(k, C4);
  h = (h << 15) | (h >>> 17);
  return (Math.imul((h + next) | 0, 5) + 0x96cd1c35) | 0;
}

function lane4(h: number, next: number, k: number): number {
  k = Math.imul(k, C4);
  k = (k << 18) | (k >>> 14);
  h ^= Math.imul(k, C1);
  h = (h << 13) | (h >>> 19);
  return (Math.imul((h + next) | 0, 5) + 0x32ac3b17) | 0;
}

/*
 * Streaming MurmurHash3_x86_128 over whole 16-byte blocks, for hashes of hashes: the state is
 * four words of the caller's array at `at`. Init, then Mix per block (k1..k4 are its four
 * little-endian words), then Final with the total byte length: exactly the reference function
 * over the concatenated blocks.
 */

export function murmur3x86_128Init(state: Int32Array, at: number, seed: number): void {
  state.fill(seed | 0, at, at + 4);
}

export function murmur3x86_128Mix(
  state: Int32Array,
  at: number,
  k1: number,
  k2: number,
  k3: number,
  k4: number,
): void {
  const h1 = lane1(state[at]!, state[at + 1]!, k1);
  const h2 = lane2(state[at + 1]!, state[at + 2]!, k2);
  const h3 = lane3(state[at + 2]!, state[at + 3]!, k3);
  state[at] = h1;
  state[at + 1] = h2;
  state[at + 2] = h3;
  state[at + 3] = lane4(state[at + 3]!, h1, k4);
}

/** The finalization (length, cross-lane sums, fmix32), in place. */
export function murmur3x86_128Final(state: Int32Array, at: number, byteLength: number): void {
  let h1 = state[at]! ^ byteLength;
  let h2 = state[at + 1]! ^ byteLength;
  let h3 = state[at + 2]! ^ byteLength;
  let h4 = state[at + 3]! ^ byteLength;
  h1 = (h1 + h2 + h3 + h4) | 0;
  h2 = (h2 + h1) | 0;
  h3 = (h3 + h1) | 0;
  h4 = (h4 + h1) | 0;
  h1 = fmix32(h1);
  h2 = fmix32(h2);
  h3 = fmix32(h3);
  h4 = fmix32(h4);
  h1 = (h1 + h2 + h3 + h4) | 0;
  state[at] = h1;
  state[at + 1] = (h2 + h1) | 0;
  state[at + 2] = (h3 + h1) | 0;
  state[at + 3] = (h4 + h1) | 0;
}

/**
 * MurmurHash3_x86_128 of the first `length` bytes under `words` (a view of a byte buffer from its
 * start), read as 32-bit words: the fast form, for little-endian machines, where those words are
 * the reference's little-endian words. Writes to out[at..at+4). The last word is read whole and
 * the bytes past `length` masked off.
 */
export function murmur3x86_128Words(
  words: Int32Array,
  length: number,
  seed: number,
  out: Int32Array,
  at: number,
): void {
  let h1 = seed | 0;
  let h2 = h1;
  let h3 = h1;
  let h4 = h1;
  const blocksEnd = (length >>> 4) << 2;
  let w = 0;
  for (; w < blocksEnd; w += 4) {
    h1 = lane1(h1, h2, words[w]!);
    h2 = lane2(h2, h3, words[w + 1]!);
    h3 = lane3(h3, h4, words[w + 2]!);
    h4 = lane4(h4, h1, words[w + 3]!);
  }
  const rest = length & 15;
  if (rest > 0) {
    // Whole tail words from the buffer, with the bytes past the end masked off.
    const last = (rest - 1) >>> 2;
    const mask = -1 >>> (8 * (3 - ((rest - 1) & 3)));
    if (last === 3) h4 = tail128(h4, words[w + 3]! & mask, C4, 18, C1);
    if (last >= 2) h3 = tail128(h3, last === 2 ? words[w + 2]! & mask : words[w + 2]!, C3, 17, C4);
    if (last >= 1) h2 = tail128(h2, last === 1 ? words[w + 1]! & mask : words[w + 1]!, C2, 16, C3);
    h1 = tail128(h1, last === 0 ? words[w]! & mask : words[w]!, C1, 15, C2);
  }
  out[at] = h1;
  out[at + 1] = h2;
  out[at + 2] = h3;
  out[at + 3] = h4;
  murmur3x86_128Final(out, at, length);
}

/**
 * MurmurHash3_x86_128 of an ASCII string's bytes (its code units), to out[at..at+4), straight
 * from charCodeAt: for short strings, cheaper than any native copy. Returns false, with `out`
 * untouched, when a code unit is not ASCII (its UTF-8 bytes are not its code units then).
 */
export function murmur3x86_128Ascii(
  text: string,
  seed: number,
  out: Int32Array,
  at: number,
): boolean {
  const length = text.length;
  let h1 = seed | 0;
  let h2 = h1;
  let h3 = h1;
  let h4 = h1;
  let units = 0;
  let i = 0;
  const blocksEnd = length - (length & 15);
  for (; i < blocksEnd; i += 16) {
    const k1 = asciiWord(text, i);
    const k2 = asciiWord(text, i + 4);
    const k3 = asciiWord(text, i + 8);
    const k4 = asciiWord(text, i + 12);
    units |= k1 | k2 | k3 | k4;
    h1 = lane1(h1, h2, k1);
    h2 = lane2(h2, h3, k2);
    h3 = lane3(h3, h4, k3);
    h4 = lane4(h4, h1, k4);
  }
  const rest = length & 15;
  if (rest > 0) {
    let k1 = 0;
    let k2 = 0;
    let k3 = 0;
    let k4 = 0;
    for (let b = 0; b < rest; b++) {
      const unit = text.charCodeAt(i + b);
      if (unit > 0x7f) return false;
      const shifted = unit << ((b & 3) * 8);
      if (b < 4) k1 |= shifted;
      else if (b < 8) k2 |= shifted;
      else if (b < 12) k3 |= shifted;
      else k4 |= shifted;
    }
    if (rest > 12) h4 = tail128(h4, k4, C4, 18, C1);
    if (rest > 8) h3 = tail128(h3, k3, C3, 17, C4);
    if (rest > 4) h2 = tail128(h2, k2, C2, 16, C3);
    h1 = tail128(h1, k1, C1, 15, C2);
  }
  if (units === NOT_ASCII) return false;
  out[at] = h1;
  out[at + 1] = h2;
  out[at + 2] = h3;
  out[at + 3] = h4;
  murmur3x86_128Final(out, at, length);
  return true;
}

/** Marks a non-ASCII unit seen by asciiWord: no OR of ASCII bytes equals it. */
const NOT_ASCII = -1;

/**
 * Four ASCII code units as one little-endian word; NOT_ASCII (all bits set, which no four ASCII
 * bytes are, as their top bits are clear) when one of them is not ASCII.
 */
function asciiWord(text: string, i: number): number {
  const a = text.charCodeAt(i);
  const b = text.charCodeAt(i + 1);
  const c = text.charCodeAt(i + 2);
  const d = text.charCodeAt(i + 3);
  if ((a | b | c | d) > 0x7f) return NOT_ASCII;
  return a | (b << 8) | (c << 16) | (d << 24);
}

/** MurmurHash3_x86_128 of bytes: the reference form, against which the others are tested. */
export function murmur3x86_128Bytes(
  bytes: Uint8Array,
  seed: number,
  out: Int32Array,
  at = 0,
  length = bytes.length,
): void {
  const word = (at: number) =>
    bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24);
  murmur3x86_128Init(out, at, seed);
  let i = 0;
  const blocksEnd = length - (length & 15);
  for (; i < blocksEnd; i += 16) {
    murmur3x86_128Mix(out, at, word(i), word(i + 4), word(i + 8), word(i + 12));
  }
  const rest = length & 15;
  const tailWord = (from: number) => {
    let k = 0;
    for (let b = from; b < from + 4 && b < rest; b++) k |= bytes[i + b]! << (8 * (b - from));
    return k;
  };
  if (rest > 12) out[at + 3] = tail128(out[at + 3]!, tailWord(12), C4, 18, C1);
  if (rest > 8) out[at + 2] = tail128(out[at + 2]!, tailWord(8), C3, 17, C4);
  if (rest > 4) out[at + 1] = tail128(out[at + 1]!, tailWord(4), C2, 16, C3);
  if (rest > 0) out[at] = tail128(out[at]!, tailWord(0), C1, 15, C2);
  murmur3x86_128Final(out, at, length);
}

function tail128(h: number, k: number, ca: number, rotate: number, cb: number): number {
  k = Math.imul(k, ca);
  k = (k << rotate) | (k >>> (32 - rotate));
  return h ^ Math.imul(k, cb);
}
