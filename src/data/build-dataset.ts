import {mkdir, mkdtemp, rm} from 'node:fs/promises';
import {relative, resolve} from 'node:path';
import type {Artifact} from '../core/artifact-store.js';
import {type Diagnostic, UserError} from '../core/diagnostic.js';
import type {Sha256} from '../core/hash.js';
import type {NormalizedSource, RecordFormat} from '../recipe/normalized.js';
import type {DataContext} from './context.js';
import {FunnelChecks} from './funnel.js';
import {parallelPlan} from './parallel/parallel-plan.js';
import {runParallel, WorkersOutOfMemory, workerCount} from './parallel/run-parallel.js';
import {DataProblems} from './records/data-error.js';
import type {Example, SplitName} from './records/example.js';
import {toTrainingExample} from './records/formats.js';
import {SourceIdentity} from './records/identity.js';
import {readRecords} from './records/read-records.js';
import {SplitWriter} from './records/split-writer.js';
import type {SourceManifest} from './sources/manifest.js';
import {ID_FILES, SPLIT_FILES} from './splits.js';
import {createTransforms, type TransformStep} from './transforms/index.js';
import type {TransformSummary} from './transforms/transform.js';

/** What building the dataset uses of its stage's context. */
type DatasetContext = Pick<
  DataContext,
  'recipe' | 'store' | 'signal' | 'log' | 'progress' | 'vouchFile'
>;

/** What building the dataset produced: the dataset stage's result. */
export interface BuiltDataset {
  /** Each split's JSONL file, then each split's ids file. */
  readonly outputs: Readonly<Record<string, Artifact>>;
  /** Records per source, each transform's summary, examples per split, skipped records. */
  readonly summary: Readonly<Record<string, unknown>>;
  /** Skipped records and funnel warnings. */
  readonly warnings: readonly Diagnostic[];
}

/**
 * The dataset stage's work (stages/dataset.ts): sources through the transforms into the splits.
 * `manifests` holds the hash of each source's manifest (by source name), as its stage stored it.
 */
