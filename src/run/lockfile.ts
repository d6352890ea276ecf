import {readFileSync} from 'node:fs';
import {basename, dirname, join} from 'node:path';
import {stableJson} from '../core/canonical-json.js';
import {type Diagnostic, error} from '../core/diagnostic.js';
import {EnvironmentError} from '../core/environment-error.js';
import {isSha256, type Sha256} from '../core/hash.js';
import {fail, ok, type Result} from '../core/result.js';
import type {StageKind} from '../plan/stage-id.js';
import {writeFileAtomic} from './store/atomic-file.js';

/** Bumped when the lockfile's layout changes; older ft versions then refuse it clearly. */
export const LOCKFILE_VERSION = 1;

/**
 * `finetune.lock`: committed beside the recipe; what the last full build produced. Sorted keys,
 * no timestamps, so rebuilding the same commit writes the same bytes and diffs stay small.
 */
export interface Lockfile {
  readonly lockfile_version: typeof LOCKFILE_VERSION;
  readonly stages: Readonly<Record<string, LockEntry>>;
}

export interface LockEntry {
  readonly kind: StageKind;
  readonly key: Sha256;
  /** The fingerprint's values, so `ft plan` can explain a change on a fresh clone. */
  readonly fingerprint: unknown;
  /** Output name -> content hash. */
  readonly outputs: Readonly<Record<string, Sha256>>;
  /**
   * An eval stage's scores, model -> metric -> value: what a later commit's regression checks
   * compare with (`ft build --baseline <ref>` reads them from the lockfile at that ref).
   */
  readonly scores?: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /**
   * A remote training's result (`{model, base, job, organization_id}` on OpenAI): with it, a
   * stage whose key matches is fresh with no store at all (its `model` output is rebuilt from
   * it byte for byte), so a fresh clone makes no request for an unchanged recipe.
   */
  readonly result?: Readonly<Record<string, unknown>>;
}

export const EMPTY_LOCKFILE: Lockfile = {lockfile_version: LOCKFILE_VERSION, stages: {}};

/** `finetune.yaml` -> `finetune.lock`, beside it. */
export function lockfilePath(recipePath: string): string {
  const name = basename(recipePath).replace(/\.ya?ml$/i, '');
  return join(dirname(recipePath), `${name}.lock`);
}

/**
 * Reads the lockfile at `path` (shown as `shown`): the empty lockfile when there is none yet;
 * diagnostics (exit 2) when what is there is not a lockfile, a folder included: the lockfile is a
 * committed project file, like the recipe, and a folder in its place is wrong content for the
 * user to fix, not the machine's state (and ft would otherwise plan as if nothing was built, then
 * fail to write it). Throws EnvironmentError (exit 1) when the file is there and cannot be read
 * (no permission, an I/O error).
 */
export function readLockfile(path: string, shown: string): Result<Lockfile, Diagnostic[]> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return ok(EMPTY_LOCKFILE);
    if (code === 'EISDIR') {
      return fail([
        error(
          'usage',
          `${shown} is a folder, not an ft lockfile`,
          undefined,
          'remove it (ft build writes the lockfile there), or restore the file from git',
        ),
      ]);
    }
    throw EnvironmentError.of('cannot read', shown, e);
  }
  return parseLockfile(text, shown);
}

/** A lockfile's text parsed and checked (`shown` names it in messages). */
export function parseLockfile(text: string, shown: string): Result<Lockfile, Diagnostic[]> {
  const damaged = (why: string) =>
    fail([
      error(
        'usage',
        `${shown} is not a valid ft lockfile: ${why}`,
        {file: shown, line: 1, col: 1},
        'restore it from git, or delete it to rebuild it',
      ),
    ]);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return damaged((e as Error).message);
  }
  const lock = data as Partial<Lockfile>;
  if (lock.lockfile_version !== LOCKFILE_VERSION) {
    return damaged(
      `lockfile_version is ${JSON.stringify(lock.lockfile_version)}; this ft reads ${LOCKFILE_VERSION}`,
    );
  }
  if (typeof lock.stages !== 'object' || lock.stages === null) return damaged('no stages');
  for (const [id, entry] of Object.entries(lock.stages)) {
    if (!isSha256(entry?.key) || typeof entry.outputs !== 'object') {
      return damaged(`stage ${id} has no valid key or outputs`);
    }
  }
  return ok(lock as Lockfile);
}

export function serializeLockfile(lock: Lockfile): string {
  return stableJson(lock);
}

/**
 * Writes the lockfile only when its bytes change (so its mtime means something). The write is
 * atomic: when it fails (no space, no permission) the old lockfile is left whole, and an
 * EnvironmentError (exit 1) says so; the stages' results are in the store, so the next build
 * finds them there and writes the lockfile.
 */
export async function writeLockfile(path: string, lock: Lockfile, shown = path): Promise<boolean> {
  const text = serializeLockfile(lock);
  let current: string | undefined;
  try {
    current = readFileSync(path, 'utf8');
  } catch {
    current = undefined;
  }
  if (current === text) return false;
  try {
    await writeFileAtomic(path, text);
  } catch (e) {
    throw EnvironmentError.of(
      'cannot write',
      shown,
      e,
      `${shown} is unchanged; the results of this build are in .ft/, and the next ft build writes the lockfile from them`,
    );
  }
  return true;
}
