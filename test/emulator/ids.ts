/**
 * Deterministic ids and time. Two emulators started with the same seed and driven by the same
 * requests hand out the same ids, request ids and timestamps, so test output is reproducible.
 */
import {createHash} from 'node:crypto';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** `n` characters of [A-Za-z0-9] derived from `input` (sha256, re-hashed as needed). */
export function alnum(input: string, n: number): string {
  let out = '';
  let block = 0;
  while (out.length < n) {
    const bytes = createHash('sha256').update(`${input}#${block++}`).digest();
    for (const b of bytes) {
      if (b < 248) out += ALNUM[b % 62];
      if (out.length === n) break;
    }
  }
  return out;
}

export function sha256Hex(input: string): string {
  return createHash('sha256').update(input).digest('hex');
}

/** Hands out ids such as `file-…`, `ftjob-…` from a seed and a per-prefix counter. */
export class Ids {
  readonly #seed: string;
  readonly #counters = new Map<string, number>();
  constructor(seed: string) {
    this.#seed = seed;
  }
  /** `prefix` + `length` alphanumerics; `hex` uses lowercase hex instead (request ids). */
  next(prefix: string, length: number, hex = false): string {
    const n = (this.#counters.get(prefix) ?? 0) + 1;
    this.#counters.set(prefix, n);
    const key = `${this.#seed}:${prefix}:${n}`;
    return prefix + (hex ? sha256Hex(key).slice(0, length) : alnum(key, length));
  }
}

/**
 * The emulator's clock, in unix seconds. It does not follow the wall clock: it starts at
 * `start` and moves one second each time something is stamped, so `created_at` values are
 * distinct, increasing and reproducible.
 */
export class Clock {
  #now: number;
  constructor(start: number) {
    this.#now = start;
  }
  /** The current time without moving it. */
  peek(): number {
    return this.#now;
  }
  /** Moves `seconds` forward (tests: expire an Upload). */
  advance(seconds: number): void {
    this.#now += seconds;
  }
  /** Moves one second forward and returns the new time. */
  stamp(): number {
    this.#now += 1;
    return this.#now;
  }
}
