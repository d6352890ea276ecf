import {fmix32, murmur3x86_128Final, murmur3x86_128Init, murmur3x86_128Mix} from './murmur3.js';
import {StringHasher} from './string-hash128.js';

// Seeds that keep the kinds of value apart (a string never hashes like a number or a list).
const STRING = 0x51ed270b;
const NUMBER = 0x2545f491;
const ARRAY = 0x6c8e9cf5;
const OBJECT = 0x3c6ef372;
const ENTRY = 0x1b873593;
const NULL = 0x7f4a7c15;
const TRUE = 0x0d2b79f5;
const FALSE = 0x4f1bbcdc;
const LANE1 = 0x6a09e667;
const LANE2 = 0x5be0cd19;
const LANE3 = 0x510e527f;
/** Distinct keys whose hashes are kept (records with free-form keys just stop adding). */
const MAX_CACHED_KEYS = 4096;
const POSITIONS = 16;
const LEVELS = 8;

/**
 * A 128-bit hash of a JSON value whose equality is exactly canonical-JSON (RFC 8785) equality,
 * up to hash collisions, computed without building the canonical text: canonicalJson costs
 * several times the hash itself (key sorts, one JSON.stringify per string, string joins), and
 * exact dedupe runs on every record of the dataset.
 *
 * A hash tree; every node's four 32-bit lanes end in MurmurHash3_x86_128's finalization (which
 * mixes each lane into all four), with a seed per kind of value so that kinds never meet:
 * - string: MurmurHash3_x86_128 of its UTF-8 (string-hash128.ts); JSON escaping is one-to-one,
 *   so equal strings are exactly equal JSON strings;
 * - number: its float64 bits, -0 as 0 (both are `0` in JSON; equal numbers, equal JSON text);
 * - true, false, null: constants; undefined or a hole in an array is null, as in canonical JSON;
 * - array: per lane, murmur's block step chained over that lane of the items' hashes, in order;
 * - object: per lane, the sum over its entries of a mix of the key's and the value's lane, so
 *   key order never matters (what canonical JSON's key sort achieves); an entry whose value is
 *   undefined is absent, as in canonical JSON.
 * Non-finite numbers and values JSON has no form for throw, as canonicalJson does.
 */
export class ValueHasher {
  /** Work space: 16 words per nesting level (its result at the start). */
  private stack = new Int32Array(16 * 32);
  private readonly strings = new StringHasher();
  private readonly float = new Float64Array(1);
  private readonly floatWords = new Int32Array(this.float.buffer);
  /** Hashes of object keys, which repeat in every record: key -> its slot in keyHashes. */
  private readonly keySlots = new Map<string, number>();
  private readonly keyHashes = new Int32Array(4 * (MAX_CACHED_KEYS + 1));
  /** Per nesting level and key position (the first levels and positions): the last key there. */
  private readonly lastKeys: (string | undefined)[] = new Array(POSITIONS * LEVELS).fill(undefined);
  private readonly lastKeyOffsets = new Int32Array(POSITIONS * LEVELS);

  /** Writes the hash of `value` to out[at..at+4). */
  hash(value: unknown, out: Int32Array, at = 0): void {
    this.hashInto(value, 0);
    const s = this.stack;
    out[at] = s[0]!;
    out[at + 1] = s[1]!;
    out[at + 2] = s[2]!;
    out[at + 3] = s[3]!;
  }

  private hashInto(value: unknown, at: number): void {
    if (at + 16 > this.stack.length) {
      const bigger = new Int32Array(this.stack.length * 2);
      bigger.set(this.stack);
      this.stack = bigger;
    }
    switch (typeof value) {
      case 'string':
        this.strings.hash(value, STRING, this.stack, at);
        return;
      case 'number': {
        if (!Number.isFinite(value)) throw new TypeError(`canonical JSON has no form for ${value}`);
        this.float[0] = value === 0 ? 0 : value;
        const state = this.stack;
        murmur3x86_128Init(state, at, NUMBER);
        murmur3x86_128Mix(state, at, this.floatWords[0]!, this.floatWords[1]!, 0, 0);
        murmur3x86_128Final(state, at, 16);
        return;
      }
      case 'boolean':
        this.constant(value ? TRUE : FALSE, at);
        return;
      case 'undefined':
        this.constant(NULL, at);
        return;
      case 'object':
        if (value === null) this.constant(NULL, at);
        else if (Array.isArray(value)) this.array(value, at);
        else this.object(value as Record<string, unknown>, at);
        return;
      default:
        throw new TypeError(`canonical JSON has no form for a ${typeof value}`);
    }
  }

