import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {type Sha256, shortHash} from '../../core/hash.js';
import type {StageKind} from '../../plan/stage-id.js';
import {writeFileAtomic} from './atomic-file.js';
import type {CacheEntryKind, CacheProvider} from './cache-provider.js';
import type {LocalStore} from './local-store.js';
import {type OutputRef, parseStageRecord, type StageRecord} from './stage-record.js';

/** The stage a lookup is for, enough to name it in warnings and to write its record. */
export interface LookupStage {
  readonly id: string;
  readonly kind: StageKind;
  readonly fingerprint: unknown;
}

/** How long a bad entry that a shared cache would not let us remove is skipped. */
const REJECT_FOR_MS = 24 * 60 * 60 * 1000;

/**
 * The run-cache as the executor sees it: the local store first, then any shared caches (the
 * `CacheProvider` seam). Nothing unverified is ever used: every object is checked against its
 * name (locally through the stat cache; bytes from a shared cache as they are copied in), and a
 * damaged object or record is removed, reported and treated as a miss.
 *
 * The committed lockfile outranks every cache: where it names a stage's outputs for the key
 * being looked up, only a record with exactly those outputs is used, or else exactly those
 * objects are restored by hash; a record that disagrees (a forged or stale one in a shared
 * cache) is ignored with a warning, so no cache can rewrite the lockfile.
 */
export class StageCache {
  readonly #local: LocalStore;
  readonly #shared: readonly CacheProvider[];
  readonly #warn: (message: string, stage?: string) => void;
  readonly #rejectsFile: string;
  #rejects: Record<string, number> | undefined;

  /** `warn` hears about damage and about shared caches that fail: a cache never fails a build. */
  constructor(
    local: LocalStore,
    shared: readonly CacheProvider[] = [],
    warn: (message: string, stage?: string) => void = () => undefined,
  ) {
    this.#local = local;
    this.#shared = shared;
    this.#warn = warn;
    this.#rejectsFile = join(local.root, 'shared-rejects.json');
  }

