import {isDeepStrictEqual} from 'node:util';
import type {BuildEvent, PlanStatus, StageStatus} from '../console/events.js';
import {diagnosticEvent} from '../console/events.js';
import type {ArtifactStore} from '../core/artifact-store.js';
import {type Diagnostic, UserError} from '../core/diagnostic.js';
import {environmentDiagnostics} from '../core/environment-error.js';
import type {ExecPolicy} from '../core/exec-policy.js';
import {type Sha256, sha256} from '../core/hash.js';
import {StageFailure} from '../core/stage-failure.js';
import {type FileEntry, type Fingerprint, keyOf} from '../plan/fingerprint.js';
import type {StageNode} from '../plan/graph.js';
import type {StageId} from '../plan/stage-id.js';
import {diffFingerprints, NEW_STAGE, type Why} from '../plan/why.js';
import type {NormalizedRecipe} from '../recipe/normalized.js';
import {STAGES} from '../stages/registry.js';
import {
  type BuildFlags,
  NO_FLAGS,
  type Preflight,
  type StageContext,
  type StageResult,
} from '../stages/stage-definition.js';
import type {LockEntry, Lockfile} from './lockfile.js';
import {writeFileAtomic} from './store/atomic-file.js';
import type {LocalStore} from './store/local-store.js';
import type {StageCache} from './store/stage-cache.js';
import type {StageRecord} from './store/stage-record.js';
import type {StatCache} from './store/stat-cache.js';

export interface ExecuteOptions {
  /**
   * `plan` computes the deterministic stages (into the store, never the lockfile) to learn every
   * key up to training, and runs nothing else; `build` runs everything it must.
   */
  readonly mode: 'plan' | 'build';
  readonly recipe: NormalizedRecipe;
  /** The stages to consider, in topological order, their needs included. */
  readonly stages: readonly StageNode[];
  readonly store: LocalStore;
  /** The run-cache: the local store, then any shared caches. */
  readonly cache: StageCache;
  readonly statCache: StatCache;
  readonly lockfile: Lockfile;
  /** Fail (exit 1) at the first stage whose key differs from the lockfile, before running it. */
  readonly frozen: boolean;
  readonly signal: AbortSignal;
  readonly emit: (event: BuildEvent) => void;
  /** Whether stages may run recipe code and fetch (StageContext.exec). */
  readonly exec: ExecPolicy;
  /** Build options stages act on (`--retry`, `--allow-unknown-cost`). */
  readonly flags?: BuildFlags;
}

/** What happened to one stage. */
export interface StageOutcome {
  readonly node: StageNode;
  readonly key: Sha256 | null;
  readonly fingerprint: Fingerprint | null;
  /** What the plan expected before anything ran. */
  readonly planStatus: PlanStatus;
  /** What the build did (undefined in plan mode). */
  readonly status?: StageStatus;
  readonly why: readonly Why[];
  /** Time the build spent running it (0 when fresh, cached or never started). */
  readonly durationMs?: number;
  readonly result?: StageResult;
  /** What the stage's preflight found (training data checks, estimates). */
  readonly preflight?: Preflight;
  readonly failure?: {
    readonly reason: string;
    readonly message: string;
    readonly exitCode: 0 | 1 | 2 | 130;
  };
  readonly diagnostics?: readonly Diagnostic[];
}

/**
 * Walks the stages in dependency order (independent ones concurrently). For each: fingerprint
 * from upstream outputs -> key -> fresh (the lockfile's key, outputs in the store) / cached (a
 * stage record for the key in the store: the run-cache) / run. Stages behind one that has yet
 * to run non-deterministically are pending, with no key.
 */
