import {createHash} from 'node:crypto';
import {
  closeSync,
  constants,
  createReadStream,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  writeSync,
} from 'node:fs';
import {chmod, copyFile, link, mkdir, open, readdir, rename, rm, stat} from 'node:fs/promises';
import {dirname, join, relative, sep} from 'node:path';
import {stableJson} from '../../core/canonical-json.js';
import {hexOf, isSha256, type Sha256, sha256FromHex} from '../../core/hash.js';
import {isRunning} from '../../core/processes.js';
import {writeAll} from '../../core/write-all.js';
import {
  flushFile,
  tempOwner,
  tempPath,
  writeFileAtomic,
  writeFileAtomicSync,
} from './atomic-file.js';
import type {CacheEntryKind, CacheProvider} from './cache-provider.js';
import {hashFile} from './hash-file.js';
import {parseStageRecord, type StageRecord} from './stage-record.js';
import {
  isSafeRelative,
  looksLikeTree,
  parseTree,
  type TreeEntry,
  type TreeManifest,
  treeBytes,
} from './tree.js';

/** How the store hashes an object it must check: the stat cache, so unchanged objects are only stat'ed. */
/** The file name ending of a build's report in .ft/builds/. */
export const REPORT_SUFFIX = '.report.json';

export interface FileHasher {
  hash(path: string): Promise<{readonly hash: Sha256; readonly size: number}>;
}

/** What checking an object found. A damaged object has already been removed from the store. */
export type ObjectCheck =
  | {readonly state: 'intact'; readonly size: number}
  | {readonly state: 'missing'}
  | {readonly state: 'damaged'; readonly why: string};

/** What reading a stage record found. A damaged record is a cache miss, never an error. */
export type StageRead =
  | {readonly state: 'absent'}
  | {readonly state: 'ok'; readonly record: StageRecord}
  | {readonly state: 'damaged'; readonly why: string};

export interface LocalStoreOptions {
  /** How messages name this store: "local cache" (the default) or "shared cache (...)". */
  readonly name?: string;
  /** Vouches for objects by stat (see StatCache); without it every check reads the bytes. */
  readonly hasher?: FileHasher;
}

/**
 * The `.ft/` folder beside a recipe:
 *
 *   .ft/objects/<2 hex>/<64 hex>   immutable, read-only blobs named by the sha256 of their bytes
 *   .ft/stages/<64 hex>.json       stage records by stage key: fingerprint, outputs, statistics
 *   .ft/logs/<64 hex>.log          the log of the run that produced a stage record
 *   .ft/derived/<64 hex>.json      facts computed from stored data (statistics), by input key
 *   .ft/builds/<time>-<pid>.json   which stage keys each build used (for `ft cache gc`)
 *   .ft/builds/<time>-<pid>.report.json   that build's report (`ft report --build <id>`)
 *   .ft/stat-cache.json            (path, size, mtime, ctime, inode) -> hash, for sources and
 *                                  objects alike
 *   .ft/shared-rejects.json        bad entries of a read-only shared cache, skipped for a day
 *   .ft/tmp/                       work files; renamed into place, so nothing half-written is
 *                                  ever visible under a final name
 *   .ft/work/<64 hex>/             what a stage key's attempts keep until it completes (a
 *                                  trainer's checkpoints, its pid while it runs)
 *   .ft/lock                       the project lock (pid + process start time)
 */
/** Answers written to a log at once. */
const ANSWER_BATCH = 64;

export class LocalStore implements CacheProvider {
  readonly name: string;
  readonly root: string;
  readonly #hasher: FileHasher;
  /** Folders materialize() made in this process, by the hash of their manifest. */
  readonly #materialized = new Map<Sha256, string>();
  /** Answer logs this process appends to, open (their torn ends already mended). */
  readonly #answerLogs = new Map<string, {fd: number; pending: string[]}>();

  constructor(root: string, options: LocalStoreOptions = {}) {
    this.root = root;
    this.name = options.name ?? 'local cache';
    this.#hasher = options.hasher ?? {hash: hashFile};
  }

