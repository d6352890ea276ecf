/**
 * An append-only Uint32Array that doubles when full: 4 bytes per example and figure, so a
 * dataset of millions of examples keeps its per-example counts without a JS array of numbers.
 * Counts fit: a JSONL line is one JS string (< 2^30 chars) and a token spans at least one char,
 * plus a few framing tokens per message.
 */
export class GrowableUint32Array {
  #values: Uint32Array;
  #length = 0;
  #sum = 0;

  constructor(initialCapacity = 1024) {
    this.#values = new Uint32Array(Math.max(1, initialCapacity));
  }

  get length(): number {
    return this.#length;
  }

  /** Sum of the values pushed: exact while below 2^53 (2^21 examples at the 32-bit maximum). */
  get sum(): number {
    return this.#sum;
  }

  push(value: number): void {
    if (!Number.isInteger(value) || value < 0 || value > 0xffff_ffff) {
      throw new RangeError(`${value} is not a count that fits in 32 bits`);
    }
    if (this.#length === this.#values.length) {
      const grown = new Uint32Array(this.#values.length * 2);
      grown.set(this.#values);
      this.#values = grown;
    }
    this.#values[this.#length++] = value;
    this.#sum += value;
  }

  /** A sorted copy of the values (numeric order: typed arrays sort by value). */
  sorted(): Uint32Array {
    return this.#values.slice(0, this.#length).sort();
  }
}
