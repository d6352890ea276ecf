import {readFileSync, statSync} from 'node:fs';
import type {Sha256} from '../../core/hash.js';
import {isSha256} from '../../core/hash.js';
import {statToken} from '../../core/stat-token.js';
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

interface Entry {
  size: number;
  /** mtime in nanoseconds, as a decimal string (bigint precision). */
  mtimeNs: string;
  /**
   * ctime too, as git does: rewriting a file in place and restoring its mtime (cp -p,
   * touch -r) cannot restore its ctime.
   */
  ctimeNs: string;
  ino: string;
  hash: Sha256;
  /** When the hash was taken (ms since epoch). */
  hashedAt: number;
}

export class StatCache {
  readonly #file: string;
  #entries: Map<string, Entry>;
  #dirty = false;
  readonly #pool = new HashPool();

  constructor(file: string) {
    this.#file = file;
    this.#entries = new Map(Object.entries(readEntries(file)));
  }

  /** Hash of the file at absolute `path`, from the cache when it can be trusted. */
  async hash(path: string): Promise<{hash: Sha256; size: number; fromCache: boolean}> {
    const st = statSync(path, {bigint: true});
    const mtimeNs = st.mtimeNs.toString();
    const ctimeNs = st.ctimeNs.toString();
    const ino = st.ino.toString();
    const size = Number(st.size);
    const known = this.#entries.get(path);
    if (
      known &&
      known.size === size &&
      known.mtimeNs === mtimeNs &&
      known.ctimeNs === ctimeNs &&
      known.ino === ino &&
      known.hashedAt - Number(st.mtimeMs) > RACY_MS
    ) {
      return {hash: known.hash, size, fromCache: true};
    }
    const hashedAt = Date.now();
    const {hash, size: read} = await this.#pool.hash(path, size);
    // If the file changed while we read it, do not remember a hash for the old stat.
    const after = statSync(path, {bigint: true});
    if (after.mtimeNs.toString() === mtimeNs && Number(after.size) === read) {
      this.#entries.set(path, {size: read, mtimeNs, ctimeNs, ino, hash, hashedAt});
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
    const known = this.#entries.get(path);
    if (!known || known.hash !== hash) return undefined;
    const st = statSync(path, {bigint: true});
    const same =
      Number(st.size) === known.size &&
      st.mtimeNs.toString() === known.mtimeNs &&
      st.ctimeNs.toString() === known.ctimeNs &&
      st.ino.toString() === known.ino;
    const trusted = known.hashedAt - Number(st.mtimeMs) > RACY_MS;
    return same && trusted ? statToken(path) : undefined;
  }

  /** Stops the hashing workers. */
  async close(): Promise<void> {
    await this.#pool.close();
  }

  /** Writes the cache back if anything changed. */
  save(): void {
    if (!this.#dirty) return;
    const kept: Record<string, Entry> = {};
    for (const [path, entry] of [...this.#entries].sort(([a], [b]) => (a < b ? -1 : 1))) {
      kept[path] = entry;
    }
    writeFileAtomicSync(this.#file, `${JSON.stringify({version: 2, entries: kept})}\n`);
    this.#dirty = false;
  }
}

function readEntries(file: string): Record<string, Entry> {
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as {version?: number; entries?: unknown};
    // Version 2 added ctime: older caches are dropped (a re-hash, nothing worse).
    if (data.version !== 2 || typeof data.entries !== 'object' || data.entries === null) return {};
    const out: Record<string, Entry> = {};
    for (const [path, e] of Object.entries(data.entries as Record<string, Entry>)) {
      if (isSha256(e.hash)) out[path] = e;
    }
    return out;
  } catch {
    return {}; // a missing or damaged cache only costs a re-hash
  }
}
