import {hash} from 'node:crypto';

const TWO_TO_64 = 2 ** 64;

/**
 * The seeded position in [0, 1) of a record's key (its id, records/identity.ts): the first 8
 * bytes of sha256(prefix + key), big-endian, over 2^64. `split` uses the prefix "<seed>:" (its
 * documented definition); `sample` and `shuffle` add their own name ("sample:<seed>:") so that
 * a sample and a split with the same seed are independent. One-shot `crypto.hash`: no Hash
 * object per record. The digest comes back as hex (a Buffer per record costs more than the
 * hashing); its first 8 bytes are read as two 32-bit halves. hi * 2^32 is exact, adding lo
 * rounds once to nearest-even, and dividing by 2^64 is exact: the same double as Python's
 * int.from_bytes(h[:8], 'big') / 2**64.
 */
export function positionOf(key: string, prefix: string): number {
  const hex = hash('sha256', `${prefix}${key}`, 'hex');
  const hi = Number.parseInt(hex.slice(0, 8), 16);
  const lo = Number.parseInt(hex.slice(8, 16), 16);
  return (hi * 4294967296 + lo) / TWO_TO_64;
}
