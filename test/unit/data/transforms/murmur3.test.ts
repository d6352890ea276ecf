import {describe, expect, it} from 'vitest';
import {
  fmix32,
  murmur3x86_32,
  murmur3x86_32Bytes,
  murmur3x86_32Ints,
  murmur3x86_128Ascii,
  murmur3x86_128Bytes,
  murmur3x86_128Final,
  murmur3x86_128Init,
  murmur3x86_128Mix,
  murmur3x86_128Words,
} from '../../../../src/data/transforms/text/murmur3.js';
import {StringHasher} from '../../../../src/data/transforms/text/string-hash128.js';
import {random} from './helpers.js';

/**
 * SMHasher's VerificationTest: hash the keys {}, {0}, {0,1}, ... {0..254} with seed 256 - length,
 * hash the concatenated results with seed 0, and read the first 4 bytes little-endian. The
 * published values pin the implementation to the reference, byte for byte.
 */
function verification(hashBytes: number, hash: (key: Uint8Array, seed: number) => Uint8Array) {
  const key = new Uint8Array(256);
  const hashes = new Uint8Array(hashBytes * 256);
  for (let i = 0; i < 256; i++) {
    key[i] = i;
    hashes.set(hash(key.subarray(0, i), 256 - i), i * hashBytes);
  }
  const final = hash(hashes, 0);
  return (final[0]! | (final[1]! << 8) | (final[2]! << 16) | (final[3]! << 24)) >>> 0;
}

/** 32-bit words as little-endian bytes, as the reference writes and reads them. */
function leBytes(words: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(words.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < words.length; i++) view.setInt32(i * 4, words[i]!, true);
  return out;
}

function bytes128(bytes: Uint8Array, seed: number): Int32Array {
  const out = new Int32Array(4);
  murmur3x86_128Bytes(bytes, seed, out);
  return out;
}

const utf16 = (text: string) => new Uint8Array(Buffer.from(text, 'utf16le'));
const utf8 = (text: string) => new Uint8Array(Buffer.from(text, 'utf8'));

function randomText(next: () => number, length: number, alphabet: string): string {
  const chars = [...alphabet];
  let out = '';
  for (let i = 0; i < length; i++) out += chars[Math.floor(next() * chars.length)];
  return out;
}

describe('MurmurHash3', () => {
  it('x86_32 matches the SMHasher verification value', () => {
    const value = verification(4, (key, seed) => leBytes([murmur3x86_32Bytes(key, seed)]));
    expect(value.toString(16)).toBe('b0f57ee3');
  });

  it('x86_128 matches the SMHasher verification value', () => {
    const value = verification(16, (key, seed) => leBytes(bytes128(key, seed)));
    expect(value.toString(16)).toBe('b3ece62a');
  });

  it('fmix32 is the reference finalizer', () => {
    expect(fmix32(0)).toBe(0);
    // fmix32(1), worked through by hand from the reference's steps.
    let h = 1;
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    expect(fmix32(1)).toBe(h);
  });

  it('x86_32 over a string range equals the reference over those UTF-16LE bytes', () => {
    const next = random(1);
    for (let n = 0; n < 300; n++) {
      const text = randomText(next, Math.floor(next() * 40), 'ab c\u00e9\u4e2d\ud83d\ude00');
      const start = Math.floor(next() * (text.length + 1));
      const end = start + Math.floor(next() * (text.length - start + 1));
      const seed = Math.floor(next() * 2 ** 32) | 0;
      expect(murmur3x86_32(text, start, end, seed)).toBe(
        murmur3x86_32Bytes(utf16(text.slice(start, end)), seed),
      );
    }
  });

  it('x86_32 over ints equals the reference over their little-endian bytes', () => {
    const ints = Int32Array.from([1, -2, 0x7fffffff, -0x80000000, 12345, 0]);
    for (let start = 0; start <= ints.length; start++) {
      for (let end = start; end <= ints.length; end++) {
        expect(murmur3x86_32Ints(ints, start, end, 9)).toBe(
          murmur3x86_32Bytes(leBytes(ints.subarray(start, end)), 9),
        );
      }
    }
  });

  it('the streaming x86_128 form equals the reference over whole blocks', () => {
    const next = random(2);
    for (let blocks = 0; blocks < 6; blocks++) {
      const words = Array.from({length: blocks * 4}, () => Math.floor(next() * 2 ** 32) | 0);
      const state = new Int32Array(8);
      murmur3x86_128Init(state, 4, 77);
      for (let b = 0; b < blocks; b++) {
        murmur3x86_128Mix(
          state,
          4,
          words[b * 4]!,
          words[b * 4 + 1]!,
          words[b * 4 + 2]!,
          words[b * 4 + 3]!,
        );
      }
      murmur3x86_128Final(state, 4, blocks * 16);
      expect([...state.subarray(4)]).toEqual([...bytes128(leBytes(words), 77)]);
    }
  });

  it('the word-reading and ASCII x86_128 forms equal the reference, every tail length', () => {
    const next = random(3);
    const buffer = new Uint8Array(256);
    const words = new Int32Array(buffer.buffer);
    for (let length = 0; length <= 70; length++) {
      const text = randomText(next, length, 'abcdefghijklmnopqrstuvwxyz0123456789 {}":,');
      const expected = [...bytes128(utf8(text), 5)];
      // Stale bytes past the end must not leak into the hash.
      buffer.fill(0xab);
      const {written} = new TextEncoder().encodeInto(text, buffer);
      const out = new Int32Array(8);
      murmur3x86_128Words(words, written, 5, out, 4);
      expect([...out.subarray(4)]).toEqual(expected);
      expect(murmur3x86_128Ascii(text, 5, out, 0)).toBe(true);
      expect([...out.subarray(0, 4)]).toEqual(expected);
    }
  });

  it('the ASCII form refuses text that is not ASCII, leaving the output alone', () => {
    const out = new Int32Array(4).fill(7);
    for (const text of [
      '\u0080',
      'abc\u00e9',
      `${'a'.repeat(17)}\u4e2d`,
      `${'a'.repeat(15)}\u0100`,
    ]) {
      expect(murmur3x86_128Ascii(text, 0, out, 0)).toBe(false);
      expect([...out]).toEqual([7, 7, 7, 7]);
    }
  });
});

