import {createHash} from 'node:crypto';
import {canonicalJson} from '../../core/canonical-json.js';

const TWO_TO_64 = 2 ** 64;

/**
 * A record's seeded position in [0, 1): the first 8 bytes of sha256(prefix + canonical JSON),
 * big-endian, over 2^64. `split` uses the prefix "<seed>:" (its documented definition);
 * `sample` and `shuffle` add their own name ("sample:<seed>:") so that a sample and a split
 * with the same seed are independent.
 */
export function position(record: unknown, prefix: string): number {
  const digest = createHash('sha256')
    .update(`${prefix}${canonicalJson(record)}`)
    .digest();
  return Number(digest.readBigUInt64BE(0)) / TWO_TO_64;
}
