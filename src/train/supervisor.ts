import {mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {hostname} from 'node:os';
import {join} from 'node:path';
import {createInterface} from 'node:readline';
import {setTimeout as sleep} from 'node:timers/promises';
import {descendantsOf, isAlive, isRunning, processStart} from '../core/processes.js';
import {readStdoutLine, type TrainerEvent} from './protocol.js';

/** Variables every trainer gets from ft's environment, when set: enough to find tools and GPUs. */
export const BASE_ENV = [
  'PATH',
  'HOME',
  'LANG',
  'LC_ALL',
  'LC_CTYPE',
  'TMPDIR',
  'CUDA_VISIBLE_DEVICES',
];

/**
 * The environment a trainer runs with: only `BASE_ENV`, the trainer kind's `defaults` (what its
 * stack needs, e.g. HF_HOME) and the recipe's `env` names, from `source`. Nothing else of ft's
 * environment, so an API key reaches a trainer only when the recipe names it.
 */
export function trainerEnv(
  source: NodeJS.ProcessEnv,
  names: readonly string[],
  defaults: readonly string[] = [],
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of [...BASE_ENV, ...defaults, ...names]) {
    const value = source[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

/** The values that must never appear in a log: those of passed variables that look like secrets. */
export function secretValues(env: Readonly<Record<string, string>>): string[] {
  return Object.entries(env)
    .filter(
      ([name, value]) => /KEY|TOKEN|SECRET|PASSWORD|CREDENTIAL/i.test(name) && value.length >= 4,
    )
    .map(([, value]) => value);
}

/**
 * A trainer's log as a stage keeps it, remembering its last lines: a failure message then ends
 * with them, so the reason a trainer gave is on screen without opening the log.
 */
export class LogTail {
  readonly #lines: string[] = [];
  readonly #keep: number;
  readonly #log: (line: string) => void;

  constructor(log: (line: string) => void, keep = 20) {
    this.#log = log;
    this.#keep = keep;
  }

  readonly add = (line: string): void => {
    this.#log(line);
    this.#lines.push(line);
    if (this.#lines.length > this.#keep) this.#lines.shift();
  };

  /** `message`, then the last lines of the log when there are any. */
  explain(message: string): string {
    return this.#lines.length === 0
      ? message
      : `${message}\nlast lines of its log:\n${this.#lines.map((l) => `  ${l}`).join('\n')}`;
  }
}

/** How ft runs a trainer (for `train` or `generate`): what a stage passes to the domain. */
export interface TrainerCommandLine {
  /** The stage asking, for messages and the --no-exec refusal. */
  readonly stage: string;
  /** The trainer's command line, program resolved; the subcommand and `--spec` are appended. */
  readonly argv: readonly string[];
  /** As the recipe wrote it, for messages and the --no-exec refusal. */
  readonly command: readonly string[];
  /**
   * Whether the trainer is the recipe's code (a command, ft's hf script in the recipe's Python),
   * which --no-exec refuses, or ft's own embedded trainer, which runs no code of the recipe's.
   */
  readonly recipeCode: boolean;
  readonly cwd: string;
  /** Names of variables passed through (the recipe's `env`), beyond the minimal set. */
  readonly env: readonly string[];
}

export interface SuperviseOptions {
  /** The program and its arguments, `train --spec <path>` included. */
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  /**
   * The stage's work folder: the running trainer's pid file lives here, so a build after ft was
   * killed finds the orphan and stops it.
   */
  readonly workDir: string;
  readonly signal: AbortSignal;
  /** After SIGTERM, how long the trainer's processes have to exit before SIGKILL. */
  readonly graceMs: number;
  onEvent(event: TrainerEvent): void;
  /** Each line of stderr, and each stdout line that is not an event, secrets masked. */
  onLog(line: string): void;
}

export interface TrainerRun {
  /** `done`: exit 0 after a done event. Anything else failed; `message` says what happened. */
  readonly outcome: 'done' | 'failed' | 'interrupted';
  readonly message: string;
  readonly exitCode: number | undefined;
  readonly events: readonly TrainerEvent[];
}

/** What the pid file of a running trainer holds. */
interface Running {
  readonly pid: number;
  readonly start: string | null;
  readonly host: string;
  readonly argv: readonly string[];
}

const PID_FILE = 'trainer.json';

/**
 * Runs one trainer command to its end, the way a build system must: events parsed from stdout,
 * every other line to the log with secrets masked, the whole process tree stopped on abort
 * (SIGTERM to its process group and every descendant, SIGKILL after `graceMs`), and a pid file
 * in `workDir` while it runs, so that an orphan left by a killed ft is found and stopped
 * (`stopOrphan`) before the next attempt.
 */
export async function superviseTrainer(options: SuperviseOptions): Promise<TrainerRun> {
  const [file, ...args] = options.argv;
  if (file === undefined) throw new Error('superviseTrainer: empty argv');
  options.signal.throwIfAborted();
  mkdirSync(options.workDir, {recursive: true});
  const secrets = secretValues(options.env);
  const mask = (line: string) => secrets.reduce((l, secret) => l.replaceAll(secret, '***'), line);
  // Loaded here: a build that trains nothing never loads it.
  const {execa} = await import('execa');
  options.signal.throwIfAborted(); // an abort while it loaded would find no listener below
  const child = execa(file, args, {
    cwd: options.cwd,
    env: options.env,
    extendEnv: false,
    // Its own process group: the whole tree can be signalled at once, and a Ctrl-C in the
    // terminal reaches ft, which decides, not the trainer directly.
    detached: true,
    stdin: 'ignore',
    buffer: false,
    reject: false,
  });
  const pid = child.pid;
  const pidFile = join(options.workDir, PID_FILE);
  if (pid !== undefined) {
    const running: Running = {pid, start: processStart(pid), host: hostname(), argv: options.argv};
    writeFileSync(pidFile, `${JSON.stringify(running)}\n`);
  }

  const events: TrainerEvent[] = [];
  let invalid: string | undefined;
  const lines = (stream: NodeJS.ReadableStream | null, fromStdout: boolean) =>
    new Promise<void>((resolve) => {
      if (!stream) return resolve();
      const reader = createInterface({input: stream, crlfDelay: Infinity});
      reader.on('line', (line) => {
        if (fromStdout) {
          const read = readStdoutLine(line);
          if (read.kind === 'event') {
            events.push(read.event);
            options.onEvent(read.event);
            return;
          }
          if (read.kind === 'invalid') invalid ??= read.why;
        }
        options.onLog(mask(line));
      });
      reader.on('close', () => resolve());
    });

  let interrupted = false;
  let stopping: Promise<void> | undefined;
  const onAbort = () => {
    interrupted = true;
    if (pid !== undefined) stopping = stopTree(pid, options.graceMs);
  };
  options.signal.addEventListener('abort', onAbort, {once: true});
  let exitCode: number | undefined;
  let exitSignal: string | undefined;
  try {
    const [result] = await Promise.all([
      child,
      lines(child.stdout, true),
      lines(child.stderr, false),
    ]);
    exitCode = result.exitCode;
    exitSignal = result.signal;
    if (result.failed && result.exitCode === undefined && !result.signal) {
      // It never started (no such program, not executable).
      return {
        outcome: 'failed',
        message: `could not start ${file}: ${result.originalMessage || result.shortMessage}`,
        exitCode: undefined,
        events,
      };
    }
  } finally {
    options.signal.removeEventListener('abort', onAbort);
    // Whatever it left running (a background helper, a stuck data loader) goes with it.
    await stopping;
    if (pid !== undefined) await stopTree(pid, options.graceMs);
    rmSync(pidFile, {force: true});
  }

  if (interrupted) return {outcome: 'interrupted', message: 'interrupted', exitCode, events};
  const done = events.some((e) => e.type === 'done');
  const reported = events.findLast((e) => e.type === 'error');
  if (invalid !== undefined) {
    return {
      outcome: 'failed',
      message: `the trainer broke protocol v1: ${invalid}`,
      exitCode,
      events,
    };
  }
  if (exitCode === 0 && done) return {outcome: 'done', message: 'done', exitCode, events};
  const how =
    exitSignal !== undefined
      ? `was killed by ${exitSignal}`
      : exitCode === 0
        ? 'exited 0 without a done event'
        : `exited with code ${exitCode}`;
  const said = reported?.type === 'error' ? `: ${mask(reported.message)}` : '';
  return {outcome: 'failed', message: `the trainer ${how}${said}`, exitCode, events};
}

/**
 * Stops a trainer that a killed ft left running in `workDir` (its pid file names it, with the
 * start time that tells it from a process that later got the same pid). Returns its pid when
 * one was stopped.
 */
export async function stopOrphan(workDir: string, graceMs: number): Promise<number | undefined> {
  const pidFile = join(workDir, PID_FILE);
  let running: Running;
  try {
    running = JSON.parse(readFileSync(pidFile, 'utf8')) as Running;
  } catch {
    return undefined;
  }
  const alive =
    running.host === hostname() &&
    isRunning(running.pid) &&
    running.start !== null &&
    processStart(running.pid) === running.start;
  if (alive) await stopTree(running.pid, graceMs);
  rmSync(pidFile, {force: true});
  return alive ? running.pid : undefined;
}

/**
 * SIGTERM to the process group of `pid` and to every descendant (some leave the group), then,
 * after `graceMs`, SIGKILL to whatever of them is still there.
 */
export async function stopTree(pid: number, graceMs: number): Promise<void> {
  const targets = () => [pid, ...descendantsOf(pid)].filter(isRunning);
  const signalAll = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal);
    } catch {
      // the group is gone (or was never one): the pids below still get it
    }
    for (const p of targets()) {
      try {
        process.kill(p, signal);
      } catch {
        // exited in between
      }
    }
  };
  // Collected before signalling: once the leader exits, its children are re-parented and can no
  // longer be found through it.
  const tree = [pid, ...descendantsOf(pid)];
  signalAll('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && tree.some(isAlive)) await sleep(50);
  for (const p of tree.filter(isAlive)) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      // exited in between
    }
  }
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // the group is gone
  }
}