export async function execute(options: ExecuteOptions): Promise<Map<StageId, StageOutcome>> {
  const {store, emit, signal} = options;
  const outcomes = new Map<StageId, StageOutcome>();
  const running = new Map<StageId, Promise<StageOutcome>>();
  const artifacts: ArtifactStore = {
    newTempFile: (hint) => store.newTempFile(hint),
    adopt: (temp, hash) => store.adoptObject(temp, hash),
    putBytes: (data) => store.putObjectBytes(data),
    putStream: (chunks, expected) => store.putStream(chunks, expected),
    readText: (hash) => store.readObjectText(hash),
    sizeOf: (hash) => store.intactSize(hash),
    pathOf: (hash) => store.objectPath(hash),
    putFile: (path) => store.putFile(path),
    putTree: (dir) => store.putTree(dir),
    materialize: (hash) => store.materialize(hash),
    workDir: (key) => store.workDir(key),
    readDerived: (key) => store.readDerived(key),
    writeDerived: (key, value) => store.writeDerived(key, value),
    readAnswerLog: (key) => store.readAnswerLog(key),
    appendAnswerLog: (key, line) => store.appendAnswerLog(key, line),
    flushAnswerLogs: () => store.flushAnswerLogs(),
  };
  // Each file is hashed once per build, however many stages ask: answers are kept by path, and
  // a file that one stage is hashing is waited for by the next (two batches running at the same
  // time may both hash a file they share; the stat cache makes the second one cheap).
  const answered = new Map<string, {hash: Sha256; size: number}>();
  const inFlight = new Map<string, Promise<{hash: Sha256; size: number}>>();
  const hashFile = (path: string): Promise<{hash: Sha256; size: number}> => {
    const known = answered.get(path);
    if (known) return Promise.resolve(known);
    let pending = inFlight.get(path);
    if (!pending) {
      pending = options.statCache.hash(path).then((r) => {
        const answer = {hash: r.hash, size: r.size};
        answered.set(path, answer);
        inFlight.delete(path);
        return answer;
      });
      inFlight.set(path, pending);
    }
    return pending;
  };
  const hashFiles = async (paths: readonly string[]) => {
    const out: {hash: Sha256; size: number}[] = new Array(paths.length);
    const batch: number[] = [];
    const waits: Promise<void>[] = [];
    for (let i = 0; i < paths.length; i++) {
      const path = paths[i]!;
      const known = answered.get(path);
      if (known) out[i] = known;
      else if (inFlight.has(path)) {
        waits.push(
          hashFile(path).then((a) => {
            out[i] = a;
          }),
        );
      } else batch.push(i);
    }
    const hashed = await options.statCache.hashAll(batch.map((i) => paths[i]!));
    for (const [k, i] of batch.entries()) {
      out[i] = hashed[k]!;
      answered.set(paths[i]!, hashed[k]!);
    }
    await Promise.all(waits);
    return out;
  };

  if (options.mode === 'build') {
    const warmUp = {
      recipe: options.recipe,
      knowsFile: (path: string) => options.statCache.knows(path),
    };
    for (const kind of new Set(options.stages.map((node) => node.kind))) {
      try {
        STAGES[kind].warmUp?.(warmUp);
      } catch {
        // Only a head start: the stage's run does without it.
      }
    }
  }

  const visit = async (node: StageNode): Promise<StageOutcome> => {
    const upstream = await Promise.all(node.needs.map((id) => running.get(id)!));
    const outcome = await decide(node, upstream);
    outcomes.set(node.id, outcome);
    return outcome;
  };

  const decide = async (node: StageNode, upstream: StageOutcome[]): Promise<StageOutcome> => {
    const blocked = upstream.find((u) => u.status !== undefined && !isDone(u.status));
    if (blocked || signal.aborted) {
      // Every stage of a build gets its stage-end event, those that never started included.
      if (options.mode === 'build') emit(stageEnd(node, null, 'skipped', [], 0));
      return skipped(node, options.mode);
    }
    if (upstream.some((u) => u.result === undefined)) {
      return {node, key: null, fingerprint: null, planStatus: 'pending', why: []};
    }
    const lines: string[] = [];
    const ctx: StageContext = {
      node,
      recipe: options.recipe,
      upstream: new Map(upstream.map((u) => [u.node.id, u.result!])),
      store: artifacts,
      hashFile,
      hashFiles,
      vouchFile: (path, hash) => options.statCache.vouches(path, hash),
      signal,
      exec: options.exec,
      flags: options.flags ?? NO_FLAGS,
      log: (line) => lines.push(line),
      progress: (message, done, total) =>
        emit({
          event: 'progress',
          id: node.id,
          message,
          ...(done !== undefined ? {done} : {}),
          ...(total !== undefined ? {total} : {}),
        }),
    };
    const definition = STAGES[node.kind];
    let fingerprint: Fingerprint;
    try {
      fingerprint = await definition.fingerprint(ctx);
    } catch (e) {
      return failed(node, null, null, 'run', [], e, options);
    }
    const key = keyOf(fingerprint);
    let preflight: Preflight | undefined;
    try {
      preflight = await definition.preflight?.(ctx);
    } catch (e) {
      return failed(node, key, fingerprint, 'run', [], e, options);
    }
    const locked = options.lockfile.stages[node.id];
    const why = explain(locked, key, fingerprint, store);
    let record: Pick<StageRecord, 'outputs' | 'summary'> | undefined = await options.cache.lookup(
      {id: node.id, kind: node.kind, fingerprint},
      key,
      locked?.key === key ? locked.outputs : undefined,
    );
    if (!record && locked?.key === key && locked.result !== undefined && definition.restore) {
      // A remote training the lockfile records with its result: fresh without any store.
      try {
        const restored = await definition.restore(ctx, locked.result, locked.outputs);
        if (restored) record = {outputs: restored.outputs, summary: restored.summary};
      } catch (e) {
        return failed(node, key, fingerprint, 'run', [], e, options);
      }
    }
    const usable = record !== undefined;
    const isFresh = record !== undefined && locked?.key === key && sameOutputs(locked, record);
    const planStatus: PlanStatus = isFresh ? 'fresh' : usable ? 'cached' : 'run';
    const base = {
      node,
      key,
      fingerprint,
      planStatus,
      why: isFresh ? [] : why,
      ...(preflight ? {preflight} : {}),
    };

    if (options.frozen && options.mode === 'build' && !isFresh && locked?.key !== key) {
      const failure = new StageFailure(
        'frozen-lockfile',
        `--frozen: ${node.id} does not match the lockfile (${describeWhy(why)}); run ft build without --frozen and commit the lockfile`,
      );
      return failed(node, key, fingerprint, planStatus, why, failure, options);
    }
    if (options.frozen && options.mode === 'build' && !usable && !node.deterministic) {
      // Its key is the lockfile's, but no store has its outputs: hours of GPU time (or an API
      // bill) are not spent only to find out the lockfile would change.
      const failure = new StageFailure(
        'frozen-lockfile',
        `--frozen: ${node.id} matches the lockfile, but its outputs are in no store (local or shared), and training it again may give other results; run ft build without --frozen, or restore .ft/ or FT_SHARED_CACHE`,
      );
      return failed(node, key, fingerprint, planStatus, why, failure, options);
    }
    if (record !== undefined) {
      const status: StageStatus = isFresh ? 'fresh' : 'cached';
      const result = {outputs: record.outputs, summary: record.summary};
      if (options.mode === 'build') {
        emit(stageEnd(node, key, status, base.why, 0, result, preflight));
      }
      return {...base, ...(options.mode === 'build' ? {status} : {}), result};
    }
    if (options.mode === 'plan' && !node.deterministic) return base;

    if (options.mode === 'build') {
      emit({
        event: 'stage-start',
        id: node.id,
        kind: node.kind,
        key,
        why,
        ...(preflight ? {checks: preflight} : {}),
      });
    }
    const started = performance.now();
    try {
      const result = await definition.run({...ctx, key});
      const durationMs = Math.round(performance.now() - started);
      await options.cache.publish({
        version: 1,
        id: node.id,
        kind: node.kind,
        key,
        fingerprint,
        outputs: result.outputs,
        summary: result.summary,
        durationMs,
        createdAt: new Date().toISOString(),
      } satisfies StageRecord);
      await writeFileAtomic(store.logPath(key), lines.map((l) => `${l}\n`).join('')).catch(
        () => undefined,
      );
      for (const d of result.warnings ?? []) emit(diagnosticEvent(d, node.id));
      if (options.mode === 'build')
        emit(stageEnd(node, key, 'ran', why, durationMs, result, preflight));
      return {
        ...base,
        ...(options.mode === 'build' ? {status: 'ran' as const} : {}),
        durationMs,
        result,
      };
    } catch (e) {
      return failed(node, key, fingerprint, planStatus, why, e, options, started);
    }
  };

  for (const node of options.stages) running.set(node.id, visit(node));
  await Promise.all(running.values());
  return new Map(options.stages.map((n) => [n.id, outcomes.get(n.id)!]));
}