  /** The same store, checking objects through `hasher` (a build's stat cache). */
  withHasher(hasher: FileHasher): LocalStore {
    return new LocalStore(this.root, {name: this.name, hasher});
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

  /** Where a build's report is kept, beside its record (and removed with it by gc). */
  buildReportPath(buildId: string): string {
    return join(this.buildsDir, `${buildId}${REPORT_SUFFIX}`);
  }

  objectPath(hash: Sha256): string {
    const hex = hexOf(hash);
    return join(this.root, 'objects', hex.slice(0, 2), hex);
  }
  stagePath(key: Sha256): string {
    return join(this.root, 'stages', `${hexOf(key)}.json`);
  }
  /** A stage key's work folder (a trainer's checkpoints until the stage completes). */
  workDir(key: Sha256): string {
    return join(this.root, 'work', hexOf(key));
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

  /**
   * Removes what builds killed mid-way left behind: work files under tmp/ and half-written
   * temp files beside records, whose owner (named in the file name) is no longer running. Run
   * under the project lock, so no live build of this store is writing them. Returns how many
   * entries went.
   */
  async removeLeftovers(): Promise<number> {
    let removed = 0;
    for (const dir of ['tmp', 'stages', 'logs', 'derived', 'builds', '.']) {
      const folder = join(this.root, dir);
      for (const name of await readdir(folder).catch(() => [] as string[])) {
        const owner = tempOwner(name);
        // Names under tmp/ are all work files; elsewhere only temp names are.
        if (owner === undefined ? dir !== 'tmp' : owner === process.pid || isRunning(owner)) {
          continue;
        }
        await rm(join(folder, name), {recursive: true, force: true});
        removed++;
      }
    }
    return removed;
  }

  /** A fresh path under tmp/ for a file that will become an object. */
  newTempFile(hint: string): string {
    return tempPath(this.tmpDir, hint);
  }

  /**
   * Whether the object named `hash` is there with bytes that hash to its name. The hasher may
   * vouch for it by stat (any change to its size, mtime, ctime or inode makes it read the bytes
   * again). An object whose bytes do not match is removed at once, so nothing ever serves it;
   * the caller reports it and produces or restores the right bytes.
   */
  async checkObject(hash: Sha256): Promise<ObjectCheck> {
    const path = this.objectPath(hash);
    let actual: {hash: Sha256; size: number};
    try {
      actual = await this.#hasher.hash(path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return {state: 'missing'};
      await rm(path, {recursive: true, force: true});
      return {state: 'damaged', why: `it cannot be read (${code ?? (e as Error).message})`};
    }
    if (actual.hash === hash) return {state: 'intact', size: actual.size};
    await rm(path, {force: true});
    return {
      state: 'damaged',
      why: `its ${actual.size} bytes hash to ${actual.hash}, not to its name`,
    };
  }

  /** Whether a file is at the object's path (unchecked: see checkObject). */
  hasObjectFile(hash: Sha256): boolean {
    return existsSync(this.objectPath(hash));
  }

  /** The size of an intact object, or undefined (absent, or damaged and now removed). */
  async intactSize(hash: Sha256): Promise<number | undefined> {
    const check = await this.checkObject(hash);
    return check.state === 'intact' ? check.size : undefined;
  }

  /**
   * Moves a finished temp file, whose bytes hash to `hash`, into the store under that name (no
   * second copy), flushed to disk first. An intact object already there wins and the temp file
   * is dropped; a damaged one is replaced. Objects are read-only, so a hard link to one cannot
   * be edited by accident.
   */
  async adoptObject(tempFile: string, hash: Sha256): Promise<void> {
    const target = this.objectPath(hash);
    if (existsSync(target) && (await this.checkObject(hash)).state === 'intact') {
      await rm(tempFile, {force: true});
      return;
    }
    await mkdir(dirname(target), {recursive: true});
    await flushFile(tempFile);
    await chmod(tempFile, 0o444);
    await rename(tempFile, target);
  }

  /** Copies a file into the store (a reflink where the filesystem can) and returns its hash. */
  async putFile(path: string): Promise<{hash: Sha256; size: number}> {
    await mkdir(this.tmpDir, {recursive: true});
    const temp = this.newTempFile('file');
    try {
      await copyFile(path, temp, constants.COPYFILE_FICLONE);
      const {hash, size} = await hashFile(temp);
      await this.adoptObject(temp, hash);
      return {hash, size};
    } catch (e) {
      await rm(temp, {force: true});
      throw e;
    }
  }

  /**
   * Stores a folder: each file as an object, then the manifest naming them (see tree.ts), whose
   * hash is returned. Only regular files are taken; a symbolic link is refused (its target may
   * be anywhere), and empty folders are dropped.
   */
  async putTree(dir: string): Promise<{hash: Sha256; size: number}> {
    const files: Record<string, TreeEntry> = {};
    const entries = await readdir(dir, {recursive: true, withFileTypes: true});
    for (const entry of entries.sort((a, b) =>
      a.parentPath + a.name < b.parentPath + b.name ? -1 : 1,
    )) {
      const full = join(entry.parentPath, entry.name);
      const rel = relative(dir, full).split(sep).join('/');
      if (entry.isDirectory()) continue;
      if (!entry.isFile()) {
        throw new Error(
          `${full}: ${entry.isSymbolicLink() ? 'a symbolic link' : 'not a regular file'}; a stored folder holds only files`,
        );
      }
      const executable = ((await stat(full)).mode & 0o111) !== 0;
      const {hash, size} = await this.putFile(full);
      files[rel] = {sha256: hash, size, ...(executable ? {executable: true as const} : {})};
    }
    return this.putObjectBytes(treeBytes({files}));
  }

  /** The manifest of a stored folder, or undefined when the object is a plain file (or absent). */
  treeOf(hash: Sha256): TreeManifest | undefined {
    const path = this.objectPath(hash);
    if (!looksLikeTree(path)) return undefined;
    try {
      return parseTree(readFileSync(path, 'utf8'));
    } catch {
      return undefined;
    }
  }

  /**
   * A path holding a stored artifact's bytes, for a program to read (a trainer's `generate`
   * loading a trained model): a file object's own path, or for a folder a copy of it under
   * tmp/ made of hard links to its objects (copies where links cannot be made, and for
   * executables), each object checked first. Objects are read-only, so the links are too.
   * The folder lives until this process ends (the next build removes it as a leftover).
   * Throws when an object is missing or damaged: the caller restores or rebuilds first.
   */
  async materialize(hash: Sha256): Promise<string> {
    const known = this.#materialized.get(hash);
    if (known && existsSync(known)) return known;
    const tree = this.treeOf(hash);
    const check = async (object: Sha256, what: string) => {
      const state = await this.checkObject(object);
      if (state.state !== 'intact') {
        throw new Error(
          `the store's object ${object} (${what}) is ${state.state === 'missing' ? 'missing' : `damaged: ${state.why}`}`,
        );
      }
    };
    await check(hash, tree ? 'a folder manifest' : 'a file');
    if (!tree) return this.objectPath(hash);
    const dir = tempPath(this.tmpDir, `tree-${hash.slice(7, 19)}`);
    for (const [path, file] of Object.entries(tree.files)) {
      if (!isSafeRelative(path)) throw new Error(`${hash}: '${path}' would leave its folder`);
      await check(file.sha256, path);
      const target = join(dir, path);
      await mkdir(dirname(target), {recursive: true});
      const source = this.objectPath(file.sha256);
      if (file.executable) {
        await copyFile(source, target);
        await chmod(target, 0o555);
        continue;
      }
      await link(source, target).catch(() => copyFile(source, target));
    }
    this.#materialized.set(hash, dir);
    return dir;
  }

  /** Stores bytes as an object and returns their hash. */
  async putObjectBytes(data: string | Uint8Array): Promise<{hash: Sha256; size: number}> {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    const hash = sha256FromHex(createHash('sha256').update(bytes).digest('hex'));
    if ((await this.checkObject(hash)).state !== 'intact') {
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

  /** The stage record of `key`, checked (see parseStageRecord). */
  readStageEntry(key: Sha256): StageRead {
    let text: string;
    try {
      text = readFileSync(this.stagePath(key), 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return {state: 'absent'};
      return {state: 'damaged', why: `it cannot be read (${code ?? (e as Error).message})`};
    }
    const parsed = parseStageRecord(text, key);
    return parsed.ok ? {state: 'ok', record: parsed.value} : {state: 'damaged', why: parsed.error};
  }

  /** The stage record of `key` when it is there and sound. */
  readStage(key: Sha256): StageRecord | undefined {
    const read = this.readStageEntry(key);
    return read.state === 'ok' ? read.record : undefined;
  }

  async removeStage(key: Sha256): Promise<void> {
    await rm(this.stagePath(key), {recursive: true, force: true});
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

  /**
   * The lines of an answer log (.ft/answers/): a model's answers, kept apart from derived/
   * because they were paid for and cannot be recomputed for free; gc keeps them. A torn last
   * line (a crash mid-append) is left out.
   */
  readAnswerLog(key: Sha256): string[] {
    let text: string;
    try {
      text = readFileSync(join(this.root, 'answers', `${hexOf(key)}.jsonl`), 'utf8');
    } catch {
      return [];
    }
    const lines = text.split('\n');
    lines.pop(); // after the last newline: empty, or a line that was never finished
    return lines;
  }

  /**
   * Appends a line to an answer log, without an fsync per line (a model's answers arrive one by
   * one, hundreds a second): a crash may lose the last lines, which are then asked again.
   */
  async appendAnswerLog(key: Sha256, line: string): Promise<void> {
    if (line.includes('\n')) throw new Error('appendAnswerLog: one line, no newline');
    const path = join(this.root, 'answers', `${hexOf(key)}.jsonl`);
    let log = this.#answerLogs.get(path);
    if (log === undefined) {
      await mkdir(dirname(path), {recursive: true});
      // Another answer may have opened the log while this one waited for the folder: answers
      // arrive concurrently, and a second log object would take (and lose) their lines.
      log = this.#answerLogs.get(path);
    }
    if (log === undefined) {
      const fd = openSync(path, 'a');
      // A torn last line from a killed ft: end it, so this line stays whole.
      const size = fstatSync(fd).size;
      if (size > 0) {
        const last = Buffer.alloc(1);
        const reader = openSync(path, 'r');
        try {
          readSync(reader, last, 0, 1, size - 1);
        } finally {
          closeSync(reader);
        }
        if (last[0] !== 0x0a) writeSync(fd, '\n');
      }
      log = {fd, pending: []};
      this.#answerLogs.set(path, log);
    }
    log.pending.push(`${line}\n`);
    // Written in batches (a write per answer costs more than the answer, from a local server);
    // flushAnswerLogs writes the rest, and a killed ft loses at most one batch.
    if (log.pending.length >= ANSWER_BATCH) this.#flush(log);
  }

  /** Writes every answer appended and not yet written. */
  flushAnswerLogs(): void {
    for (const log of this.#answerLogs.values()) this.#flush(log);
  }

  #flush(log: {fd: number; pending: string[]}): void {
    if (log.pending.length === 0) return;
    writeSync(log.fd, log.pending.join(''));
    log.pending.length = 0;
  }

  async writeStage(record: StageRecord): Promise<void> {
    await writeFileAtomic(this.stagePath(record.key), stableJson(record));
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

  /**
   * An object is hashed again as it is copied in and refused when its bytes are not `hash`, so
   * bit rot in the store it comes from never spreads. A stage record goes in only where this
   * store has no sound one for the key: the first writer of a key wins (two runners that train
   * one key legitimately make different records, and one of them must stay).
   */
  async put(kind: CacheEntryKind, hash: Sha256, file: string): Promise<void> {
    if (kind === 'object') {
      const stored = await this.putStream(createReadStream(file), hash);
      if (stored.hash !== hash) {
        throw new Error(`${file} hashes to ${stored.hash}, not ${hash}: not copied`);
      }
      return;
    }
    const existing = this.readStage(hash);
    const complete = (r: StageRecord) =>
      Object.values(r.outputs).every((o) => existsSync(this.objectPath(o.hash)));
    if (existing && complete(existing)) return;
    const parsed = parseStageRecord(readFileSync(file, 'utf8'), hash);
    if (!parsed.ok) throw new Error(`${file} is not a sound stage record: ${parsed.error}`);
    await writeFileAtomic(this.stagePath(hash), stableJson(parsed.value));
  }

  /** Removes an entry found bad (wrong bytes, a damaged record); false when it cannot. */
  async evict(kind: CacheEntryKind, hash: Sha256): Promise<boolean> {
    const path = kind === 'object' ? this.objectPath(hash) : this.stagePath(hash);
    try {
      await rm(path, {recursive: true, force: true});
      return true;
    } catch {
      return false;
    }
  }
}