  /**
   * keyHash, with a one-entry cache per nesting level and key position first: records share
   * their shape, so the key met here last time is nearly always the key met now, and comparing
   * strings (identical, interned keys: one pointer compare) is cheaper than a Map lookup.
   */
  private keyHashAt(name: string, at: number, i: number): number {
    if (i >= POSITIONS) return this.keyHash(name);
    const position = (at >>> 4) * POSITIONS + i;
    if (position >= this.lastKeys.length) return this.keyHash(name);
    if (this.lastKeys[position] === name) return this.lastKeyOffsets[position]!;
    const offset = this.keyHash(name);
    if (offset < MAX_CACHED_KEYS * 4) {
      this.lastKeys[position] = name;
      this.lastKeyOffsets[position] = offset;
    }
    return offset;
  }

  /** The offset in keyHashes of the hash of `name`: cached, or else in the last (scratch) slot. */
  private keyHash(name: string): number {
    const slot = this.keySlots.get(name);
    if (slot !== undefined) return slot;
    const fresh = this.keySlots.size;
    const at = fresh < MAX_CACHED_KEYS ? fresh * 4 : MAX_CACHED_KEYS * 4;
    this.strings.hash(name, STRING, this.keyHashes, at);
    if (fresh < MAX_CACHED_KEYS) this.keySlots.set(name, at);
    return at;
  }

  private constant(seed: number, at: number): void {
    const s = this.stack;
    s[at] = seed;
    s[at + 1] = seed;
    s[at + 2] = seed;
    s[at + 3] = seed;
    murmur3x86_128Final(s, at, 0);
  }

  /** Lane-wise ordered chain over the items' hashes, then murmur's cross-lane finalization. */
  private array(items: readonly unknown[], at: number): void {
    const child = at + 16;
    let h0 = ARRAY;
    let h1 = ARRAY ^ LANE1;
    let h2 = ARRAY ^ LANE2;
    let h3 = ARRAY ^ LANE3;
    for (let i = 0; i < items.length; i++) {
      this.hashInto(items[i], child);
      const s = this.stack;
      h0 = chain(h0, s[child]!);
      h1 = chain(h1, s[child + 1]!);
      h2 = chain(h2, s[child + 2]!);
      h3 = chain(h3, s[child + 3]!);
    }
    const s = this.stack;
    s[at] = h0;
    s[at + 1] = h1;
    s[at + 2] = h2;
    s[at + 3] = h3;
    murmur3x86_128Final(s, at, items.length);
  }

  /** Lane-wise sum over the entries (order-free), then murmur's cross-lane finalization. */
  private object(record: Record<string, unknown>, at: number): void {
    const child = at + 16;
    let h0 = OBJECT;
    let h1 = OBJECT ^ LANE1;
    let h2 = OBJECT ^ LANE2;
    let h3 = OBJECT ^ LANE3;
    let entries = 0;
    const names = Object.keys(record);
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      const value = record[name];
      if (value === undefined) continue;
      entries++;
      this.hashInto(value, child);
      const s = this.stack;
      const k = this.keyHashAt(name, at, i);
      const keys = this.keyHashes;
      h0 = (h0 + entry(keys[k]!, s[child]!)) | 0;
      h1 = (h1 + entry(keys[k + 1]!, s[child + 1]!)) | 0;
      h2 = (h2 + entry(keys[k + 2]!, s[child + 2]!)) | 0;
      h3 = (h3 + entry(keys[k + 3]!, s[child + 3]!)) | 0;
    }
    const s = this.stack;
    s[at] = h0;
    s[at + 1] = h1;
    s[at + 2] = h2;
    s[at + 3] = h3;
    murmur3x86_128Final(s, at, entries);
  }
}

/** One step of an ordered 32-bit chain (murmur's block step on one lane). */
function chain(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  h ^= Math.imul(k, 0x1b873593);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** One lane of an entry: mixes a key lane and a value lane, asymmetrically. */
function entry(key: number, value: number): number {
  return fmix32((key + Math.imul(value ^ ENTRY, 0x9e3779b1)) | 0);
}
