import {murmur3x86_32Ints} from './murmur3.js';

/**
 * MinHash LSH over the signatures of the records kept so far: signature i is cut into `bands`
 * bands of `rows` slots, and records sharing a band are candidates, confirmed only when the
 * fraction of equal slots reaches the threshold. Everything lives in typed arrays (no object
 * per record or bucket): the kept signatures back to back, one hash table of 32-bit band keys
 * (band index mixed into the key) to the newest record of the bucket, and per (record, band) the
 * link to the next older one. A 32-bit band key collision only adds a candidate, which the
 * signature comparison then rejects.
 */
export class NearDuplicateIndex {
  private readonly numPerm: number;
  private readonly bands: number;
  private readonly rows: number;
  /** Equal slots needed: the least e with e / numPerm >= threshold. */
  private readonly minEqual: number;
  private kept = 0;
  private query = 0;
  private signatures: Int32Array;
  /** Per record and band: 1 + the next older record's node in the bucket, 0 at the end. */
  private next: Int32Array;
  /** Per record: the last query that compared against it (no record is compared twice). */
  private checked: Int32Array;
  private keys: Int32Array;
  /** Per table slot: 1 + the newest node (record * bands + band) of the bucket; 0 is empty. */
  private heads: Int32Array;
  private used = 0;
  private readonly bandKeys: Int32Array;

  constructor(numPerm: number, threshold: number, bands: number, rows: number) {
    if (bands * rows > numPerm || bands < 1 || rows < 1) {
      throw new Error(`LSH needs bands * rows <= num_perm, got ${bands} * ${rows} > ${numPerm}`);
    }
    this.numPerm = numPerm;
    this.bands = bands;
    this.rows = rows;
    let minEqual = Math.max(0, Math.min(numPerm, Math.ceil(threshold * numPerm)));
    while (minEqual > 0 && (minEqual - 1) / numPerm >= threshold) minEqual--;
    while (minEqual < numPerm && minEqual / numPerm < threshold) minEqual++;
    this.minEqual = minEqual;
    const records = 1024;
    this.signatures = new Int32Array(records * numPerm);
    this.next = new Int32Array(records * bands);
    this.checked = new Int32Array(records);
    this.keys = new Int32Array(4096);
    this.heads = new Int32Array(4096);
    this.bandKeys = new Int32Array(bands);
  }

  /** How many signatures are kept. */
  get size(): number {
    return this.kept;
  }

  /**
   * True when `signature` is a near duplicate of a kept one; otherwise keeps it (so it is
   * compared against from now on) and returns false.
   */
  addUnlessNear(signature: Int32Array): boolean {
    const {bands, rows} = this;
    const query = ++this.query;
    for (let band = 0; band < bands; band++) {
      const key = murmur3x86_32Ints(signature, band * rows, (band + 1) * rows, band);
      this.bandKeys[band] = key;
      const slot = this.find(key);
      let node = this.heads[slot]!;
      while (node !== 0) {
        const record = Math.floor((node - 1) / bands);
        if (this.checked[record] !== query) {
          this.checked[record] = query;
          if (this.near(signature, record)) return true;
        }
        node = this.next[node - 1]!;
      }
    }
    this.keep(signature);
    return false;
  }

  private near(signature: Int32Array, record: number): boolean {
    const n = this.numPerm;
    const base = record * n;
    const signatures = this.signatures;
    // Stop as soon as too many slots differ to reach the threshold.
    let mismatchesLeft = n - this.minEqual;
    for (let i = 0; i < n; i++) {
      if (signatures[base + i] !== signature[i] && --mismatchesLeft < 0) return false;
    }
    return true;
  }

  private keep(signature: Int32Array): void {
    const record = this.kept++;
    if (this.kept > this.checked.length) this.growRecords();
    this.signatures.set(signature.subarray(0, this.numPerm), record * this.numPerm);
    for (let band = 0; band < this.bands; band++) {
      const key = this.bandKeys[band]!;
      const node = record * this.bands + band;
      const slot = this.find(key);
      if (this.heads[slot] === 0) {
        this.keys[slot] = key;
        this.used++;
      } else {
        this.next[node] = this.heads[slot]!;
      }
      this.heads[slot] = node + 1;
      if (this.used * 4 > this.keys.length * 3) this.growTable();
    }
  }

  /** The slot of `key`: its bucket, or the empty slot where it would go. */
  private find(key: number): number {
    const mask = this.keys.length - 1;
    let slot = key & mask;
    while (this.heads[slot] !== 0 && this.keys[slot] !== key) slot = (slot + 1) & mask;
    return slot;
  }

  private growRecords(): void {
    const records = this.checked.length * 2;
    this.signatures = resized(this.signatures, records * this.numPerm);
    this.next = resized(this.next, records * this.bands);
    this.checked = resized(this.checked, records);
  }

  private growTable(): void {
    const oldKeys = this.keys;
    const oldHeads = this.heads;
    this.keys = new Int32Array(oldKeys.length * 2);
    this.heads = new Int32Array(oldKeys.length * 2);
    for (let slot = 0; slot < oldKeys.length; slot++) {
      if (oldHeads[slot] === 0) continue;
      const to = this.find(oldKeys[slot]!);
      this.keys[to] = oldKeys[slot]!;
      this.heads[to] = oldHeads[slot]!;
    }
  }
}

function resized(array: Int32Array, length: number): Int32Array {
  const bigger = new Int32Array(length);
  bigger.set(array);
  return bigger;
}
