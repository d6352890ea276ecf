import {readdirSync, readFileSync, statSync} from 'node:fs';
import {readdir, rm} from 'node:fs/promises';
import {join} from 'node:path';
import {isSha256, type Sha256, sha256FromHex} from '../../core/hash.js';
import {isDeterministicKind} from '../../plan/stage-id.js';
import type {Lockfile} from '../lockfile.js';
import {type LocalStore, REPORT_SUFFIX} from './local-store.js';

export interface GcResult {
  readonly keptStages: number;
  /** Records of training and evaluation kept only because they cost money to remake. */
  readonly keptTrained: number;
  readonly removedStages: number;
  readonly removedObjects: number;
  readonly removedBytes: number;
}

export interface GcOptions {
  /** The lockfiles of every recipe sharing this store. */
  readonly lockfiles: readonly Lockfile[];
  /** Builds whose stages are kept, newest first. */
  readonly keepBuilds: number;
  /**
   * Also remove unreferenced records of non-deterministic stages (training, evaluation). Off by
   * default: gc sees only the lockfiles on disk, so a model trained on another branch would
   * otherwise lose its record and be paid for again on switching back.
   */
  readonly includeTrained: boolean;
}

/**
 * Removes what nothing needs: keeps the stage records the lockfiles reference, those used by
 * the last `keepBuilds` builds and (unless `includeTrained`) those of training and evaluation,
 * every object those records name, and drops the rest (older build records included). Must run
 * under the project lock.
 */
export async function collectGarbage(store: LocalStore, options: GcOptions): Promise<GcResult> {
  const {lockfiles, keepBuilds} = options;
  const keep = new Set<Sha256>(lockfiles.flatMap((l) => Object.values(l.stages).map((s) => s.key)));
  // A build's report (<id>.report.json) lives and goes with its record (<id>.json).
  const builds = readdirSync(store.buildsDir)
    .filter((n) => n.endsWith('.json') && !n.endsWith(REPORT_SUFFIX))
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
  for (const name of builds.slice(keepBuilds)) {
    await rm(join(store.buildsDir, name), {force: true});
    await rm(join(store.buildsDir, name.replace(/\.json$/, REPORT_SUFFIX)), {force: true});
  }

  const liveObjects = new Set<Sha256>();
  let keptStages = 0;
  let keptTrained = 0;
  let removedStages = 0;
  for (const key of await store.listStageKeys()) {
    const found = store.readStage(key);
    const trained = found !== undefined && !isDeterministicKind(found.kind);
    const record = keep.has(key) || (trained && !options.includeTrained) ? found : undefined;
    if (record) {
      keptStages++;
      if (!keep.has(key)) keptTrained++;
      for (const output of Object.values(record.outputs)) {
        liveObjects.add(output.hash);
        for (const file of Object.values(store.treeOf(output.hash)?.files ?? {})) {
          liveObjects.add(file.sha256);
        }
      }
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
  // Work folders of keys that completed (their record is here): an interrupted training's
  // checkpoints stay, for the attempt that resumes from them.
  for (const name of await readdir(join(store.root, 'work')).catch(() => [] as string[])) {
    const key = sha256FromHex(name);
    if (isSha256(key) && store.readStage(key)) {
      await rm(join(store.root, 'work', name), {recursive: true, force: true});
    }
  }
  // Work files of builds that were killed: no live build exists while we hold the lock.
  await rm(store.tmpDir, {recursive: true, force: true});
  // Derived facts are cheap to recompute from what is kept.
  await rm(join(store.root, 'derived'), {recursive: true, force: true});
  return {keptStages, keptTrained, removedStages, removedObjects, removedBytes};
}