  /**
   * The record of `key` with all its outputs intact in the local store (restored from a shared
   * cache where needed), or undefined. `locked` is what the lockfile names as the outputs of
   * this very key, when it does.
   */
  async lookup(
    stage: LookupStage,
    key: Sha256,
    locked?: Readonly<Record<string, Sha256>>,
  ): Promise<StageRecord | undefined> {
    const local = this.#readLocal(stage, key);
    if (local) {
      if (!locked || agrees(local, locked)) {
        if (await this.#ensureObjects(stage, local.outputs)) return local;
      } else {
        this.#warn(
          `the local cache's record of ${stage.id} names outputs that differ from the lockfile's for the same key; using the lockfile's`,
          stage.id,
        );
      }
    }
    for (const provider of this.#shared) {
      const record = await this.#readShared(provider, stage, key);
      if (!record) continue;
      if (locked && !agrees(record, locked)) {
        this.#warn(
          `the ${provider.name} has a record of ${stage.id} (${shortHash(key)}) whose outputs differ from the lockfile's; ignored it, the lockfile wins`,
          stage.id,
        );
        continue;
      }
      if (await this.#ensureObjects(stage, record.outputs)) {
        await this.#local.writeStage(record);
        return record;
      }
    }
    if (!locked) return undefined;
    // No record agrees with the lockfile: restore exactly the objects it names.
    const outputs = await this.#ensureObjects(
      stage,
      Object.fromEntries(Object.entries(locked).map(([name, hash]) => [name, {hash}])),
    );
    if (!outputs) return undefined;
    const record: StageRecord = {
      version: 1,
      id: stage.id,
      kind: stage.kind,
      key,
      fingerprint: stage.fingerprint,
      outputs,
      // The facts of a record that disagreed cannot be trusted, and none other exists.
      summary: {},
      durationMs: 0,
      createdAt: new Date().toISOString(),
    };
    await this.#local.writeStage(record);
    return record;
  }

  /**
   * Stores a new record locally and offers it to every shared cache. Each object is hashed
   * again on its way out (see LocalStore.put), so local bit rot never spreads.
   */
  async publish(record: StageRecord): Promise<void> {
    await this.#local.writeStage(record);
    for (const provider of this.#shared) {
      try {
        for (const output of Object.values(record.outputs)) {
          // A folder's files before its manifest, as the record after its objects.
          const tree = this.#local.treeOf(output.hash);
          for (const hash of [
            ...Object.values(tree?.files ?? {}).map((f) => f.sha256),
            output.hash,
          ]) {
            if (!(await provider.has('object', hash))) {
              await provider.put('object', hash, this.#local.objectPath(hash));
            }
          }
        }
        // The record last: a reader that finds it finds its objects too.
        await provider.put('stage', record.key, this.#local.stagePath(record.key));
      } catch (e) {
        this.#warn(
          `could not publish ${record.id} to the ${provider.name}: ${(e as Error).message}`,
          record.id,
        );
      }
    }
  }

  #readLocal(stage: LookupStage, key: Sha256): StageRecord | undefined {
    const read = this.#local.readStageEntry(key);
    if (read.state === 'ok') return read.record;
    if (read.state === 'damaged') {
      this.#warn(
        `the local cache's record of ${stage.id} (${this.#local.stagePath(key)}) is damaged: ${read.why}; ignored it`,
        stage.id,
      );
    }
    return undefined;
  }

  async #readShared(
    provider: CacheProvider,
    stage: LookupStage,
    key: Sha256,
  ): Promise<StageRecord | undefined> {
    if (this.#rejected(provider, 'stage', key)) return undefined;
    let text: string;
    try {
      const stream = await provider.get('stage', key);
      if (!stream) return undefined;
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
      text = Buffer.concat(chunks).toString('utf8');
    } catch (e) {
      this.#warn(
        `could not read ${stage.id} from the ${provider.name}: ${(e as Error).message}`,
        stage.id,
      );
      return undefined;
    }
    const parsed = parseStageRecord(text, key);
    if (parsed.ok) return parsed.value;
    const gone = await this.#reject(provider, 'stage', key);
    this.#warn(
      `the ${provider.name}'s record of ${stage.id} (${shortHash(key)}) is damaged: ${parsed.error}; ignored it${gone ? ' and removed it there' : ''}`,
      stage.id,
    );
    return undefined;
  }

  /**
   * Makes every output intact in the local store: checks each local object (a damaged one is
   * removed and reported) and copies missing ones from the shared caches, verified. Returns the
   * outputs with their actual sizes, or undefined when one cannot be had.
   */
  async #ensureObjects(
    stage: LookupStage,
    outputs: Readonly<Record<string, {readonly hash: Sha256; readonly size?: number}>>,
  ): Promise<Record<string, OutputRef> | undefined> {
    const found: Record<string, OutputRef> = {};
    for (const [name, {hash, size}] of Object.entries(outputs)) {
      let check = await this.#local.checkObject(hash);
      if (check.state === 'damaged') {
        this.#warn(
          `the local cache's object ${shortHash(hash)} (${name} of ${stage.id}) is damaged: ${check.why}; removed it`,
          stage.id,
        );
      }
      if (
        check.state !== 'intact' &&
        (await this.restoreObject(hash, `${name} of ${stage.id}`, stage.id))
      ) {
        check = await this.#local.checkObject(hash);
      }
      if (check.state !== 'intact') return undefined;
      // A record whose sizes are wrong is not a record of these objects.
      if (size !== undefined && size !== check.size) return undefined;
      if (!(await this.#ensureMembers(stage, name, hash))) return undefined;
      found[name] = {hash, size: check.size};
    }
    return found;
  }

  /** When `hash` is a stored folder, makes each of its files intact too (see tree.ts). */
  async #ensureMembers(stage: LookupStage, name: string, hash: Sha256): Promise<boolean> {
    const tree = this.#local.treeOf(hash);
    if (!tree) return true;
    for (const [path, entry] of Object.entries(tree.files)) {
      const what = `${path} in ${name} of ${stage.id}`;
      let check = await this.#local.checkObject(entry.sha256);
      if (check.state === 'damaged') {
        this.#warn(
          `the local cache's object ${shortHash(entry.sha256)} (${what}) is damaged: ${check.why}; removed it`,
          stage.id,
        );
      }
      if (check.state !== 'intact' && (await this.restoreObject(entry.sha256, what, stage.id))) {
        check = await this.#local.checkObject(entry.sha256);
      }
      if (check.state !== 'intact') return false;
    }
    return true;
  }

  /**
   * Copies one object from the first shared cache that has it with the right bytes; `what`
   * names it in warnings ("train.jsonl of dataset").
   */
  async restoreObject(hash: Sha256, what: string, stage?: string): Promise<boolean> {
    for (const provider of this.#shared) {
      if (this.#rejected(provider, 'object', hash)) continue;
      try {
        const stream = await provider.get('object', hash);
        if (!stream) continue;
        const stored = await this.#local.putStream(stream as AsyncIterable<Uint8Array>, hash);
        if (stored.hash === hash) return true;
        const gone = await this.#reject(provider, 'object', hash);
        this.#warn(
          `the ${provider.name} has bad bytes for object ${shortHash(hash)} (${what}): they hash to ${shortHash(stored.hash)}; not used${gone ? ', and removed there' : ''}`,
          stage,
        );
      } catch (e) {
        this.#warn(
          `could not restore ${what} from the ${provider.name}: ${(e as Error).message}`,
          stage,
        );
      }
    }
    return false;
  }

  /**
   * Removes a bad entry from a shared cache so no one fetches it again; where the cache will
   * not allow that (mounted read-only), remembers it locally for a day instead. True when
   * removed.
   */
  async #reject(provider: CacheProvider, kind: CacheEntryKind, hash: Sha256): Promise<boolean> {
    if (await provider.evict(kind, hash).catch(() => false)) return true;
    const rejects = this.#loadRejects();
    rejects[`${provider.name}|${kind}|${hash}`] = Date.now();
    await writeFileAtomic(this.#rejectsFile, `${JSON.stringify(rejects)}\n`).catch(() => undefined);
    return false;
  }

  #rejected(provider: CacheProvider, kind: CacheEntryKind, hash: Sha256): boolean {
    const at = this.#loadRejects()[`${provider.name}|${kind}|${hash}`];
    return at !== undefined && Date.now() - at < REJECT_FOR_MS;
  }

  #loadRejects(): Record<string, number> {
    if (!this.#rejects) {
      try {
        this.#rejects = JSON.parse(readFileSync(this.#rejectsFile, 'utf8')) as Record<
          string,
          number
        >;
      } catch {
        this.#rejects = {};
      }
    }
    return this.#rejects;
  }
}

/** Whether a record names exactly the outputs the lockfile does. */
function agrees(record: StageRecord, locked: Readonly<Record<string, Sha256>>): boolean {
  const names = Object.keys(record.outputs);
  return (
    names.length === Object.keys(locked).length &&
    names.every((name) => record.outputs[name]!.hash === locked[name])
  );
}
