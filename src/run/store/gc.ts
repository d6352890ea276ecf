import {readdirSync, readFileSync, statSync} from 'node:fs';
import {rm} from 'node:fs/promises';
import {join} from 'node:path';
import {isSha256, type Sha256} from '../../core/hash.js';
import type {Lockfile} from '../lockfile.js';
import type {LocalStore} from './local-store.js';

export interface GcResult {
  readonly keptStages: number;
  readonly removedStages: number;
  readonly removedObjects: number;
  readonly removedBytes: number;
}

/**
 * Removes what nothing needs: keeps the stage records the lockfiles (of every recipe sharing
 * this store) reference and those used
 * by the last `keepBuilds` builds, every object those records name, and drops the rest (older
 * build records included). Must run under the project lock.
 */
export async function collectGarbage(
  store: LocalStore,
  lockfiles: readonly Lockfile[],
  keepBuilds: number,
): Promise<GcResult> {
  const keep = new Set<Sha256>(lockfiles.flatMap((l) => Object.values(l.stages).map((s) => s.key)));
  const builds = readdirSync(store.buildsDir)
    .filter((n) => n.endsWith('.json'))
    .sort()
    .reverse();
  for (const name of builds.slice(0, keepBuilds)) {
    try {
      const record = JSON.parse(readFileSync(join(store.buildsDir, name), 'utf8')) as {
        stages: Record<string, string>;
      };
      for (const key of Object.values(record.stages)) if (isSha256(key)) keep.add(key);
    } catch {
      // a damaged build record keeps nothing alive
    }
  }
  for (const name of builds.slice(keepBuilds)) await rm(join(store.buildsDir, name), {force: true});

  const liveObjects = new Set<Sha256>();
  let keptStages = 0;
  let removedStages = 0;
  for (const key of await store.listStageKeys()) {
    const record = keep.has(key) ? store.readStage(key) : undefined;
    if (record) {
      keptStages++;
      for (const output of Object.values(record.outputs)) liveObjects.add(output.hash);
    } else {
      removedStages++;
      await rm(store.stagePath(key), {force: true});
      await rm(store.logPath(key), {force: true});
    }
  }
  let removedObjects = 0;
  let removedBytes = 0;
  for (const hash of await store.listObjects()) {
    if (liveObjects.has(hash)) continue;
    const path = store.objectPath(hash);
    removedBytes += statSync(path).size;
    removedObjects++;
    await rm(path, {force: true});
  }
  // Work files of builds that were killed: no live build exists while we hold the lock.
  await rm(store.tmpDir, {recursive: true, force: true});
  // Derived facts are cheap to recompute from what is kept.
  await rm(join(store.root, 'derived'), {recursive: true, force: true});
  return {keptStages, removedStages, removedObjects, removedBytes};
}
