import {cos, log} from './numerics.js';

/**
 * A seeded PRNG (xoshiro128**) on 32-bit integer operations only, so every stream is the same on
 * every machine. Streams are derived from (seed, purpose, index) by hashing, never carried as
 * state: data order and initialization are pure functions of the spec, which is what makes an
 * exact resume possible.
 */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** A stream for `seed` (any safe integer) and a purpose label and index. */
  constructor(seed: number, purpose: string, index = 0) {
    let h = mix32(0x9e3779b9 ^ (seed >>> 0));
    h = mix32(h ^ (Math.floor(seed / 4294967296) >>> 0));
    for (let i = 0; i < purpose.length; i++) h = mix32(h ^ purpose.charCodeAt(i));
    h = mix32(h ^ (index >>> 0));
    this.a = h = mix32(h + 0x6a09e667);
    this.b = h = mix32(h + 0xbb67ae85);
    this.c = h = mix32(h + 0x3c6ef372);
    this.d = mix32(h + 0xa54ff53a);
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1;
  }

  /** The next 32 random bits as an unsigned integer. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextU32() >>> 5; // 27 bits
    const lo = this.nextU32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** An integer uniform in [0, n) for n <= 2^32 (rejection sampling: no modulo bias). */
  below(n: number): number {
    const limit = 4294967296 - (4294967296 % n);
    for (;;) {
      const x = this.nextU32();
      if (x < limit) return x % n;
    }
  }

  /** A standard normal draw (Box-Muller with this module's own log and cos). */
  normal(): number {
    const u1 = 1 - this.uniform(); // (0, 1]
    const u2 = this.uniform();
    return Math.sqrt(-2 * log(u1)) * cos(2 * Math.PI * u2);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** A 32-bit avalanche mix (murmur3's finalizer). */
function mix32(x: number): number {
  let h = x >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** The indices 0..n-1 in a seeded order (Fisher-Yates). */
export function permutation(n: number, rng: Rng): number[] {
  const order = Array.from({length: n}, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.below(i + 1);
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return order;
}