export async function runDataset(
  ctx: DatasetContext,
  manifests: Readonly<Record<string, Sha256>>,
): Promise<BuiltDataset> {
  const skipping = ctx.recipe.sources.filter((s) => s.on_error === 'skip').map((s) => s.name);
  let problems = new DataProblems(skipping);
  const writers = new Map<SplitName, SplitWriter>();
  const tempFile = (hint: string) => ctx.store.newTempFile(hint);
  const splitBy = splitStepOf(ctx)?.by ?? null;
  await mkdir(resolve(ctx.store.newTempFile('x'), '..'), {recursive: true});
  const tempDir = await mkdtemp(ctx.store.newTempFile('dataset'));
  try {
    for (const split of splitsOf(ctx))
      writers.set(split, await SplitWriter.create(split, tempFile));
    const files = inputFiles(ctx, manifests);
    const plan = parallelPlan(ctx.recipe);
    const workers =
      plan && files.every((f) => f.format === 'jsonl')
        ? workerCount(files.reduce((sum, f) => sum + f.size, 0))
        : 0;
    const parallel =
      plan && workers > 0
        ? await runParallel({
            plan,
            workers,
            setup: {
              prefix: plan.prefix,
              suffix: plan.suffix,
              dir: ctx.recipe.dir,
              seed: ctx.recipe.seed,
              skipping,
              splitBy,
              inlineLines: Object.fromEntries(
                ctx.recipe.sources.flatMap((s) => (s.kind === 'inline' ? [[s.name, s.lines]] : [])),
              ),
            },
            files: files.map((f) => ({...f, source: f.source.name})),
            writers,
            problems,
            signal: ctx.signal,
            tempDir,
          }).catch(async (e: unknown) => {
            if (!(e instanceof WorkersOutOfMemory)) throw e;
            ctx.log(`worker threads ran out of memory (${e.message}); running on one thread`);
            for (const [split, writer] of writers) {
              await writer.discard();
              writers.set(split, await SplitWriter.create(split, tempFile));
            }
            problems = new DataProblems(skipping);
            return undefined;
          })
        : undefined;
    const identity = new SourceIdentity(splitBy);
    const outcome =
      parallel ?? (await runSequential(ctx, files, writers, problems, tempDir, identity));
    const {perSource} = outcome;
    const checks = new FunnelChecks(ctx.recipe);
    const summaries = checks.fields(outcome.summaries, problems);
    if (parallel) {
      ctx.log(
        `worker threads: ${workers}, ${parallel.ahead} of them started while the sources were hashed`,
      );
    }
    if (parallel?.spilled) {
      ctx.log(`dedupe sets full: ${parallel.spilled} records were decided on disk, in parts`);
    }
    for (const source of ctx.recipe.sources) {
      const records = perSource[source.name] ?? 0;
      if (records === 0) {
        const own = files.filter((f) => f.source === source);
        problems.add(
          {
            file: own.length === 1 ? own[0]!.shown : `sources.${source.name}`,
            line: 1,
            source: source.name,
          },
          `sources.${source.name} has no usable records`,
          1,
          undefined,
          'empty source',
        );
      }
      ctx.progress(`read ${source.name}: ${records} records`);
    }
    if (problems.count > 0 || checks.errors.length > 0) {
      throw new UserError([
        ...problems.errors(),
        ...checks.errors,
        ...problems.warnings(),
        ...checks.warnings,
      ]);
    }
    const names = ctx.recipe.transforms.map((t) => Object.keys(t)[0]!);
    const transforms = summaries.map((summary, i) => ({[names[i]!]: summary}));
    const examples: Record<string, number> = {};
    for (const [split, writer] of writers) examples[split] = writer.count;
    const read = Object.values(perSource).reduce((a, b) => a + b, 0);
    checks.trainingSplit(summaries, examples, read);
    if (checks.errors.length > 0) throw new UserError([...checks.errors, ...checks.warnings]);

    // The splits' files, then beside them their ids, line for line.
    const outputs: Record<string, Artifact> = {};
    const idOutputs: Record<string, Artifact> = {};
    for (const [split, writer] of writers) {
      const {lines, ids} = await writer.finish();
      await ctx.store.adopt(lines.path, lines.hash);
      await ctx.store.adopt(ids.path, ids.hash);
      outputs[SPLIT_FILES[split]] = {hash: lines.hash, size: lines.size};
      idOutputs[ID_FILES[split]] = {hash: ids.hash, size: ids.size};
    }
    Object.assign(outputs, idOutputs);
    writers.clear();
    const skipped = problems.skipped();
    ctx.log(`records per source: ${JSON.stringify(perSource)}`);
    for (const t of transforms) ctx.log(`transform ${JSON.stringify(t)}`);
    ctx.log(`examples per split: ${JSON.stringify(examples)}`);
    if (skipped.total > 0) ctx.log(`skipped records: ${JSON.stringify(skipped)}`);
    return {
      outputs,
      summary: {
        records: perSource,
        transforms,
        examples,
        ...(skipped.total > 0 ? {skipped} : {}),
        // How the stage ran: 0 is the main thread alone (the output never depends on it).
        threads: parallel ? workers : 0,
      },
      warnings: [...problems.warnings(), ...checks.warnings],
    };
  } finally {
    for (const writer of writers.values()) await writer.discard();
    await rm(tempDir, {recursive: true, force: true});
  }
}

/** The recipe's split step's options, if it has one. */
function splitStepOf(ctx: DatasetContext) {
  for (const step of ctx.recipe.transforms) if ('split' in step) return step.split;
  return undefined;
}

/** The splits this recipe produces: train always; validation and test when a split asks. */
function splitsOf(ctx: DatasetContext): SplitName[] {
  const split = splitStepOf(ctx);
  const out: SplitName[] = ['train'];
  if (split && split.validation > 0) out.push('validation');
  if (split && split.test > 0) out.push('test');
  return out;
}

/** How a record is located in messages: inline examples point into the recipe. */
function lineMapper(source: NormalizedSource): ((line: number) => number) | undefined {
  return source.kind === 'inline' ? (line) => source.lines[line - 1] ?? 1 : undefined;
}

