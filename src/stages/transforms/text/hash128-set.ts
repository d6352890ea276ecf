/**
 * A set of 128-bit hashes in one Int32Array (open addressing, linear probing): 16 bytes per slot
 * and no object per entry (the table is 3/8 to 3/4 full, so 21 to 43 bytes per hash), and
 * nothing for the garbage collector to trace, where a Map of strings would hold the text and
 * an object per entry. Membership compares all 128 bits; the slot comes from the first word.
 *
 * The all-zero hash is the empty-slot marker, so it is remembered by a flag instead.
 */
export class Hash128Set {
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
    this.table = new Int32Array(slots * 4);
    this.mask = slots - 1;
  }

  get size(): number {
    return this.count + (this.hasZero ? 1 : 0);
  }

  /** Slots in the table now (for tests of growth). */
  get capacity(): number {
    return this.mask + 1;
  }

  /**
   * Reads the home slot of each of the `count` hashes in `hashes` (4 words each) and nothing
   * more: independent loads the CPU overlaps, so that the `add`s after it find their slots in
   * cache. A hint only; the set does not change.
   */
  touch(hashes: Int32Array, count: number): void {
    const table = this.table;
    const mask = this.mask;
    let any = 0;
    for (let i = 0; i < count; i++) any |= table[(hashes[i * 4]! & mask) << 2]!;
    this.touched = any;
  }

  /** Adds the hash in h[at..at+4); true when it was not there yet. */
  add(h: Int32Array, at = 0): boolean {
    const h0 = h[at]!;
    const h1 = h[at + 1]!;
    const h2 = h[at + 2]!;
    const h3 = h[at + 3]!;
    if ((h0 | h1 | h2 | h3) === 0) {
      if (this.hasZero) return false;
      this.hasZero = true;
      return true;
    }
    const table = this.table;
    const mask = this.mask;
    let slot = h0 & mask;
    for (;;) {
      const t = slot << 2;
      const t0 = table[t]!;
      const t1 = table[t + 1]!;
      const t2 = table[t + 2]!;
      const t3 = table[t + 3]!;
      if ((t0 | t1 | t2 | t3) === 0) break;
      if (t0 === h0 && t1 === h1 && t2 === h2 && t3 === h3) return false;
      slot = (slot + 1) & mask;
    }
    const t = slot << 2;
    table[t] = h0;
    table[t + 1] = h1;
    table[t + 2] = h2;
    table[t + 3] = h3;
    this.count++;
    if (this.count * 4 > this.capacity * 3) this.grow();
    return true;
  }

  private grow(): void {
    const old = this.table;
    const slots = this.capacity * 2;
    const table = new Int32Array(slots * 4);
    const mask = slots - 1;
    // In chunks: touch the new home slots first (overlapping misses, as in `touch`), then move.
    const chunk = 64 * 4;
    let any = 0;
    for (let from = 0; from < old.length; from += chunk) {
      const to = Math.min(from + chunk, old.length);
      for (let at = from; at < to; at += 4) any |= table[(old[at]! & mask) << 2]!;
      for (let at = from; at < to; at += 4) {
        if (isEmpty(old, at)) continue;
        let slot = old[at]! & mask;
        while (!isEmpty(table, slot << 2)) slot = (slot + 1) & mask;
        const t = slot << 2;
        table[t] = old[at]!;
        table[t + 1] = old[at + 1]!;
        table[t + 2] = old[at + 2]!;
        table[t + 3] = old[at + 3]!;
      }
    }
    this.table = table;
    this.mask = mask;
    this.touched = any;
  }
}

function isEmpty(table: Int32Array, at: number): boolean {
  return (table[at]! | table[at + 1]! | table[at + 2]! | table[at + 3]!) === 0;
}
