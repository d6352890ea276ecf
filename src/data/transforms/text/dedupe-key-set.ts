/**
 * The set of dedupe keys seen: 128-bit hashes, of which it keeps the first 96 bits, in one
 * Int32Array (open addressing, linear probing). 12 bytes per slot, no object per entry, and
 * nothing for the garbage collector to trace, where a Map of strings would hold the text and an
 * object per entry.
 *
 * Why 96 bits: the table is what memory a dataset build needs per unique record (worker threads
 * cap it and spill past that, suffix-decisions.ts), and 96 bits still make a false duplicate
 * unlikely beyond any dataset:
 * about n^2 / 2^97, 6e-14 for a hundred million records. Equal hashes are compared in full
 * (all 96 bits); the slot comes from the first word.
 *
 * The all-zero key is the empty-slot marker, so it is remembered by a flag instead.
 */
export class DedupeKeySet {
  private table: Int32Array;
  private mask: number;
  private count = 0;
  private hasZero = false;
  /** Where `touch` and `grow` leave what they read, so that the reads are not optimized away. */
  touched = 0;

  /** `capacity` (slots) is rounded up to a power of two; the table doubles at 3/4 full. */
  constructor(capacity = 4096) {
    let slots = 4;
    while (slots < capacity) slots *= 2;
    this.table = new Int32Array(slots * WORDS);
    this.mask = slots - 1;
  }

  /** A set with room for `keys` keys before it grows. */
  static forCount(keys: number): DedupeKeySet {
    return new DedupeKeySet(Math.ceil((Math.max(keys, 3072) * 4) / 3));
  }

  /** Empties the set, keeping its table (no second table while the old one awaits collection). */
  clear(): void {
    this.table.fill(0);
    this.count = 0;
    this.hasZero = false;
  }

  get size(): number {
    return this.count + (this.hasZero ? 1 : 0);
  }

  /** Slots in the table now (for tests of growth). */
  get capacity(): number {
    return this.mask + 1;
  }

  /**
   * Reads the home slot of `count` keys in `hashes` (4 words each; the `first`-th of every
   * `stride`) and nothing more: independent loads the CPU overlaps, so that the `add`s after it
   * find their slots in cache. A hint only; the set does not change.
   */
  touch(hashes: Int32Array, count: number, first = 0, stride = 1): void {
    const table = this.table;
    const mask = this.mask;
    let any = 0;
    for (let i = 0; i < count; i++)
      any |= table[(hashes[(i * stride + first) * 4]! & mask) * WORDS]!;
    this.touched = any;
  }

  /** Whether the key in h[at..at+3) is in the set. */
  has(h: Int32Array, at = 0): boolean {
    const h0 = h[at]!;
    const h1 = h[at + 1]!;
    const h2 = h[at + 2]!;
    if ((h0 | h1 | h2) === 0) return this.hasZero;
    const table = this.table;
    const mask = this.mask;
    for (let slot = h0 & mask; ; slot = (slot + 1) & mask) {
      const t = slot * WORDS;
      const t0 = table[t]!;
      const t1 = table[t + 1]!;
      const t2 = table[t + 2]!;
      if ((t0 | t1 | t2) === 0) return false;
      if (t0 === h0 && t1 === h1 && t2 === h2) return true;
    }
  }

  /** Adds the key in h[at..at+3) (the rest of a 128-bit hash is ignored); true when it was not there yet. */
  add(h: Int32Array, at = 0): boolean {
    const h0 = h[at]!;
    const h1 = h[at + 1]!;
    const h2 = h[at + 2]!;
    if ((h0 | h1 | h2) === 0) {
      if (this.hasZero) return false;
      this.hasZero = true;
      return true;
    }
    const table = this.table;
    const mask = this.mask;
    let slot = h0 & mask;
    for (;;) {
      const t = slot * WORDS;
      const t0 = table[t]!;
      const t1 = table[t + 1]!;
      const t2 = table[t + 2]!;
      if ((t0 | t1 | t2) === 0) break;
      if (t0 === h0 && t1 === h1 && t2 === h2) return false;
      slot = (slot + 1) & mask;
    }
    const t = slot * WORDS;
    table[t] = h0;
    table[t + 1] = h1;
    table[t + 2] = h2;
    this.count++;
    if (this.count * 4 > this.capacity * 3) this.grow();
    return true;
  }

  private grow(): void {
    const old = this.table;
    const slots = this.capacity * 2;
    const table = new Int32Array(slots * WORDS);
    const mask = slots - 1;
    // In chunks: touch the new home slots first (overlapping misses, as in `touch`), then move.
    const chunk = 64 * WORDS;
    let any = 0;
    for (let from = 0; from < old.length; from += chunk) {
      const to = Math.min(from + chunk, old.length);
      for (let at = from; at < to; at += WORDS) any |= table[(old[at]! & mask) * WORDS]!;
      for (let at = from; at < to; at += WORDS) {
        if (isEmpty(old, at)) continue;
        let slot = old[at]! & mask;
        while (!isEmpty(table, slot * WORDS)) slot = (slot + 1) & mask;
        const t = slot * WORDS;
        table[t] = old[at]!;
        table[t + 1] = old[at + 1]!;
        table[t + 2] = old[at + 2]!;
      }
    }
    this.table = table;
    this.mask = mask;
    this.touched = any;
  }
}

/** Words (int32) kept per key. */
const WORDS = 3;

function isEmpty(table: Int32Array, at: number): boolean {
  return (table[at]! | table[at + 1]! | table[at + 2]!) === 0;
}