/** One file to read, with where it comes from. */
interface InputFile {
  readonly source: NormalizedSource;
  readonly path: string;
  readonly shown: string;
  readonly sha256: Sha256;
  readonly size: number;
  readonly format: RecordFormat;
  readonly gzip: boolean;
  readonly delimiter: string;
  readonly vouchedStat?: string;
  readonly trusted?: boolean;
}

/** Every file of every source, in recipe order, as the source stages recorded them. */
function inputFiles(ctx: DatasetContext, manifests: Readonly<Record<string, Sha256>>): InputFile[] {
  return ctx.recipe.sources.flatMap((source) => {
    const manifest = JSON.parse(ctx.store.readText(manifests[source.name]!)) as SourceManifest;
    return manifest.files.map((file) => {
      const path = file.stored ? ctx.store.pathOf(file.sha256) : resolve(ctx.recipe.dir, file.path);
      const shown =
        file.path === '<inline>'
          ? ctx.recipe.file
          : file.stored
            ? file.path
            : shownPath(path, file.path);
      // Project files the stat cache vouches for, and store objects, are not hashed again.
      const vouchedStat = file.stored ? undefined : ctx.vouchFile(path, file.sha256);
      return {
        source,
        path,
        shown,
        sha256: file.sha256,
        size: file.size,
        format: file.format,
        gzip: file.gzip,
        delimiter: file.delimiter,
        ...(vouchedStat !== undefined ? {vouchedStat} : {}),
        ...(file.stored ? {trusted: true} : {}),
      };
    });
  });
}

/**
 * The pipeline on this thread: every record through every step, in order. Used when a step
 * needs the records themselves in order (js, command, shuffle, ...), for small inputs, and
 * for formats the workers do not parse (JSON, CSV).
 */
async function runSequential(
  ctx: DatasetContext,
  files: readonly InputFile[],
  writers: ReadonlyMap<SplitName, SplitWriter>,
  problems: DataProblems,
  tempDir: string,
  identity: SourceIdentity,
): Promise<{perSource: Record<string, number>; summaries: TransformSummary[]}> {
  const steps: TransformStep[] = createTransforms(ctx.recipe.transforms, {
    problems,
    dir: ctx.recipe.dir,
    seed: ctx.recipe.seed,
    tempDir,
    signal: ctx.signal,
    identity,
  });
  const write = async (batch: Example[]) => {
    for (const example of batch) {
      const writer = writers.get(example.split ?? 'train')!;
      const normal = toTrainingExample(example.record);
      await writer.write(normal === example.record ? example : {...example, record: normal});
    }
  };
  /** Sends a batch through the steps from `from` on, then to the writers. */
  const push = async (from: number, input: Example[]) => {
    let batch = input;
    for (let i = from; i < steps.length && batch.length > 0; i++) {
      ctx.signal.throwIfAborted();
      batch = await steps[i]!.process(batch);
    }
    if (batch.length > 0) await write(batch);
  };
  const perSource: Record<string, number> = {};
  try {
    await feed();
  } finally {
    await Promise.all(steps.map((s) => s.close?.()));
  }
  return {perSource, summaries: steps.map((s) => s.summary())};

  async function feed(): Promise<void> {
    for (const file of files) {
      const mapper = lineMapper(file.source);
      const reader = readRecords(
        {...file, source: file.source.name, ...(mapper ? {lineOf: mapper} : {})},
        problems,
        ctx.signal,
      );
      perSource[file.source.name] ??= 0;
      for await (const batch of reader) {
        perSource[file.source.name]! += batch.length;
        identity.assign(batch, problems);
        await push(0, batch);
      }
    }
    // Steps that hold records back release them in order, each through the steps after it.
    for (let i = 0; i < steps.length; i++) {
      const held = steps[i]!.finish?.();
      if (held) for await (const batch of held) await push(i + 1, batch);
    }
  }
}

/** A project file as the user would name it: relative to where they are, when inside it. */
function shownPath(absolute: string, fallback: string): string {
  const fromCwd = relative(process.cwd(), absolute);
  return fromCwd.startsWith('..') || fromCwd === '' ? fallback : fromCwd;
}
