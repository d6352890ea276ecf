import {createHash} from 'node:crypto';

/** A content or key hash as written everywhere ft shows one: `sha256:<64 hex>`. */
export type Sha256 = string & {readonly __brand: 'Sha256'};

const PREFIX = 'sha256:';

export function sha256(data: string | Uint8Array): Sha256 {
  return `${PREFIX}${createHash('sha256').update(data).digest('hex')}` as Sha256;
}

/** Wraps a raw hex digest (from a streaming hasher) in the `sha256:` form. */
export function sha256FromHex(hex: string): Sha256 {
  return `${PREFIX}${hex}` as Sha256;
}

export function isSha256(value: unknown): value is Sha256 {
  return typeof value === 'string' && /^sha256:[0-9a-f]{64}$/.test(value);
}

/** The bare hex digest, used for file names in the store. */
export function hexOf(hash: Sha256): string {
  return hash.slice(PREFIX.length);
}

/** `sha256:1a2b3c4d5e6f` for people; full hashes stay in JSON output. */
export function shortHash(hash: string): string {
  return hash.startsWith(PREFIX) ? hash.slice(0, PREFIX.length + 12) : hash;
}
