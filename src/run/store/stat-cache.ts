import {type BigIntStats, readFileSync, statSync} from 'node:fs';
import {hexOf, type Sha256, sha256FromHex} from '../../core/hash.js';
import {tokenOfStats} from '../../core/stat-token.js';
import {writeFileAtomicSync} from './atomic-file.js';
import {HashPool} from './hash-pool.js';

/**
 * Remembers file hashes by (path, size, mtime, inode), so a no-op build over gigabytes of data
 * only stats the files. Content still decides: a touched file misses the cache, is re-hashed,
 * and keeps its hash, so nothing reruns.
 *
 * Racy-clean guard (git's): a file modified in the same timestamp tick as it was hashed could
 * change again without its mtime moving. An entry is trusted only when the file's mtime was
 * more than RACY_MS before the hash was taken; otherwise the file is re-hashed next time (and
 * then recorded with a trustworthy gap).
 */
const RACY_MS = 2000;

/**
 * One file's entry, packed in one string, `<stat token> <hashedAt> <hex digest>`: 100,000 files
 * load as 100,000 strings (one JSON array, no object per file), and are unpacked only when asked.
 * The stat token (core/stat-token.ts) is size, mtime and ctime in nanoseconds, and inode: ctime
 * too, as git does, since rewriting a file in place and restoring its mtime (cp -p, touch -r)
 * cannot restore its ctime. hashedAt is when the hash was taken (ms since epoch).
 */
type Packed = string;

/** Bumped when the file's layout changes: an older cache is dropped (a re-hash, nothing worse). */
const VERSION = 3;

export class StatCache {
  readonly #file: string;
  readonly #entries: Map<string, Packed>;
  #dirty = false;
  readonly #pool = new HashPool();

  constructor(file: string) {
    this.#file = file;
    this.#entries = readEntries(file);
  }

  /** Hash of the file at absolute `path`, from the cache when it can be trusted. */
  hash(path: string): Promise<{hash: Sha256; size: number; fromCache: boolean}> {
    // Not an async function: a no-op build asks this for every file, and a hit is then one
    // stat and one string compare, without an async frame of its own.
    let st: BigIntStats;
    try {
      st = statSync(path, {bigint: true});
    } catch (e) {
      return Promise.reject(e);
    }
    const token = tokenOfStats(st);
    const known = this.#trusted(path, token, st);
    if (known) return Promise.resolve({hash: known, size: Number(st.size), fromCache: true});
    return this.#hashAndRemember(path, st, token);
  }

  /** Whether the cache holds the hash of the file at `path` as it is now (hash() reads nothing). */
  knows(path: string): boolean {
    try {
      const st = statSync(path, {bigint: true});
      return this.#trusted(path, tokenOfStats(st), st) !== undefined;
    } catch {
      return false;
    }
  }

  /**
   * hash() of each of `paths`, in order, with the same answers: every file is stat'ed first, back
   * to back, and those the cache cannot vouch for are then read one at a time. A no-op build over
   * 100,000 files then pays a stat and a compare per file, not an asynchronous round trip each.
   * Rejects with the first error, as hash() would for that file.
   */
  async hashAll(
    paths: readonly string[],
  ): Promise<{hash: Sha256; size: number; fromCache: boolean}[]> {
    const out: {hash: Sha256; size: number; fromCache: boolean}[] = new Array(paths.length);
    const misses: {index: number; st: BigIntStats; token: string}[] = [];
    for (let index = 0; index < paths.length; index++) {
      const path = paths[index]!;
      const st = statSync(path, {bigint: true});
      const token = tokenOfStats(st);
      const known = this.#trusted(path, token, st);
      if (known) out[index] = {hash: known, size: Number(st.size), fromCache: true};
      else misses.push({index, st, token});
    }
    for (const {index, st, token} of misses) {
      out[index] = await this.#hashAndRemember(paths[index]!, st, token);
    }
    return out;
  }

  async #hashAndRemember(
    path: string,
    st: BigIntStats,
    token: string,
  ): Promise<{hash: Sha256; size: number; fromCache: boolean}> {
    const hashedAt = Date.now();
    const {hash, size: read} = await this.#pool.hash(path, Number(st.size));
    // If the file changed while we read it, do not remember a hash for the old stat.
    const after = statSync(path, {bigint: true});
    if (after.mtimeNs === st.mtimeNs && Number(after.size) === read) {
      this.#entries.set(path, `${token} ${hashedAt} ${hexOf(hash)}`);
      this.#dirty = true;
    }
    return {hash, size: read, fromCache: false};
  }

  /**
   * When the file at `path` still has the stat its trusted entry for `hash` was recorded with,
   * that stat as a token (compare it after reading: a changed token means the file changed);
   * otherwise undefined, and the caller must hash what it reads.
   */
  vouches(path: string, hash: Sha256): string | undefined {
    if (!this.#entries.has(path)) return undefined;
    const st = statSync(path, {bigint: true});
    const token = tokenOfStats(st);
    return this.#trusted(path, token, st) === hash ? token : undefined;
  }

  /** Stops the hashing workers. */
  async close(): Promise<void> {
    await this.#pool.close();
  }

  /** Writes the cache back if anything changed. */
  save(): void {
    if (!this.#dirty) return;
    const flat: string[] = [];
    for (const path of [...this.#entries.keys()].sort()) flat.push(path, this.#entries.get(path)!);
    writeFileAtomicSync(this.#file, `${JSON.stringify({version: VERSION, entries: flat})}\n`);
    this.#dirty = false;
  }

  /**
   * The hash of the entry for `path` when it was recorded with this stat `token` and outside
   * the racy window; else undefined.
   */
  #trusted(path: string, token: string, st: BigIntStats): Sha256 | undefined {
    const packed = this.#entries.get(path);
    if (packed === undefined || !packed.startsWith(token)) return undefined;
    const at = token.length;
    const space = packed.indexOf(' ', at + 1);
    if (packed.charCodeAt(at) !== 32 || space === -1) return undefined;
    const hex = packed.slice(space + 1);
    if (!HEX_DIGEST.test(hex)) return undefined;
    const hashedAt = Number(packed.slice(at + 1, space));
    return hashedAt - Number(st.mtimeMs) > RACY_MS ? sha256FromHex(hex) : undefined;
  }
}

const HEX_DIGEST = /^[0-9a-f]{64}$/;

/** `{version, entries: [path, packed, path, packed, ...]}`, sorted by path. */
function readEntries(file: string): Map<string, Packed> {
  const entries = new Map<string, Packed>();
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as {version?: number; entries?: unknown};
    if (data.version !== VERSION || !Array.isArray(data.entries)) return entries;
    const flat = data.entries as unknown[];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const [path, packed] = [flat[i], flat[i + 1]];
      // A damaged entry is checked when used (#trusted): it only costs a re-hash.
      if (typeof path === 'string' && typeof packed === 'string') entries.set(path, packed);
    }
  } catch {
    // a missing or damaged cache only costs a re-hash
  }
  return entries;
}
