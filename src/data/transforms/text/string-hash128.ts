import {murmur3x86_128Ascii, murmur3x86_128Bytes, murmur3x86_128Words} from './murmur3.js';

/**
 * The 128-bit hash of a string: MurmurHash3_x86_128 of its UTF-8 bytes, written to
 * out[at..at+4). Short ASCII strings are hashed straight from their code units; others are
 * encoded once (TextEncoder#encodeInto, native) into a reused buffer and read as 32-bit words.
 *
 * UTF-8 cannot carry a lone surrogate (the encoder writes U+FFFD instead), so a string with one
 * is hashed as the UTF-8 of its JSON form (`"\ud800"`, which spells the surrogate out) under
 * another seed: no string with a lone surrogate hashes like one without, by construction.
 */
export class StringHasher {
  private bytes = new Uint8Array(4096);
  private words = new Int32Array(this.bytes.buffer);
  private readonly encoder = new TextEncoder();

  hash(text: string, seed: number, out: Int32Array, at = 0): void {
    if (text.length <= SHORT && murmur3x86_128Ascii(text, seed, out, at)) return;
    if (!isWellFormed(text)) {
      this.encoded(JSON.stringify(text), seed ^ LONE_SURROGATE, out, at);
      return;
    }
    this.encoded(text, seed, out, at);
  }

  /**
   * The hash of a well-formed text given as its UTF-8 bytes, bytes[from, to): what `hash` gives
   * for the text, without decoding it.
   */
  hashUtf8(bytes: Uint8Array, from: number, to: number, seed: number, out: Int32Array, at = 0) {
    this.room(to - from);
    this.bytes.set(bytes.subarray(from, to));
    this.murmur(to - from, seed, out, at);
  }

  private encoded(text: string, seed: number, out: Int32Array, at: number): void {
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    this.room(text.length * 3);
    const {written} = this.encoder.encodeInto(text, this.bytes);
    this.murmur(written, seed, out, at);
  }

  /** Makes the reused buffer hold at least `size` bytes. */
  private room(size: number): void {
    if (size <= this.bytes.length) return;
    let grown = this.bytes.length;
    while (size > grown) grown *= 2;
    this.bytes = new Uint8Array(grown);
    this.words = new Int32Array(this.bytes.buffer);
  }

  /** MurmurHash3_x86_128 of the buffer's first `length` bytes (read as words where it can). */
  private murmur(length: number, seed: number, out: Int32Array, at: number): void {
    if (LITTLE_ENDIAN) murmur3x86_128Words(this.words, length, seed, out, at);
    else murmur3x86_128Bytes(this.bytes, seed, out, at, length);
  }
}

/** Up to this many code units, charCodeAt beats a native encode call (measured on Node 24). */
const SHORT = 24;
const LONE_SURROGATE = 0x2f1b5c3d;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

// String#isWellFormed is ES2024 (Node >= 20); the project's lib is ES2023.
const isWellFormed = (text: string): boolean =>
  (text as unknown as {isWellFormed(): boolean}).isWellFormed();