const isDone = (status: StageStatus) =>
  status === 'ran' || status === 'fresh' || status === 'cached';

function skipped(node: StageNode, mode: 'plan' | 'build'): StageOutcome {
  return {
    node,
    key: null,
    fingerprint: null,
    planStatus: 'pending',
    ...(mode === 'build' ? {status: 'skipped' as const} : {}),
    why: [],
  };
}

function failed(
  node: StageNode,
  key: Sha256 | null,
  fingerprint: Fingerprint | null,
  planStatus: PlanStatus,
  why: readonly Why[],
  e: unknown,
  options: ExecuteOptions,
  started?: number,
): StageOutcome {
  const durationMs = started === undefined ? 0 : Math.round(performance.now() - started);
  let failure: NonNullable<StageOutcome['failure']>;
  let diagnostics: readonly Diagnostic[] | undefined;
  let status: StageStatus = 'failed';
  if (e instanceof UserError) {
    diagnostics = e.diagnostics;
    failure = {
      reason: 'bad-input',
      message: `${e.diagnostics.length} problem(s) in the data`,
      exitCode: 2,
    };
  } else if (e instanceof StageFailure && e.reason === 'detached') {
    // A remote job runs on without ft: interrupted by Ctrl-C (130), or asked for (--detach, 0).
    status = 'detached';
    failure = {reason: e.reason, message: e.message, exitCode: options.signal.aborted ? 130 : 0};
  } else if (e instanceof StageFailure) {
    failure = {reason: e.reason, message: e.message, exitCode: e.reason === 'bad-input' ? 2 : 1};
  } else if (options.signal.aborted && isAbort(e)) {
    status = 'interrupted';
    failure = {reason: 'interrupted', message: 'interrupted', exitCode: 130};
  } else if (environmentDiagnostics(e)) {
    // The disk filled up or a folder turned read-only mid-stage: the machine, not a bug (exit 1).
    failure = {
      reason: 'environment',
      message: environmentDiagnostics(e)!
        .map((d) => d.message)
        .join('; '),
      exitCode: 1,
    };
  } else {
    const err = e as Error;
    failure = {reason: 'internal', message: err?.stack ?? String(e), exitCode: 1};
  }
  for (const d of diagnostics ?? []) options.emit(diagnosticEvent(d, node.id));
  options.emit({
    ...stageEnd(node, key, status, why, durationMs),
    error: {reason: failure.reason, message: failure.message},
  });
  return {
    node,
    key,
    fingerprint,
    planStatus,
    status,
    why,
    durationMs,
    failure,
    ...(diagnostics ? {diagnostics} : {}),
  };
}

