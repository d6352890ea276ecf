import {createHash} from 'node:crypto';
import {createReadStream, existsSync, mkdirSync, readFileSync, statSync} from 'node:fs';
import {chmod, copyFile, mkdir, open, readdir, rename, rm, stat} from 'node:fs/promises';
import {dirname, join} from 'node:path';
import {stableJson} from '../../core/canonical-json.js';
import {hexOf, isSha256, type Sha256, sha256FromHex} from '../../core/hash.js';
import {writeAll} from '../../core/write-all.js';
import {tempPath, writeFileAtomic, writeFileAtomicSync} from './atomic-file.js';
import type {CacheEntryKind, CacheProvider} from './cache-provider.js';
import type {StageRecord} from './stage-record.js';

/**
 * The `.ft/` folder beside a recipe:
 *
 *   .ft/objects/<2 hex>/<64 hex>   immutable, read-only blobs named by the sha256 of their bytes
 *   .ft/stages/<64 hex>.json       stage records by stage key: fingerprint, outputs, statistics
 *   .ft/logs/<64 hex>.log          the log of the run that produced a stage record
 *   .ft/derived/<64 hex>.json      facts computed from stored data (statistics), by input key
 *   .ft/builds/<time>-<pid>.json   which stage keys each build used (for `ft cache gc`)
 *   .ft/stat-cache.json            (path, size, mtime, inode) -> hash
 *   .ft/tmp/                       work files; renamed into place, so nothing half-written is
 *                                  ever visible under a final name
 *   .ft/lock                       the project lock (pid + process start time)
 */
export class LocalStore implements CacheProvider {
  readonly name = 'local';
  readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  get tmpDir(): string {
    return join(this.root, 'tmp');
  }
  get statCacheFile(): string {
    return join(this.root, 'stat-cache.json');
  }
  get lockFile(): string {
    return join(this.root, 'lock');
  }
  get buildsDir(): string {
    return join(this.root, 'builds');
  }

  objectPath(hash: Sha256): string {
    const hex = hexOf(hash);
    return join(this.root, 'objects', hex.slice(0, 2), hex);
  }
  stagePath(key: Sha256): string {
    return join(this.root, 'stages', `${hexOf(key)}.json`);
  }
  derivedPath(key: Sha256): string {
    return join(this.root, 'derived', `${hexOf(key)}.json`);
  }
  logPath(key: Sha256): string {
    return join(this.root, 'logs', `${hexOf(key)}.log`);
  }

  /** Creates the folders; also marks `.ft/` as something git and tools should not track. */
  init(): void {
    for (const dir of ['objects', 'stages', 'logs', 'builds', 'tmp']) {
      mkdirSync(join(this.root, dir), {recursive: true});
    }
    const ignore = join(this.root, '.gitignore');
    // A racing second writer writes the same bytes.
    if (!existsSync(ignore)) writeFileAtomicSync(ignore, '*\n');
  }

  /** A fresh path under tmp/ for a file that will become an object. */
  newTempFile(hint: string): string {
    return tempPath(this.tmpDir, hint);
  }

  hasObject(hash: Sha256): boolean {
    return existsSync(this.objectPath(hash));
  }

  /**
   * Moves a finished temp file into the store under its hash (no second copy). If the object is
   * already there, the temp file is dropped. Objects are read-only, so a hard link to one cannot
   * be edited by accident.
   */
  async adoptObject(tempFile: string, hash: Sha256): Promise<void> {
    const target = this.objectPath(hash);
    if (existsSync(target)) {
      await rm(tempFile, {force: true});
      return;
    }
    await mkdir(dirname(target), {recursive: true});
    await chmod(tempFile, 0o444);
    await rename(tempFile, target);
  }

  /** Stores bytes as an object and returns their hash. */
  async putObjectBytes(data: string | Uint8Array): Promise<{hash: Sha256; size: number}> {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    const hash = sha256FromHex(createHash('sha256').update(bytes).digest('hex'));
    if (!this.hasObject(hash)) {
      const temp = this.newTempFile('object');
      await mkdir(this.tmpDir, {recursive: true});
      try {
        const handle = await open(temp, 'wx');
        try {
          await handle.writeFile(bytes);
        } finally {
          await handle.close();
        }
        await this.adoptObject(temp, hash);
      } catch (e) {
        await rm(temp, {force: true});
        throw e;
      }
    }
    return {hash, size: bytes.length};
  }

