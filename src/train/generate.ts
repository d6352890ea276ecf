import {existsSync, mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {type ExecPolicy, execWhat, requireExec} from '../core/exec-policy.js';
import {StageFailure} from '../core/stage-failure.js';
import {type BaseModel, type GenerateSpec, PROTOCOL_VERSION} from './protocol.js';
import {
  LogTail,
  stopOrphan,
  superviseTrainer,
  type TrainerCommandLine,
  trainerEnv,
} from './supervisor.js';

/** One prompt: its id and messages (a chat record; the last assistant message is the reference). */
export interface GenerateInput {
  readonly id: string;
  readonly messages: readonly unknown[];
}

/** The part of a stage's context a generation uses. */
export interface GenerateContext {
  readonly signal: AbortSignal;
  readonly exec: ExecPolicy;
  log(line: string): void;
  progress(message: string, done?: number, total?: number): void;
}

export interface LocalGeneration extends TrainerCommandLine {
  readonly baseModel: BaseModel;
  /** A trained model's artifacts (name -> absolute path), or null for the untrained base. */
  readonly artifacts: Readonly<Record<string, string>> | null;
  readonly inputs: readonly GenerateInput[];
  readonly params: GenerateSpec['params'];
  /** A folder of its own for the spec, the files and the pid file; removed when done. */
  readonly workDir: string;
  readonly graceMs: number;
}

/**
 * Answers prompts through a trainer's `generate` (protocol v1) and returns one answer per input,
 * in the inputs' order: a string, or with `params.samples` a list of that many. The trainer's
 * output is checked, not trusted: every input answered exactly once, nothing else, each answer
 * of the right shape; anything else fails with the log's last lines.
 */
export async function generateLocally(
  ctx: GenerateContext,
  job: LocalGeneration,
): Promise<(string | string[])[]> {
  if (job.recipeCode) requireExec(ctx.exec, job.stage, execWhat.trainer(job.command));
  mkdirSync(job.workDir, {recursive: true});
  const orphan = await stopOrphan(job.workDir, job.graceMs);
  if (orphan !== undefined) ctx.log(`stopped trainer pid ${orphan}, left running by an earlier ft`);
  const ids = new Set<string>();
  for (const input of job.inputs) {
    if (ids.has(input.id)) throw new Error(`generate: input id ${input.id} appears twice`);
    ids.add(input.id);
  }
  const inputs = join(job.workDir, 'inputs.jsonl');
  const output = join(job.workDir, 'output.jsonl');
  writeFileSync(
    inputs,
    job.inputs.map((i) => `${JSON.stringify({id: i.id, messages: i.messages})}\n`).join(''),
  );
  rmSync(output, {force: true});
  const spec: GenerateSpec = {
    protocol: PROTOCOL_VERSION,
    base_model: job.baseModel,
    artifacts: job.artifacts,
    inputs,
    output,
    params: job.params,
  };
  const specPath = join(job.workDir, 'generate-spec.json');
  writeFileSync(specPath, `${JSON.stringify(spec, null, 2)}\n`);

  const tail = new LogTail(ctx.log);
  const run = await superviseTrainer({
    argv: [...job.argv, 'generate', '--spec', specPath],
    cwd: job.cwd,
    env: trainerEnv(process.env, job.env),
    workDir: job.workDir,
    signal: ctx.signal,
    graceMs: job.graceMs,
    onEvent: (event) => {
      if (event.type === 'progress' && event.done !== undefined) {
        const of = event.total !== undefined ? `/${event.total}` : '';
        ctx.progress(`generated ${event.done}${of}`, event.done, event.total);
      }
    },
    onLog: tail.add,
  });
  if (run.outcome === 'interrupted') ctx.signal.throwIfAborted();
  const fail = (message: string): never => {
    throw new StageFailure('trainer-failed', tail.explain(message));
  };
  if (run.outcome !== 'done') fail(run.message);
  if (!existsSync(output)) fail(`the trainer's generate wrote no output file (${output})`);

  const answers = new Map<string, string | string[]>();
  const samples = job.params.samples;
  const lines = readFileSync(output, 'utf8').split('\n');
  for (const [index, line] of lines.entries()) {
    if (line.trim() === '') continue;
    const where = `line ${index + 1} of its generate output`;
    let data: {id?: unknown; output?: unknown} = {};
    try {
      data = JSON.parse(line) as typeof data;
    } catch {
      fail(`${where} is not JSON: ${line.slice(0, 80)}`);
    }
    const id = data.id;
    if (typeof id !== 'string' || !ids.has(id)) {
      fail(`${where} answers ${JSON.stringify(id)}, which is not an input's id`);
    }
    if (answers.has(id as string)) fail(`${where} answers ${String(id)} a second time`);
    const value = data.output;
    const shaped =
      samples === undefined
        ? typeof value === 'string'
        : Array.isArray(value) &&
          value.length === samples &&
          value.every((v) => typeof v === 'string');
    if (!shaped) {
      fail(
        `${where}: the output for ${String(id)} must be ${samples === undefined ? 'a string' : `a list of ${samples} strings`}`,
      );
    }
    answers.set(id as string, value as string | string[]);
  }
  const unanswered = job.inputs.filter((i) => !answers.has(i.id));
  if (unanswered.length > 0) {
    fail(
      `the trainer's generate answered ${answers.size} of ${job.inputs.length} inputs (none for ${unanswered
        .slice(0, 3)
        .map((i) => i.id)
        .join(', ')}${unanswered.length > 3 ? ', ...' : ''})`,
    );
  }
  rmSync(job.workDir, {recursive: true, force: true});
  return job.inputs.map((i) => answers.get(i.id)!);
}
