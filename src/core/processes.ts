import {readdirSync, readFileSync} from 'node:fs';

/** Whether a process with this pid runs on this machine (EPERM: it does, as another user). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Running and not a zombie (a zombie has exited; only its parent's wait is missing). */
export function isAlive(pid: number): boolean {
  if (!isRunning(pid)) return false;
  const fields = statFields(pid);
  return fields === undefined || fields[0] !== 'Z';
}

/**
 * The kernel's start time of a process (Linux: clock ticks since boot, /proc/<pid>/stat field
 * 22), to tell a process from a later one that reuses its pid; null where unknown.
 */
export function processStart(pid: number): string | null {
  return statFields(pid)?.[19] ?? null;
}

/** /proc/<pid>/stat from field 3 on (the command name, field 2, may hold spaces and parens). */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/**
 * Every descendant of `pid` (children, grandchildren, ...), from /proc; empty where /proc is
 * missing. Processes that left the process group (setsid) are still found this way.
 */
export function descendantsOf(pid: number): number[] {
  let pids: number[];
  try {
    pids = readdirSync('/proc')
      .filter((n) => /^\d+$/.test(n))
      .map(Number);
  } catch {
    return [];
  }
  const children = new Map<number, number[]>();
  for (const p of pids) {
    const ppid = Number(statFields(p)?.[1]);
    if (!Number.isInteger(ppid)) continue;
    children.set(ppid, [...(children.get(ppid) ?? []), p]);
  }
  const out: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? []) {
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}