function isAbort(e: unknown): boolean {
  return e instanceof Error && (e.name === 'AbortError' || e.name === 'TimeoutError');
}

function stageEnd(
  node: StageNode,
  key: Sha256 | null,
  status: StageStatus,
  why: readonly Why[],
  durationMs: number,
  result?: StageResult,
  preflight?: Preflight,
): Extract<BuildEvent, {event: 'stage-end'}> {
  return {
    event: 'stage-end',
    id: node.id,
    kind: node.kind,
    key,
    status,
    why,
    duration_ms: durationMs,
    ...(result
      ? {
          outputs: Object.fromEntries(Object.entries(result.outputs).map(([n, a]) => [n, a.hash])),
          summary: result.summary,
        }
      : {}),
    ...(preflight ? {checks: preflight} : {}),
  };
}

/** Why a stage is not fresh relative to the lockfile. */
function explain(
  locked: LockEntry | undefined,
  key: Sha256,
  fingerprint: Fingerprint,
  store: LocalStore,
): Why[] {
  if (!locked) return [...NEW_STAGE];
  if (locked.key !== key) {
    return diffFingerprints(locked.fingerprint, fingerprint, {
      fileList: (hash) => storedFileList(store, hash),
    });
  }
  return [{what: 'outputs', from: locked.outputs, to: null}];
}

/**
 * The file list behind a source's file set, when the store has it (a fresh clone has not) and
 * its bytes are the ones its name promises.
 */
function storedFileList(store: LocalStore, hash: Sha256): FileEntry[] | undefined {
  if (!store.hasObjectFile(hash)) return undefined;
  try {
    const text = store.readObjectText(hash);
    if (sha256(text) !== hash) return undefined;
    const list = JSON.parse(text) as unknown;
    return Array.isArray(list) ? (list as FileEntry[]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether a record has the outputs the lockfile names. A restored remote training (see
 * StageDefinition.restore) has its `model` only: the others (its metrics) stay named by the
 * lockfile and are fetched when something needs them.
 */
function sameOutputs(locked: LockEntry, record: Pick<StageRecord, 'outputs' | 'summary'>): boolean {
  const hashes = Object.fromEntries(Object.entries(record.outputs).map(([n, a]) => [n, a.hash]));
  if (locked.result !== undefined) {
    return Object.entries(hashes).every(([n, h]) => locked.outputs[n] === h) && 'model' in hashes;
  }
  return isDeepStrictEqual(hashes, locked.outputs);
}

function describeWhy(why: readonly Why[]): string {
  return why
    .slice(0, 3)
    .map((w) => `${w.what}: ${JSON.stringify(w.from)} -> ${JSON.stringify(w.to)}`)
    .join('; ');
}
