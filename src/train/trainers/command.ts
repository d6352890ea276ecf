import {resolve} from 'node:path';
import {type ExecPolicy, execWhat, requireExec} from '../../core/exec-policy.js';
import type {Sha256} from '../../core/hash.js';
import {StageFailure} from '../../core/stage-failure.js';
import {commandFiles} from '../../data/transforms/code-files.js';
import {readInfo} from '../protocol.js';
import {trainerEnv} from '../supervisor.js';

/**
 * What identifies a command trainer in a train stage's key: its command line as written, the
 * content of every argument that names a file (an edited `train.py` must never be served from
 * the cache), and, when it answers `info`, its name and version.
 */
export interface CommandTrainerIdentity {
  readonly argv: readonly string[];
  readonly files: Readonly<Record<string, Sha256>>;
  readonly info: {readonly name: string; readonly version: string} | null;
}

/** How long `info` may take: it only prints a line. */
const INFO_TIMEOUT_MS = 30_000;

/** The trainer's argv, its program resolved against the recipe's folder when it names a file there. */
export function trainerArgv(command: readonly string[], dir: string): string[] {
  const [program, ...args] = command;
  const local = commandFiles(dir, [program!]).length > 0 ? resolve(dir, program!) : program!;
  return [local, ...args];
}

export async function commandTrainerIdentity(options: {
  /** The command line as the key records it (machine-independent: as the recipe wrote it). */
  readonly command: readonly string[];
  /** What runs `info`, when not `command` itself (ft's own trainer script, by absolute path). */
  readonly infoArgv?: readonly string[];
  /** Files of the trainer that are not arguments: key name -> absolute path. */
  readonly extraFiles?: Readonly<Record<string, string>>;
  /** The recipe's folder: relative arguments are files there. */
  readonly dir: string;
  readonly where: string;
  readonly exec: ExecPolicy;
  readonly env: readonly string[];
  readonly hashFile: (absolutePath: string) => Promise<{hash: Sha256}>;
  readonly signal: AbortSignal;
}): Promise<CommandTrainerIdentity> {
  const files: Record<string, Sha256> = {};
  for (const arg of commandFiles(options.dir, options.command)) {
    files[arg] = (await options.hashFile(resolve(options.dir, arg))).hash;
  }
  for (const [name, path] of Object.entries(options.extraFiles ?? {})) {
    files[name] = (await options.hashFile(path)).hash;
  }
  // `info` runs the trainer: recipe code, which --no-exec refuses like any other.
  requireExec(options.exec, options.where, execWhat.trainer(options.command));
  const [program, ...args] = options.infoArgv ?? trainerArgv(options.command, options.dir);
  const {execa} = await import('execa');
  const r = await execa(program!, [...args, 'info'], {
    cwd: options.dir,
    env: trainerEnv(process.env, options.env),
    extendEnv: false,
    stdin: 'ignore',
    reject: false,
    timeout: INFO_TIMEOUT_MS,
    cancelSignal: options.signal,
  });
  if (r.failed && r.exitCode === undefined && !r.timedOut && !r.isCanceled) {
    throw new StageFailure(
      'trainer-failed',
      `${options.where}: could not start ${options.command[0]}: ${r.originalMessage || r.shortMessage}`,
    );
  }
  options.signal.throwIfAborted();
  // `info` is optional: a trainer that does not answer it (an error exit, a usage message) is
  // keyed by its command line and files alone.
  const info = r.exitCode === 0 ? readInfo(String(r.stdout)) : undefined;
  if (info && 'invalid' in info) {
    throw new StageFailure(
      'trainer-failed',
      `${options.where}: ${options.command.join(' ')} info: ${info.invalid}`,
    );
  }
  return {
    argv: options.command,
    files,
    info: info ? {name: info.name, version: info.version} : null,
  };
}
