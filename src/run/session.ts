import {dirname, join} from 'node:path';
import {type BuildEvent, diagnosticEvent} from '../console/events.js';
import {stableJson} from '../core/canonical-json.js';
import {type Diagnostic, error, UserError} from '../core/diagnostic.js';
import {describeSystemError} from '../core/environment-error.js';
import type {ExecPolicy} from '../core/exec-policy.js';
import {buildGraph, type StageNode, selectStages} from '../plan/graph.js';
import type {StageId} from '../plan/stage-id.js';
import type {ResolvedRecipe} from '../recipe/normalized.js';
import type {BuildFlags} from '../stages/stage-definition.js';
import {execute, type StageOutcome} from './executor.js';
import {EXIT, exitCodeOf} from './exit-code.js';
import {
  LOCKFILE_VERSION,
  type LockEntry,
  type Lockfile,
  lockfilePath,
  readLockfile,
  serializeLockfile,
  writeLockfile,
} from './lockfile.js';
import {writeFileAtomic} from './store/atomic-file.js';
import {LocalStore} from './store/local-store.js';
import {ProjectLock} from './store/project-lock.js';
import {StageCache} from './store/stage-cache.js';
import {StatCache} from './store/stat-cache.js';

export interface SessionRequest {
  readonly loaded: ResolvedRecipe;
  readonly mode: 'plan' | 'build';
  /** Stages named on the command line (with everything they need); empty means all. */
  readonly only: readonly StageId[];
  readonly frozen: boolean;
  /** False for builds with `--set`: a one-off variation must not move the committed lock. */
  readonly writeLockfile: boolean;
  readonly signal: AbortSignal;
  readonly emit: (event: BuildEvent) => void;
  /** Told once when another ft process holds the project lock. */
  readonly onWait?: (holder: string) => void;
  /** Whether stages may run recipe code and fetch (`--no-exec`); see core/exec-policy.ts. */
  readonly exec: ExecPolicy;
  /** Build options stages act on (`--retry`, `--allow-unknown-cost`). */
  readonly flags?: BuildFlags;
  /**
   * Runs after the lockfile is written and before the project lock is released: what must see
   * this build's results and no other's (its report, which two builds must not interleave).
   */
  readonly whileLocked?: (result: SessionResult) => Promise<void>;
}

export interface SessionResult {
  /** `2026-12-06T09-14-56.123Z-4242`: when the build started and its process (builds only). */
  readonly buildId: string;
  readonly stages: readonly StageNode[];
  readonly outcomes: ReadonlyMap<StageId, StageOutcome>;
  readonly exitCode: number;
  readonly lockfile: Lockfile;
  /** Problems found outside any one stage (e.g. --frozen drift of the whole lockfile). */
  readonly diagnostics: readonly Diagnostic[];
}

/** The store of a recipe: `.ft/` beside it. */
export function storeFor(loaded: ResolvedRecipe): LocalStore {
  return storeBeside(loaded.path);
}

export function storeBeside(recipePath: string): LocalStore {
  return new LocalStore(join(dirname(recipePath), '.ft'));
}

/**
 * One plan or build of a recipe, under the project lock: read the lockfile, walk the stages,
 * then (builds only) record the result in the lockfile and the build log of the store.
 */
export async function runSession(request: SessionRequest): Promise<SessionResult> {
  const {loaded} = request;
  const lockPath = lockfilePath(loaded.path);
  const shownLock = lockPath.slice(loaded.normalized.dir.length + 1);
  const graph = buildGraph(loaded.normalized);
  const unknown = request.only.filter((id) => !graph.some((n) => n.id === id));
  if (unknown.length > 0) {
    throw new UserError(
      unknown.map((id) =>
        error(
          'usage',
          `no stage '${id}' in this recipe (stages: ${graph.map((n) => n.id).join(', ')})`,
        ),
      ),
    );
  }
  const stages = selectStages(graph, request.only);
  const buildId = `${new Date().toISOString().replaceAll(':', '-')}-${process.pid}`;

  const store = storeFor(loaded);
  store.init();
  const lock = new ProjectLock(store.lockFile);
  await lock.acquire(`ft ${request.mode}`, request.onWait, request.signal);
  try {
    // Work files of builds killed mid-way (kill -9, a crash) go as soon as we own the store.
    await store.removeLeftovers();
    // Read under the lock: a build that waited must see what the one before it wrote.
    const read = readLockfile(lockPath, shownLock);
    if (!read.ok) throw new UserError(read.error);
    const previous = read.value;
    const warn = (message: string, stage?: string) =>
      request.emit(diagnosticEvent({code: 'store', severity: 'warning', message}, stage));
    const statCache = new StatCache(store.statCacheFile);
    // Objects are vouched for by the stat cache like sources: unchanged ones are only stat'ed.
    const checked = store.withHasher(statCache);
    let outcomes: Map<StageId, StageOutcome>;
    try {
      outcomes = await execute({
        mode: request.mode,
        recipe: loaded.normalized,
        stages,
        store: checked,
        cache: new StageCache(checked, sharedCaches(warn), warn),
        statCache,
        lockfile: previous,
        frozen: request.frozen,
        signal: request.signal,
        emit: request.emit,
        exec: request.exec,
        ...(request.flags ? {flags: request.flags} : {}),
      });
    } finally {
      statCache.save();
      await statCache.close();
    }
    let exitCode = exitCodeOf([...outcomes.values()].map((o) => o.failure?.exitCode ?? 0));
    // A failed eval gate is not a failed stage (its scores are kept and locked), but the build
    // says so with exit 3, whether the scores were just computed or are fresh from before.
    if (request.mode === 'build' && [...outcomes.values()].some(failedGates)) {
      exitCode = exitCodeOf([exitCode, EXIT.gateFailed]);
    }
    const diagnostics: Diagnostic[] = [];
    const next = nextLockfile(previous, graph, outcomes);
    if (request.mode === 'build') {
      await recordBuild(store, buildId, outcomes, warn);
      const changed = serializeLockfile(next) !== serializeLockfile(previous);
      if (request.frozen && changed && exitCode === 0) {
        diagnostics.push(
          error(
            'usage',
            `--frozen: the build would change ${shownLock}; run ft build without --frozen and commit it`,
          ),
        );
        exitCode = 1;
      } else if (request.writeLockfile && !request.frozen && exitCode !== 2) {
        await writeLockfile(lockPath, next, shownLock);
      }
    }
    const result = {buildId, stages, outcomes, exitCode, lockfile: next, diagnostics};
    await request.whileLocked?.(result);
    return result;
  } finally {
    await lock.release();
  }
}

