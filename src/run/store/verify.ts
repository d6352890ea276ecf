import type {Sha256} from '../../core/hash.js';
import type {LocalStore} from './local-store.js';
import type {StageCache} from './stage-cache.js';

/** An object whose bytes did not hash to its name. */
export interface DamagedObject {
  readonly hash: Sha256;
  readonly why: string;
  /** The outputs that name it ("train.jsonl of dataset"). */
  readonly usedBy: readonly string[];
  /** `restored`: good bytes came from a shared cache; `removed`: a build will remake them. */
  readonly action: 'restored' | 'removed';
}

export interface DamagedRecord {
  readonly key: Sha256;
  readonly path: string;
  readonly why: string;
  readonly action: 'removed';
}

/** A sound record some of whose objects are not in the store (the stage reruns or restores). */
export interface IncompleteRecord {
  readonly key: Sha256;
  readonly id: string;
  readonly missing: readonly string[];
  readonly action: 'restored' | 'left';
}

export interface VerifyReport {
  readonly objects: {
    readonly checked: number;
    readonly bytes: number;
    readonly damaged: readonly DamagedObject[];
  };
  readonly records: {
    readonly checked: number;
    readonly damaged: readonly DamagedRecord[];
    readonly incomplete: readonly IncompleteRecord[];
  };
}

/**
 * `ft cache verify`: reads every object of the store and hashes it (no stat cache: this is the
 * check that trusts nothing), and reads every stage record. What is damaged is removed, so no
 * build can use it, and restored from the shared caches where they have good bytes. Must run
 * under the project lock. `store` must hash objects itself (no stat-cache hasher).
 */
export async function verifyStore(
  store: LocalStore,
  cache: StageCache,
  progress: (done: number, total: number) => void = () => undefined,
): Promise<VerifyReport> {
  const usedBy = new Map<Sha256, string[]>();
  const damagedRecords: DamagedRecord[] = [];
  const sound: {key: Sha256; id: string; outputs: [string, Sha256][]}[] = [];
  const keys = await store.listStageKeys();
  for (const key of keys) {
    const read = store.readStageEntry(key);
    if (read.state === 'ok') {
      const outputs = Object.entries(read.record.outputs).map(
        ([name, o]) => [name, o.hash] as [string, Sha256],
      );
      sound.push({key, id: read.record.id, outputs});
      // A stored folder's files count as outputs too, named by their place in it.
      for (const [name, hash] of [...outputs]) {
        for (const [path, file] of Object.entries(store.treeOf(hash)?.files ?? {})) {
          outputs.push([`${path} in ${name}`, file.sha256]);
        }
      }
      for (const [name, hash] of outputs) {
        usedBy.set(hash, [...(usedBy.get(hash) ?? []), `${name} of ${read.record.id}`]);
      }
    } else if (read.state === 'damaged') {
      damagedRecords.push({key, path: store.stagePath(key), why: read.why, action: 'removed'});
      await store.removeStage(key);
    }
  }

  const damagedObjects: DamagedObject[] = [];
  const objects = await store.listObjects();
  let bytes = 0;
  for (const [index, hash] of objects.entries()) {
    progress(index, objects.length);
    const check = await store.checkObject(hash);
    if (check.state === 'intact') bytes += check.size;
    if (check.state !== 'damaged') continue;
    const uses = usedBy.get(hash) ?? [];
    const restored = await cache.restoreObject(hash, uses[0] ?? `object ${hash}`);
    damagedObjects.push({
      hash,
      why: check.why,
      usedBy: uses,
      action: restored ? 'restored' : 'removed',
    });
  }
  progress(objects.length, objects.length);

  const incomplete: IncompleteRecord[] = [];
  for (const record of sound) {
    const missing = record.outputs.filter(([, hash]) => !store.hasObjectFile(hash));
    if (missing.length === 0) continue;
    let restored = true;
    for (const [name, hash] of missing) {
      restored = (await cache.restoreObject(hash, `${name} of ${record.id}`)) && restored;
    }
    incomplete.push({
      key: record.key,
      id: record.id,
      missing: missing.map(([name]) => name),
      action: restored ? 'restored' : 'left',
    });
  }
  return {
    objects: {checked: objects.length, bytes, damaged: damagedObjects},
    records: {checked: keys.length, damaged: damagedRecords, incomplete},
  };
}

/** Whether verification found anything wrong (repaired or not). */
export function foundProblems(report: VerifyReport): boolean {
  return report.objects.damaged.length > 0 || report.records.damaged.length > 0;
}