  objectSize(hash: Sha256): number | undefined {
    try {
      return statSync(this.objectPath(hash)).size;
    } catch {
      return undefined;
    }
  }

  /**
   * Streams bytes into the store while hashing them, keeping them only when their hash is
   * `expected` (fetched or restored bytes are never trusted unchecked). Returns the actual hash
   * and size either way; nothing stays behind when they do not match or the stream fails.
   */
  async putStream(
    chunks: AsyncIterable<Uint8Array>,
    expected: Sha256,
  ): Promise<{hash: Sha256; size: number}> {
    await mkdir(this.tmpDir, {recursive: true});
    const temp = this.newTempFile('stream');
    const hasher = createHash('sha256');
    let size = 0;
    try {
      const handle = await open(temp, 'wx');
      try {
        for await (const chunk of chunks) {
          hasher.update(chunk);
          size += chunk.length;
          await writeAll(handle, chunk);
        }
      } finally {
        await handle.close();
      }
      const hash = sha256FromHex(hasher.digest('hex'));
      if (hash === expected) await this.adoptObject(temp, hash);
      else await rm(temp, {force: true});
      return {hash, size};
    } catch (e) {
      await rm(temp, {force: true});
      throw e;
    }
  }

  readObjectText(hash: Sha256): string {
    return readFileSync(this.objectPath(hash), 'utf8');
  }

  readStage(key: Sha256): StageRecord | undefined {
    try {
      return JSON.parse(readFileSync(this.stagePath(key), 'utf8')) as StageRecord;
    } catch {
      return undefined;
    }
  }

  readDerived(key: Sha256): unknown {
    try {
      return JSON.parse(readFileSync(this.derivedPath(key), 'utf8'));
    } catch {
      return undefined;
    }
  }

  async writeDerived(key: Sha256, value: unknown): Promise<void> {
    await writeFileAtomic(this.derivedPath(key), stableJson(value));
  }

  async writeStage(record: StageRecord): Promise<void> {
    await writeFileAtomic(this.stagePath(record.key), stableJson(record));
  }

  /** True when every output object of a record is in the store with its recorded size. */
  hasOutputs(
    outputs: Readonly<Record<string, {readonly hash: Sha256; readonly size?: number}>>,
  ): boolean {
    for (const output of Object.values(outputs)) {
      try {
        const st = statSync(this.objectPath(output.hash));
        if (output.size !== undefined && st.size !== output.size) return false;
      } catch {
        return false;
      }
    }
    return true;
  }

  async listStageKeys(): Promise<Sha256[]> {
    const names = await readdir(join(this.root, 'stages')).catch(() => [] as string[]);
    return names
      .filter((n) => n.endsWith('.json'))
      .map((n) => sha256FromHex(n.slice(0, -5)))
      .filter(isSha256);
  }

  async listObjects(): Promise<Sha256[]> {
    const out: Sha256[] = [];
    const objects = join(this.root, 'objects');
    for (const prefix of await readdir(objects).catch(() => [] as string[])) {
      for (const name of await readdir(join(objects, prefix)).catch(() => [] as string[])) {
        const hash = sha256FromHex(name);
        if (isSha256(hash)) out.push(hash);
      }
    }
    return out;
  }

  // CacheProvider: the local store is the first implementation of the seam through which a
  // shared remote cache plugs in later, without the planner knowing.

  async has(kind: CacheEntryKind, hash: Sha256): Promise<boolean> {
    return existsSync(kind === 'object' ? this.objectPath(hash) : this.stagePath(hash));
  }

  async get(kind: CacheEntryKind, hash: Sha256): Promise<NodeJS.ReadableStream | undefined> {
    const path = kind === 'object' ? this.objectPath(hash) : this.stagePath(hash);
    try {
      await stat(path);
    } catch {
      return undefined;
    }
    return createReadStream(path);
  }

  async put(kind: CacheEntryKind, hash: Sha256, file: string): Promise<void> {
    const temp = this.newTempFile(kind);
    await mkdir(this.tmpDir, {recursive: true});
    try {
      await copyFile(file, temp);
      if (kind === 'object') await this.adoptObject(temp, hash);
      else {
        await mkdir(dirname(this.stagePath(hash)), {recursive: true});
        await rename(temp, this.stagePath(hash));
      }
    } catch (e) {
      await rm(temp, {force: true});
      throw e;
    }
  }
}