/**
 * Shared caches from `FT_SHARED_CACHE`: a folder (an NFS mount, a CI cache volume) laid out like
 * `.ft/`, read before running a stage and written after. Remote HTTP/S3 caches plug in here.
 */
export function sharedCaches(warn: (message: string) => void): LocalStore[] {
  const dir = process.env.FT_SHARED_CACHE;
  if (!dir) return [];
  const shared = new LocalStore(dir, {name: `shared cache (FT_SHARED_CACHE=${dir})`});
  try {
    shared.init();
  } catch (e) {
    warn(`FT_SHARED_CACHE=${dir} cannot be used: ${(e as Error).message}`);
    return [];
  }
  return [shared];
}

/**
 * The lockfile after a build: stages that completed get their new entry; stages that did not
 * run this time (not selected, failed, interrupted) keep the previous one; stages no longer in
 * the recipe are dropped.
 */
function nextLockfile(
  previous: Lockfile,
  graph: readonly StageNode[],
  outcomes: ReadonlyMap<StageId, StageOutcome>,
): Lockfile {
  const stages: Record<string, LockEntry> = {};
  for (const node of graph) {
    const o = outcomes.get(node.id);
    const done = o?.status === 'ran' || o?.status === 'fresh' || o?.status === 'cached';
    const before = previous.stages[node.id];
    if (done && o.key && o.result) {
      const sameKey = before?.key === o.key ? before : undefined;
      // A fresh stage restored from its result has only some of its outputs at hand.
      const outputs =
        o.status === 'fresh' && sameKey?.result !== undefined
          ? sameKey.outputs
          : Object.fromEntries(Object.entries(o.result.outputs).map(([n, a]) => [n, a.hash]));
      const reported = o.result.summary.result;
      const result =
        reported !== null && typeof reported === 'object' && node.kind === 'train'
          ? (reported as Record<string, unknown>)
          : sameKey?.result;
      stages[node.id] = {
        kind: node.kind,
        key: o.key,
        fingerprint: o.fingerprint,
        outputs,
        ...(result !== undefined ? {result} : {}),
        ...(node.kind === 'eval' ? scoresOf(o.result.summary) : {}),
      };
    } else if (previous.stages[node.id]) {
      stages[node.id] = previous.stages[node.id]!;
    }
  }
  return {lockfile_version: LOCKFILE_VERSION, stages};
}

/**
 * Which stage keys this build used, so `ft cache gc` can keep the last N builds.
 *
 * A record that cannot be written (no space, `.ft/builds` not a folder) is a warning, not a
 * failure: it only feeds gc's "recent builds" (what the lockfile names is kept regardless), while
 * the build itself is complete and sound. Failing it would report a good build as failed and, by
 * stopping here, leave the lockfile behind the store; instead the lockfile is written next as
 * usual (and a failure to write that is an error, see writeLockfile).
 */
async function recordBuild(
  store: LocalStore,
  buildId: string,
  outcomes: ReadonlyMap<StageId, StageOutcome>,
  warn: (message: string) => void,
): Promise<void> {
  const keys: Record<string, string> = {};
  for (const [id, o] of outcomes) if (o.key && o.result) keys[id] = o.key;
  const path = join(store.buildsDir, `${buildId}.json`);
  try {
    await writeFileAtomic(path, stableJson({stages: keys}));
  } catch (e) {
    warn(
      `could not record this build in ${path}: ${describeSystemError(e)}; ft cache gc will not count it among the recent builds whose results it keeps (what the lockfile names is kept all the same)`,
    );
  }
}

/** Whether a stage is an evaluation whose gates failed. */
function failedGates(outcome: StageOutcome): boolean {
  const failed = outcome.result?.summary.failed_gates;
  return typeof failed === 'number' && failed > 0;
}

/** An eval stage's summary scores as the lockfile keeps them: model -> metric -> value. */
function scoresOf(summary: Readonly<Record<string, unknown>>): Pick<LockEntry, 'scores'> {
  const models = summary.scores as Record<string, Record<string, {value: number}>> | undefined;
  if (!models) return {};
  return {
    scores: Object.fromEntries(
      Object.entries(models).map(([model, metrics]) => [
        model,
        Object.fromEntries(Object.entries(metrics).map(([metric, s]) => [metric, s.value])),
      ]),
    ),
  };
}
