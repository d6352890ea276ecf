import {hash} from 'node:crypto';

const TWO_TO_32 = 4294967296;
const TWO_TO_64 = 2 ** 64;

/** A seeded step's key: the first 8 bytes of sha256 of its name and seed, as two halves. */
export interface PositionKey {
  readonly hi: number;
  readonly lo: number;
}

/**
 * The key of a seeded step: the first 8 bytes of sha256(`<step>:<seed>`) (`split:7`,
 * `sample:7`, `shuffle:7`), big-endian. Different steps with the same seed get independent
 * positions.
 */
export function positionKey(step: string, seed: number): PositionKey {
  const hex = hash('sha256', `${step}:${seed}`, 'hex');
  return {hi: Number.parseInt(hex.slice(0, 8), 16), lo: Number.parseInt(hex.slice(8, 16), 16)};
}

/**
 * The seeded position in [0, 1) of a record's key (its id, records/identity.ts, or its group's:
 * 128 bits of sha256 written as hex): splitmix64 of the id's first 64 bits XOR the step's key,
 * over 2^64. In Python:
 *
 *     def splitmix64(z):
 *         z = (z + 0x9E3779B97F4A7C15) % 2**64
 *         z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) % 2**64
 *         z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) % 2**64
 *         return z ^ (z >> 31)
 *     u = splitmix64(int(id[:16], 16) ^ key) / 2**64
 *
 * The id is already a uniform hash of the record: a bijective mix keyed by the seed spreads it
 * again (a second sha256 per record cost more than everything else the split does). hi * 2^32
 * is exact, adding lo rounds once to nearest-even and dividing by 2^64 is exact: the same double
 * as Python's.
 */
export function positionOf(id: string, key: PositionKey): number {
  let hi = hex8(id, 0);
  let lo = hex8(id, 8);
  // Not 16 hex digits (never an id): as parseInt reads them.
  if (hi < 0 || lo < 0) {
    hi = Number.parseInt(id.slice(0, 8), 16);
    lo = Number.parseInt(id.slice(8, 16), 16);
  }
  splitmix64(hi ^ key.hi, lo ^ key.lo);
  return (OUT[0]! * TWO_TO_32 + OUT[1]!) / TWO_TO_64;
}

/** The value of the 8 hex digits at id[at, at + 8), or -1 when they are not that (no slice). */
function hex8(id: string, at: number): number {
  if (id.length < at + 8) return -1;
  let value = 0;
  for (let i = at; i < at + 8; i++) {
    const c = id.charCodeAt(i);
    const d =
      c >= 0x30 && c <= 0x39
        ? c - 0x30
        : c >= 0x61 && c <= 0x66
          ? c - 0x57
          : c >= 0x41 && c <= 0x46
            ? c - 0x37
            : -1;
    if (d < 0) return -1;
    value = value * 16 + d;
  }
  return value;
}

/** The last splitmix64 result, unsigned halves. */
const OUT = new Float64Array(2);

/** splitmix64's finalizer on the 64-bit value (hi, lo), in 32-bit halves; the result in OUT. */
function splitmix64(hi: number, lo: number): void {
  // z += 0x9E3779B97F4A7C15
  let l = (lo >>> 0) + 0x7f4a7c15;
  let h = ((hi >>> 0) + 0x9e3779b9 + (l >= TWO_TO_32 ? 1 : 0)) >>> 0;
  l >>>= 0;
  // z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9
  l = (l ^ ((l >>> 30) | (h << 2))) >>> 0;
  h = (h ^ (h >>> 30)) >>> 0;
  multiply(h, l, 0xbf58476d, 0x1ce4e5b9);
  h = PRODUCT[0]!;
  l = PRODUCT[1]!;
  // z = (z ^ (z >>> 27)) * 0x94D049BB133111EB
  l = (l ^ ((l >>> 27) | (h << 5))) >>> 0;
  h = (h ^ (h >>> 27)) >>> 0;
  multiply(h, l, 0x94d049bb, 0x133111eb);
  h = PRODUCT[0]!;
  l = PRODUCT[1]!;
  // z ^ (z >>> 31)
  OUT[1] = (l ^ ((l >>> 31) | (h << 1))) >>> 0;
  OUT[0] = (h ^ (h >>> 31)) >>> 0;
}

const PRODUCT = new Float64Array(2);

/** (ah, al) * (bh, bl) mod 2^64, unsigned halves into PRODUCT. */
function multiply(ah: number, al: number, bh: number, bl: number): void {
  // al * bl in full, from 16-bit pieces (each partial product is exact in a double).
  const a0 = al & 0xffff;
  const a1 = al >>> 16;
  const b0 = bl & 0xffff;
  const b1 = bl >>> 16;
  const p00 = a0 * b0;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  const low = (((mid & 0xffff) << 16) | (p00 & 0xffff)) >>> 0;
  const high = a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16);
  PRODUCT[0] = (high + Math.imul(al, bh) + Math.imul(ah, bl)) >>> 0;
  PRODUCT[1] = low;
}
