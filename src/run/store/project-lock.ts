import {readFileSync, statSync} from 'node:fs';
import {link, mkdir, readFile, rename, rm, writeFile} from 'node:fs/promises';
import {hostname} from 'node:os';
import {dirname} from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {processStart} from '../../core/processes.js';
import {tempPath} from './atomic-file.js';

/** Who holds the project lock. The start time tells a live holder from a reused pid. */
interface Holder {
  pid: number;
  /** Process start time (Linux: /proc/<pid>/stat field 22), or null where unknown. */
  start: string | null;
  host: string;
  command: string;
  /** When it took the lock (ISO time; absent in locks of older ft versions). */
  since?: string;
}

/**
 * One build (or plan, or gc) at a time per project, so two of them cannot interleave writes to
 * the store or the lockfile. The lock file is created complete (written aside, then hard-linked
 * into place, which fails if it exists), and a lock left by a dead process is detected and
 * broken.
 */
export class ProjectLock {
  readonly #file: string;
  #held = false;

  constructor(file: string) {
    this.#file = file;
  }

  /** Waits for the lock; calls `onWait` once with the holder when it has to wait. */
  async acquire(
    command: string,
    onWait?: (holder: string) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    await mkdir(dirname(this.#file), {recursive: true});
    const me: Holder = {
      pid: process.pid,
      start: processStart(process.pid),
      host: hostname(),
      command,
      since: new Date().toISOString(),
    };
    const temp = tempPath(dirname(this.#file), 'lock');
    await writeFile(temp, JSON.stringify(me));
    let told = false;
    try {
      for (;;) {
        signal?.throwIfAborted();
        try {
          await link(temp, this.#file);
          this.#held = true;
          return;
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        }
        const holder = await this.#readHolder();
        if (holder && isStale(holder)) {
          await this.#breakStale(holder);
          continue;
        }
        if (!holder && this.#unreadableFor() > UNREADABLE_STALE_MS) {
          // Empty or damaged (a crash between creating and writing it): nobody holds it.
          await this.#breakStale(undefined);
          continue;
        }
        if (!told && onWait) {
          onWait(
            holder
              ? describeHolder(holder, this.#file)
              : `${this.#file} (unreadable; broken after ${UNREADABLE_STALE_MS / 1000} s)`,
          );
          told = true;
        }
        await sleep(100, undefined, signal ? {signal} : {});
      }
    } finally {
      await rm(temp, {force: true});
    }
  }

  async release(): Promise<void> {
    if (!this.#held) return;
    this.#held = false;
    await rm(this.#file, {force: true});
  }

  /** How long the lock file has existed without saying who holds it (0 if it is readable). */
  #unreadableFor(): number {
    try {
      return Date.now() - statSync(this.#file).mtimeMs;
    } catch {
      return 0;
    }
  }

  async #readHolder(): Promise<Holder | undefined> {
    try {
      return JSON.parse(await readFile(this.#file, 'utf8')) as Holder;
    } catch {
      return undefined; // vanished (released) in between: just retry
    }
  }

  /**
   * Moves the stale lock aside and checks it really is the one judged stale: another process
   * may have broken it and taken the lock in between, in which case its lock is put back.
   */
  async #breakStale(stale: Holder | undefined): Promise<void> {
    const aside = tempPath(dirname(this.#file), 'stale-lock');
    try {
      await rename(this.#file, aside);
    } catch {
      return;
    }
    try {
      const moved = JSON.parse(readFileSync(aside, 'utf8')) as Holder;
      if (!stale || moved.pid !== stale.pid || moved.start !== stale.start) {
        await link(aside, this.#file).catch(() => undefined);
      }
    } catch {
      // unreadable: it was half-written by a crashed process, so it is stale too
    } finally {
      await rm(aside, {force: true});
    }
  }
}

/**
 * Who holds the lock, for the one line a waiting build prints. A holder on another machine (a
 * project on a network share) cannot be checked, so the line says how to break its lock.
 */
function describeHolder(holder: Holder, file: string): string {
  const since = holder.since ? ` since ${holder.since}` : '';
  if (holder.host === hostname()) return `pid ${holder.pid} (${holder.command})${since}`;
  return `pid ${holder.pid} on host ${holder.host} (${holder.command})${since}; ft cannot check another machine's processes: if that ft is no longer running, delete ${file}`;
}

/** A lock file nobody could read for this long is left over from a crash. */
const UNREADABLE_STALE_MS = 5000;

function isStale(holder: Holder): boolean {
  if (holder.host !== hostname()) return false; // cannot check another machine's processes
  try {
    process.kill(holder.pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
  const start = processStart(holder.pid);
  return start !== null && holder.start !== null && start !== holder.start;
}
