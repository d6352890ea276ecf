import type {Vocabulary} from './vocab.js';

/**
 * Open-addressing hash table from a token's key (a sequence of UTF-16 units) to its rank, probed
 * with a slice s[start..end] of a larger string without creating that slice. Most pieces are whole
 * tokens, so this lookup is the encoder's hottest path; a Map would need a fresh string
 * (allocation + hashing) per piece.
 *
 * Two flavours are built per encoding: keyed by token text (tokens that are valid UTF-8, probed
 * with pieces of the input) and keyed by token bytes as a binary string (one unit per byte,
 * probed by the byte-pair merge).
 */
export class TokenTable {
  private readonly slots: Int32Array; // rank + 1; 0 = empty
  private readonly mask: number;

  /** Key of rank r: chars[start[r] .. start[r] + length[r]]; length -1 = not in the table. */
  private constructor(
    private readonly chars: Uint16Array,
    private readonly start: Uint32Array,
    private readonly length: Int32Array,
    source: string,
  ) {
    let keys = 0;
    for (let r = 0; r < length.length; r++) if (length[r]! >= 0) keys++;
    let size = 1024;
    while (size < keys * 2.5) size *= 2; // load factor <= 0.4 keeps probe chains short
    this.slots = new Int32Array(size);
    this.mask = size - 1;
    for (let r = 0; r < length.length; r++) {
      const len = length[r]!;
      if (len < 0) continue;
      const from = start[r]!;
      let h = hashUnits(chars, from, from + len) & this.mask;
      for (let v = this.slots[h]!; v !== 0; v = this.slots[h]!) {
        if (this.sameKey(v - 1, chars, from, len)) {
          throw new Error(`${source}: ranks ${v - 1} and ${r} have the same bytes`);
        }
        h = (h + 1) & this.mask;
      }
      this.slots[h] = r + 1;
    }
  }

  /** Table keyed by token bytes, one UTF-16 unit (0-255) per byte. */
  static ofBytes(vocab: Vocabulary, source: string): TokenTable {
    const {bytes, offsets, present, maxRank} = vocab;
    const length = new Int32Array(maxRank + 1);
    for (let r = 0; r <= maxRank; r++) length[r] = present[r] ? offsets[r + 1]! - offsets[r]! : -1;
    return new TokenTable(
      Uint16Array.from(bytes),
      offsets.subarray(0, maxRank + 1),
      length,
      source,
    );
  }

  /**
   * Table keyed by token text, for tokens whose bytes are valid UTF-8 (only those can equal a
   * piece of well-formed text; the others, e.g. half a character, are reached by merging).
   */
  static ofText(vocab: Vocabulary, source: string): TokenTable {
    const {bytes, offsets, present, maxRank} = vocab;
    const chars = new Uint16Array(bytes.length); // UTF-16 never needs more units than UTF-8 bytes
    const start = new Uint32Array(maxRank + 1);
    const length = new Int32Array(maxRank + 1).fill(-1);
    let at = 0;
    for (let r = 0; r <= maxRank; r++) {
      if (!present[r]) continue;
      const units = decodeUtf8(bytes, offsets[r]!, offsets[r + 1]!, chars, at);
      if (units < 0) continue;
      start[r] = at;
      length[r] = units;
      at += units;
    }
    return new TokenTable(chars, start, length, source);
  }

  /** Rank of the token whose key is s[start..end], or -1. */
  get(s: string, start: number, end: number): number {
    const slots = this.slots;
    const mask = this.mask;
    const len = end - start;
    let h = 0x811c9dc5 | 0;
    for (let i = start; i < end; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
    h = (h ^ (h >>> 15)) & mask;
    for (;;) {
      const v = slots[h]!;
      if (v === 0) return -1;
      const rank = v - 1;
      if (this.length[rank] === len) {
        const chars = this.chars;
        let o = this.start[rank]!;
        let i = start;
        while (i < end && chars[o] === s.charCodeAt(i)) {
          i++;
          o++;
        }
        if (i === end) return rank;
      }
      h = (h + 1) & mask;
    }
  }

  private sameKey(rank: number, chars: Uint16Array, from: number, len: number): boolean {
    if (this.length[rank] !== len) return false;
    const other = this.start[rank]!;
    for (let i = 0; i < len; i++) if (chars[other + i] !== chars[from + i]) return false;
    return true;
  }
}

/** FNV-1a over UTF-16 units, folded; must agree with the loop inlined in TokenTable#get. */
function hashUnits(chars: Uint16Array, start: number, end: number): number {
  let h = 0x811c9dc5 | 0;
  for (let i = start; i < end; i++) h = Math.imul(h ^ chars[i]!, 0x01000193);
  return h ^ (h >>> 15);
}

/**
 * Strict UTF-8 -> UTF-16 (rejects overlong forms, surrogates, code points above U+10FFFF and
 * truncated sequences). Writes into out at `at`; returns the unit count or -1 if invalid.
 */
function decodeUtf8(
  b: Uint8Array,
  start: number,
  end: number,
  out: Uint16Array,
  at: number,
): number {
  let o = at;
  let i = start;
  while (i < end) {
    const c = b[i]!;
    if (c < 0x80) {
      out[o++] = c;
      i++;
      continue;
    }
    let need: number;
    let cp: number;
    let min: number;
    if (c >= 0xc0 && c < 0xe0) {
      need = 1;
      cp = c & 0x1f;
      min = 0x80;
    } else if (c >= 0xe0 && c < 0xf0) {
      need = 2;
      cp = c & 0x0f;
      min = 0x800;
    } else if (c >= 0xf0 && c < 0xf8) {
      need = 3;
      cp = c & 0x07;
      min = 0x10000;
    } else {
      return -1;
    }
    if (i + need >= end) return -1; // truncated
    for (let k = 1; k <= need; k++) {
      const d = b[i + k]!;
      if ((d & 0xc0) !== 0x80) return -1;
      cp = (cp << 6) | (d & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return -1;
    if (cp >= 0x10000) {
      out[o++] = 0xd800 + ((cp - 0x10000) >> 10);
      out[o++] = 0xdc00 + ((cp - 0x10000) & 0x3ff);
    } else {
      out[o++] = cp;
    }
    i += need + 1;
  }
  return o - at;
}
