import type {Sha256} from '../../core/hash.js';
import type {CacheProvider} from './cache-provider.js';
import type {LocalStore} from './local-store.js';
import type {StageRecord} from './stage-record.js';

/**
 * The run-cache as the executor sees it: the local store first, then any shared caches (the
 * `CacheProvider` seam). A hit in a shared cache is copied into the local store, every object
 * checked against its hash on the way, so nothing unverified is ever used. What a build runs is
 * published to the shared caches too, so the next CI runner restores instead of rerunning.
 */
export class StageCache {
  readonly #local: LocalStore;
  readonly #shared: readonly CacheProvider[];
  readonly #warn: (message: string) => void;

  /** `warn` hears about shared caches that fail: a cache never fails a build. */
  constructor(
    local: LocalStore,
    shared: readonly CacheProvider[] = [],
    warn: (message: string) => void = () => undefined,
  ) {
    this.#local = local;
    this.#shared = shared;
    this.#warn = warn;
  }

  /** The record of `key` with all its outputs present locally, or undefined. */
  async lookup(key: Sha256): Promise<StageRecord | undefined> {
    const local = this.#local.readStage(key);
    if (local && this.#local.hasOutputs(local.outputs)) return local;
    for (const provider of this.#shared) {
      const record = await this.#restore(provider, key).catch((e: Error) => {
        this.#warn(`could not restore ${key} from the ${provider.name} cache: ${e.message}`);
        return undefined;
      });
      if (record) return record;
    }
    return undefined;
  }

  /** Stores a new record locally and offers it to every shared cache. */
  async publish(record: StageRecord): Promise<void> {
    await this.#local.writeStage(record);
    for (const provider of this.#shared) {
      try {
        for (const output of Object.values(record.outputs)) {
          if (!(await provider.has('object', output.hash))) {
            await provider.put('object', output.hash, this.#local.objectPath(output.hash));
          }
        }
        // The record last: a reader that finds it finds its objects too.
        await provider.put('stage', record.key, this.#local.stagePath(record.key));
      } catch (e) {
        this.#warn(
          `could not publish ${record.id} to the ${provider.name} cache: ${(e as Error).message}`,
        );
      }
    }
  }

  async #restore(provider: CacheProvider, key: Sha256): Promise<StageRecord | undefined> {
    const recordStream = await provider.get('stage', key);
    if (!recordStream) return undefined;
    const chunks: Buffer[] = [];
    for await (const chunk of recordStream) chunks.push(Buffer.from(chunk as Buffer));
    const record = JSON.parse(Buffer.concat(chunks).toString('utf8')) as StageRecord;
    if (record.key !== key) return undefined;
    for (const output of Object.values(record.outputs)) {
      if (this.#local.hasObject(output.hash)) continue;
      const stream = await provider.get('object', output.hash);
      if (!stream) return undefined;
      const {hash} = await this.#local.putStream(stream as AsyncIterable<Uint8Array>, output.hash);
      if (hash !== output.hash) {
        throw new Error(`${provider.name} cache returned wrong bytes for ${output.hash}`);
      }
    }
    await this.#local.writeStage(record);
    return record;
  }
}
