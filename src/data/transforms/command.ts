import {existsSync} from 'node:fs';
import {resolve} from 'node:path';
import type {execa as Execa} from 'execa';
import {canonicalJson} from '../../core/canonical-json.js';
import {StageFailure} from '../../core/stage-failure.js';
import type {Example} from '../records/example.js';
import {canonicalRecord} from '../records/identity.js';
import type {TransformContext, TransformStep} from './transform.js';

export interface CommandStepOptions {
  readonly run: readonly string[];
  readonly env: Readonly<Record<string, string>>;
}

/**
 * Pipes the records through an executable: canonical JSONL on its stdin, JSONL back on its
 * stdout (any number of records; blank lines skipped). It runs in the recipe's folder with a
 * minimal environment (PATH, HOME, LANG, TMPDIR and the recipe's `env`), never ft's secrets. A
 * non-zero exit fails the stage with the end of its stderr. Output records are located as
 * `command <program>` line N, and identified by their own content, since they need not map one
 * to one to the input.
 */
export function commandTransform(
  options: CommandStepOptions,
  ctx: TransformContext,
): TransformStep {
  const [program, ...args] = options.run as [string, ...string[]];
  const shown = `command ${program}`;
  let child: Child | undefined;
  /** The program closed its input (e.g. `head`): what is left is not sent, not an error. */
  let inputClosed = false;
  let exited = false;
  let ready: Example[] = [];
  let carry = '';
  let outLine = 0;
  let seen = 0;
  let out = 0;
  const take = (text: string) => {
    carry += text;
    let nl = carry.indexOf('\n');
    while (nl !== -1) {
      const line = carry.slice(0, nl).replace(/\r$/, '');
      carry = carry.slice(nl + 1);
      outLine++;
      if (line.trim() !== '') parseLine(line);
      nl = carry.indexOf('\n');
    }
  };
  const parseLine = (line: string) => {
    const origin = {file: shown, line: outLine};
    try {
      const value = JSON.parse(line) as unknown;
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        ctx.problems.add(origin, `${shown} wrote something that is not a JSON object`, 1, line);
      } else {
        // What a command writes need not map to what it read: its records are new sources,
        // identified (and split) by their own content.
        const example: Example = {record: value as Record<string, unknown>, origin, id: ''};
        const canonical = canonicalRecord(example, ctx.problems);
        if (canonical === undefined) return;
        ctx.identity.assignOne(example, canonical);
        ready.push(example);
      }
    } catch (e) {
      ctx.problems.add(origin, `${shown} wrote invalid JSON: ${(e as Error).message}`, 1, line);
    }
  };
  const start = async (): Promise<{proc: Child}> => {
    const local = resolve(ctx.dir, program);
    // execa is loaded when a command first runs: dataset workers and most builds never need it.
    const {execa} = await import('execa');
    const proc = spawn(execa, existsSync(local) ? local : program, args, ctx, options.env);
    proc.stdout.setEncoding('utf8');
    proc.stdout.on('data', (text: string) => take(text));
    // EPIPE and the like: the program stopped reading. Its exit status says whether it failed.
    proc.stdin.on('error', () => {
      inputClosed = true;
    });
    proc.stdin.on('close', () => {
      inputClosed = true;
    });
    void proc.then(() => {
      exited = true;
    });
    child = proc;
    return {proc}; // wrapped: the child is a promise, which an async function would wait for
  };
  const drainReady = () => {
    const batch = ready;
    ready = [];
    out += batch.length;
    return batch;
  };
  return {
    name: 'command',
    async process(batch) {
      const proc = child ?? (await start()).proc;
      seen += batch.length;
      if (inputClosed) return drainReady();
      const text = batch.map((e) => `${canonicalJson(e.record)}\n`).join('');
      if (!proc.stdin.write(text)) {
        await new Promise<void>((resolvePromise) => {
          const done = () => {
            proc.stdin.off('drain', done);
            proc.stdin.off('close', done);
            resolvePromise();
          };
          proc.stdin.once('drain', done);
          proc.stdin.once('close', done);
        });
      }
      return drainReady();
    },
    async *finish() {
      const proc = child ?? (await start()).proc;
      if (!inputClosed) proc.stdin.end();
      const result = await proc;
      if (carry.trim() !== '') {
        outLine++;
        parseLine(carry);
        carry = '';
      }
      if (result.isCanceled) throw ctx.signal.reason ?? new Error('interrupted');
      if (result.failed) {
        const tail = String(result.stderr ?? '')
          .trim()
          .split('\n')
          .slice(-10)
          .join('\n');
        throw new StageFailure(
          'command-failed',
          `${shown} ${result.exitCode !== undefined ? `exited with ${result.exitCode}` : `was killed (${result.signal})`}${tail ? `:\n${tail}` : ''}`,
        );
      }
      const rest = drainReady();
      for (let i = 0; i < rest.length; i += 4096) yield rest.slice(i, i + 4096);
    },
    summary: () => ({in: seen, out}),
    async close() {
      // The stage failed or was interrupted before finish: the program must not outlive it.
      if (!child || exited) return;
      child.kill('SIGKILL');
      await child.catch(() => undefined);
    },
  };
}

/** The minimal environment a command gets: never ft's own secrets. */
function minimalEnv(extra: Readonly<Record<string, string>>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TMPDIR', 'SYSTEMROOT']) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return {...env, ...extra};
}

function spawn(
  execa: typeof Execa,
  file: string,
  args: readonly string[],
  ctx: TransformContext,
  env: Readonly<Record<string, string>>,
) {
  return execa(file, args, {
    cwd: ctx.dir,
    env: minimalEnv(env),
    extendEnv: false,
    stdin: 'pipe',
    stdout: 'pipe',
    stderr: 'pipe',
    buffer: {stdout: false, stderr: true},
    reject: false,
    cancelSignal: ctx.signal,
    forceKillAfterDelay: 5000,
  });
}

type Child = ReturnType<typeof spawn>;
