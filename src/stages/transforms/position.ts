import {hash} from 'node:crypto';
import {canonicalJson} from '../../core/canonical-json.js';

const TWO_TO_64 = 2 ** 64;

/**
 * A record's seeded position in [0, 1): the first 8 bytes of sha256(prefix + canonical JSON),
 * big-endian, over 2^64. `split` uses the prefix "<seed>:" (its documented definition);
 * `sample` and `shuffle` add their own name ("sample:<seed>:") so that a sample and a split
 * with the same seed are independent. One-shot `crypto.hash`: no Hash object per record.
 */
export function position(record: unknown, prefix: string): number {
  return positionOf(canonicalJson(record), prefix);
}

/**
 * The position of a record given its canonical JSON. The digest comes back as hex (a Buffer per
 * record costs more than the hashing); its first 8 bytes are read as two 32-bit halves. hi * 2^32
 * is exact, adding lo rounds once to nearest-even, and dividing by 2^64 is exact: the same
 * double as Python's int.from_bytes(h[:8], 'big') / 2**64.
 */
export function positionOf(canonical: string, prefix: string): number {
  return positionOfDigest(hash('sha256', `${prefix}${canonical}`, 'hex'));
}

/** The same position, from the UTF-8 bytes of prefix + canonical JSON. */
export function positionOfBytes(prefixed: Uint8Array): number {
  return positionOfDigest(hash('sha256', prefixed, 'hex'));
}

function positionOfDigest(hex: string): number {
  const hi = Number.parseInt(hex.slice(0, 8), 16);
  const lo = Number.parseInt(hex.slice(8, 16), 16);
  return (hi * 4294967296 + lo) / TWO_TO_64;
}