describe('the string hash', () => {
  const hasher = new StringHasher();
  const hashOf = (text: string, seed = 0) => {
    const out = new Int32Array(4);
    hasher.hash(text, seed, out);
    return [...out];
  };

  it('is MurmurHash3_x86_128 of the UTF-8 bytes, short or long, ASCII or not', () => {
    const next = random(4);
    for (let n = 0; n < 400; n++) {
      const length = Math.floor(next() * (n % 2 === 0 ? 40 : 300));
      const alphabet = n % 3 === 0 ? 'abc xyz' : 'ab \u00e9\u00df\u4e2d\ud83d\ude00\u0000"\\';
      const text = randomText(next, length, alphabet);
      expect(hashOf(text, n)).toEqual([...bytes128(utf8(text), n)]);
    }
  });

  it('gives the same hash for a text given as its UTF-8 bytes, anywhere in a buffer', () => {
    const next = random(8);
    for (let n = 0; n < 200; n++) {
      const text = randomText(next, Math.floor(next() * 300), 'ab \u00e9\u4e2d\ud83d\ude00"');
      const bytes = utf8(`..${text}..`);
      const out = new Int32Array(4);
      hasher.hashUtf8(bytes, 2, bytes.length - 2, n, out);
      expect([...out]).toEqual(hashOf(text, n));
    }
    const long = utf8('x\u00e9'.repeat(10_000));
    const out = new Int32Array(4);
    new StringHasher().hashUtf8(long, 0, long.length, 0, out);
    expect([...out]).toEqual([...bytes128(long, 0)]);
  });

  it('grows its buffer for long strings', () => {
    const text = 'x\u00e9'.repeat(10_000);
    expect(hashOf(text)).toEqual([...bytes128(utf8(text), 0)]);
  });

  it('keeps a lone surrogate apart from the U+FFFD that UTF-8 would write for it', () => {
    expect(hashOf('a\ud800b')).not.toEqual(hashOf('a\ufffdb'));
    expect(hashOf('a\udc00b')).not.toEqual(hashOf('a\ufffdb'));
    expect(hashOf('a\ud800b')).not.toEqual(hashOf('a\udc00b'));
    expect(hashOf('a\ud800b')).toEqual(hashOf('a\ud800b'));
  });

  it('depends on the seed and on every character', () => {
    expect(hashOf('hello', 1)).not.toEqual(hashOf('hello', 2));
    expect(hashOf('hello')).not.toEqual(hashOf('hellp'));
    expect(hashOf('')).not.toEqual(hashOf(' '));
  });
});
