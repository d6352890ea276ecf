import {
  appendFileSync,
  createReadStream,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import {isAbsolute, join, relative, resolve} from 'node:path';
import {createInterface} from 'node:readline';
import type {Artifact, ArtifactStore} from '../core/artifact-store.js';
import {canonicalJson} from '../core/canonical-json.js';
import {type ExecPolicy, execWhat, requireExec} from '../core/exec-policy.js';
import type {Sha256} from '../core/hash.js';
import {StageFailure} from '../core/stage-failure.js';
import {
  type BaseModel,
  metricsFromEvents,
  PROTOCOL_VERSION,
  type TrainerEvent,
  type TrainSpec,
} from './protocol.js';
import {
  LogTail,
  stopOrphan,
  superviseTrainer,
  type TrainerCommandLine,
  trainerEnv,
} from './supervisor.js';

/** The part of a stage's context a local training uses. */
export interface TrainContext {
  readonly store: ArtifactStore;
  readonly signal: AbortSignal;
  readonly exec: ExecPolicy;
  log(line: string): void;
  progress(message: string, done?: number, total?: number): void;
}

export interface LocalTraining extends TrainerCommandLine {
  readonly key: Sha256;
  readonly baseModel: BaseModel;
  readonly train: Sha256;
  readonly validation: Sha256 | undefined;
  readonly hyperparameters: Readonly<Record<string, unknown>>;
  readonly seed: number;
  /**
   * Whether the same inputs give the same bytes again (ft's embedded trainer), or not (GPU
   * kernels: the hf trainer), or unknown (a command trainer): shown, and kept in the summary.
   */
  readonly deterministic?: boolean;
}

/** How long a trainer's processes have after SIGTERM before SIGKILL (FT_TRAINER_GRACE_MS). */
export function trainerGraceMs(): number {
  const value = Number(process.env.FT_TRAINER_GRACE_MS ?? 10_000);
  return Number.isFinite(value) && value >= 0 ? value : 10_000;
}

/** The output that keeps a training's curve; no artifact may take its name. */
export const METRICS_OUTPUT = 'metrics.jsonl';
const METRICS = METRICS_OUTPUT;
const ARTIFACT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Trains through a trainer command (protocol v1) and stores what it made: every artifact it
 * declared (a file or a folder) as the output of that name, `model` among them (the model's
 * identity for evals and exports), and its curve as `metrics.jsonl`.
 *
 * Checkpoints live in the key's work folder (not the temp folder a build may clean): when an
 * earlier attempt with the same key was interrupted, this one gets `resume_from` = its last
 * checkpoint; a trainer that a killed ft left running there is stopped first. The folder goes
 * once the model is stored.
 */
export async function trainLocally(
  ctx: TrainContext,
  job: LocalTraining,
): Promise<{outputs: Record<string, Artifact>; summary: Record<string, unknown>}> {
  if (job.recipeCode) requireExec(ctx.exec, job.stage, execWhat.trainer(job.command));
  const work = ctx.store.workDir(job.key);
  mkdirSync(work, {recursive: true});
  const grace = trainerGraceMs();
  const orphan = await stopOrphan(work, grace);
  if (orphan !== undefined) ctx.log(`stopped trainer pid ${orphan}, left running by an earlier ft`);

  const outputDir = join(work, 'out');
  const checkpointFile = join(work, 'checkpoint.json');
  const resume = lastCheckpoint(checkpointFile);
  const resumeFrom = resume?.path;
  if (resumeFrom) ctx.log(`resuming from ${resumeFrom}`);
  // The curve so far: earlier attempts' steps up to the checkpoint this one resumes from (the
  // trainer reports only the steps it runs), so a resumed training keeps its whole curve.
  const curveFile = join(work, 'curve.jsonl');
  const earlier = resume ? curveSoFar(curveFile, resume.step) : [];
  writeFileSync(curveFile, earlier.map((e) => `${JSON.stringify(e)}\n`).join(''));
  const trainFile = ctx.store.pathOf(job.train);
  const spec: TrainSpec = {
    protocol: PROTOCOL_VERSION,
    stage: job.stage,
    base_model: job.baseModel,
    train_file: trainFile,
    validation_file: job.validation ? ctx.store.pathOf(job.validation) : null,
    format: await formatOf(trainFile),
    hyperparameters: job.hyperparameters,
    seed: job.seed,
    output_dir: outputDir,
    resume_from: resumeFrom ?? null,
  };
  const specPath = join(work, 'spec.json');
  writeFileSync(specPath, `${JSON.stringify(spec, null, 2)}\n`);

  const tail = new LogTail(ctx.log);
  const run = await superviseTrainer({
    argv: [...job.argv, 'train', '--spec', specPath],
    cwd: job.cwd,
    env: trainerEnv(process.env, job.env),
    workDir: work,
    signal: ctx.signal,
    graceMs: grace,
    onEvent: (event) => {
      if ((event.type === 'progress' && event.step !== undefined) || event.type === 'eval') {
        appendFileSync(curveFile, `${JSON.stringify(event)}\n`);
      }
      if (event.type === 'checkpoint') {
        const path = resolve(outputDir, event.path);
        writeFileSync(checkpointFile, `${JSON.stringify({step: event.step, path})}\n`);
      }
      if (event.type === 'progress' && event.step !== undefined) {
        const of = event.total_steps !== undefined ? `/${event.total_steps}` : '';
        const loss = event.loss !== undefined ? `, loss ${event.loss.toFixed(4)}` : '';
        ctx.progress(`step ${event.step}${of}${loss}`, event.step, event.total_steps);
      }
    },
    onLog: tail.add,
  });
  if (run.outcome === 'interrupted') {
    ctx.signal.throwIfAborted();
  }
  if (run.outcome !== 'done') {
    throw new StageFailure('trainer-failed', tail.explain(run.message));
  }

  // The last declaration of each name counts; `model` is the one every target must have.
  const declared = new Map<string, string>();
  for (const e of run.events) if (e.type === 'artifact') declared.set(e.name, e.path);
  if (!declared.has('model')) {
    throw new StageFailure(
      'trainer-failed',
      tail.explain(
        'the trainer finished without declaring its model (an artifact event named "model")',
      ),
    );
  }
  const outputs: Record<string, Artifact> = {};
  for (const [name, path] of declared) {
    if (!ARTIFACT_NAME.test(name) || name === METRICS) {
      throw new StageFailure(
        'trainer-failed',
        `the trainer declared an artifact named ${JSON.stringify(name)}; artifact names are letters, digits, '.', '_' and '-', and not ${METRICS}`,
      );
    }
    const absolute = resolve(outputDir, path);
    const inside = relative(outputDir, absolute);
    if (inside.startsWith('..') || isAbsolute(inside) || !existsSync(absolute)) {
      throw new StageFailure(
        'trainer-failed',
        `the trainer's ${name} artifact ${path} is not ${existsSync(absolute) ? 'inside its output_dir' : 'there'}`,
      );
    }
    outputs[name] = statSync(absolute).isDirectory()
      ? await ctx.store.putTree(absolute)
      : await ctx.store.putFile(absolute);
  }
  const curve = metricsFromEvents([...earlier, ...run.events]);
  outputs[METRICS] = await ctx.store.putBytes(
    curve.map((line) => `${canonicalJson(line)}\n`).join(''),
  );
  rmSync(work, {recursive: true, force: true});

  const done = run.events.findLast((e) => e.type === 'done');
  const last = curve.at(-1);
  return {
    outputs,
    summary: {
      steps: last?.step ?? 0,
      ...(last?.loss !== undefined ? {loss: last.loss} : {}),
      ...(done?.type === 'done' && done.metrics ? {metrics: done.metrics} : {}),
      ...(resumeFrom ? {resumed: true} : {}),
      ...(job.deterministic !== undefined ? {deterministic: job.deterministic} : {}),
    },
  };
}

/** The checkpoint an earlier attempt recorded, when it is still there. */
function lastCheckpoint(file: string): {path: string; step: number} | undefined {
  try {
    const {path, step} = JSON.parse(readFileSync(file, 'utf8')) as {path?: unknown; step?: unknown};
    return typeof path === 'string' && typeof step === 'number' && existsSync(path)
      ? {path, step}
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The curve events earlier attempts recorded for steps up to `step` (a half-written last line,
 * from an ft that was killed, is skipped).
 */
function curveSoFar(file: string, step: number): TrainerEvent[] {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const events: TrainerEvent[] = [];
  for (const line of text.split('\n')) {
    try {
      const event = JSON.parse(line) as TrainerEvent;
      const at = 'step' in event ? event.step : undefined;
      if (typeof at === 'number' && at <= step) events.push(event);
    } catch {
      // not a whole line
    }
  }
  return events;
}

/** chat, or preference when the training file's first record is a preference pair. */
async function formatOf(trainFile: string): Promise<'chat' | 'preference'> {
  const lines = createInterface({input: createReadStream(trainFile, 'utf8'), crlfDelay: Infinity});
  try {
    for await (const line of lines) {
      if (line.trim() === '') continue;
      return 'preferred_output' in (JSON.parse(line) as object) ? 'preference' : 'chat';
    }
    return 'chat';
  } finally {
    lines.close();
  }
}
