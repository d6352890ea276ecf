import {canonicalJson} from '../core/canonical-json.js';
import {type Sha256, sha256} from '../core/hash.js';
import {StageFailure} from '../core/stage-failure.js';
import type {
  Contamination,
  DatasetReport,
  HeldOutSplit,
  ModelInfo,
  OpenAICostEstimate,
} from '../data/checks/index.js';
import type {SplitName} from '../data/records/example.js';
import {SPLIT_FILES} from '../data/splits.js';
import {trainFingerprint} from '../plan/fingerprint.js';
import {stageId} from '../plan/stage-id.js';
import type {NormalizedTarget} from '../recipe/normalized.js';
import type {Preflight, StageContext, StageDefinition} from './stage-definition.js';

/** Bumped when the preflight's figures change meaning, so cached ones are recomputed. */
const PREFLIGHT_VERSION = 2;

function targetOf(ctx: StageContext): NormalizedTarget {
  const target = ctx.recipe.targets.find((t) => t.name === ctx.node.name);
  if (!target) throw new Error(`no target named ${ctx.node.name}`);
  return target;
}

/** The hash of a split's file as the dataset wrote it, or undefined when it has none. */
function splitData(ctx: StageContext, split: SplitName): Sha256 | undefined {
  return ctx.upstream.get(stageId('dataset'))?.outputs[SPLIT_FILES[split]]?.hash;
}

/** The dataset files a training reads: train, and validation when the recipe has one. */
export function trainingData(ctx: StageContext): Record<string, Sha256> {
  const data: Record<string, Sha256> = {};
  for (const split of ['train', 'validation'] as const) {
    const hash = splitData(ctx, split);
    if (hash) data[SPLIT_FILES[split]] = hash;
  }
  return data;
}

/**
 * The model whose tokenizer and context the checks use. OpenAI models come from the table in
 * data/checks/models.ts; a local model's tokenizer is not available to ft (no model hub), so
 * its tokens are counted with o200k_base and said to be approximate.
 */
async function modelOf(target: NormalizedTarget): Promise<ModelInfo> {
  if (target.backend.type === 'openai') {
    const {openAIModelInfo} = await import('../data/checks/index.js');
    return openAIModelInfo(target.backend.model);
  }
  return {
    id: target.backend.model,
    base: target.backend.model,
    encoding: 'o200k_base',
    trainingContext: null,
    usdPerMillionTrainingTokens: null,
    minExamples: 1,
    known: false,
    notes: [
      `local model ${target.backend.model}: tokens are counted with o200k_base, an approximation of its own tokenizer`,
    ],
  };
}

interface PreflightFigures {
  readonly dataset: DatasetReport & {readonly contamination?: Contamination};
  readonly billable: number;
}

/** The held-out splits the dataset wrote, by name (they are checked against the training one). */
function heldOutData(ctx: StageContext): Partial<Record<HeldOutSplit, Sha256>> {
  const out: Partial<Record<HeldOutSplit, Sha256>> = {};
  for (const split of ['validation', 'test'] as const) {
    const hash = splitData(ctx, split);
    if (hash) out[split] = hash;
  }
  return out;
}

/**
 * Format checks and token statistics of the training file for this target's model, and the
 * held-out examples that also appear in it, computed once per (files, model) and kept in the
 * store's derived cache: plans stay fast on large data.
 */
async function figures(
  ctx: StageContext,
  data: Sha256,
  model: ModelInfo,
): Promise<PreflightFigures> {
  const heldOut = heldOutData(ctx);
  const key = sha256(
    canonicalJson({
      version: PREFLIGHT_VERSION,
      data,
      held_out: heldOut,
      model: model.id,
      encoding: model.encoding,
      context: model.trainingContext,
    }),
  );
  const cached = ctx.store.readDerived(key) as PreflightFigures | undefined;
  if (cached?.dataset) return cached;
  // Loaded here: the tokenizer and the checks are needed only when figures are not cached.
  const [{DatasetReportBuilder, SplitOverlap}, {DataProblems}, {readRecords}] = await Promise.all([
    import('../data/checks/index.js'),
    import('../data/records/data-error.js'),
    import('../data/records/read-records.js'),
  ]);
  const problems = new DataProblems();
  const records = (hash: Sha256, shown: string) =>
    readRecords(
      {
        path: ctx.store.pathOf(hash),
        shown,
        sha256: hash,
        format: 'jsonl',
        gzip: false,
        delimiter: ',',
        source: 'dataset',
      },
      problems,
      ctx.signal,
    );
  // The dataset's files are canonical JSONL: a record's canonical JSON is its line.
  const overlap = new SplitOverlap();
  for (const [split, hash] of Object.entries(heldOut) as [HeldOutSplit, Sha256][]) {
    for await (const batch of records(hash, SPLIT_FILES[split])) {
      for (const example of batch) overlap.addHeldOut(split, canonicalJson(example.record));
    }
  }
  const builder = new DatasetReportBuilder(model);
  for await (const batch of records(data, SPLIT_FILES.train)) {
    for (const example of batch) {
      builder.add(example.record);
      overlap.addTraining(canonicalJson(example.record));
    }
  }
  const contamination = overlap.result();
  const result = {
    dataset: {
      ...builder.report(),
      ...(Object.keys(contamination).length > 0 ? {contamination} : {}),
    },
    billable: builder.billableTokens(),
  };
  await ctx.store.writeDerived(key, result);
  return result;
}

/** Warnings for held-out examples that also appear in an earlier split. */
function contaminationWarnings(c: Contamination | undefined): string[] {
  const out: string[] = [];
  const advice = 'identical examples from different source records; dedupe before split';
  if (c?.validation)
    out.push(`${c.validation} validation example(s) also appear in train (${advice})`);
  if (c?.test) out.push(`${c.test} test example(s) also appear in train (${advice})`);
  if (c?.test_in_validation)
    out.push(`${c.test_in_validation} test example(s) also appear in validation (${advice})`);
  return out;
}

/**
 * train:<target>. Its key is complete, its data is checked and (on OpenAI) its cost estimated
 * before anything runs, so plans, run-cache lookups and `--frozen` already treat training
 * correctly; the backends that run it (OpenAI, local trainers) are separate issues, and until
 * they land a build that reaches this stage fails clearly instead of pretending.
 */
export const trainStage: StageDefinition = {
  async fingerprint(ctx) {
    return trainFingerprint(targetOf(ctx), ctx.recipe.seed, trainingData(ctx));
  },
  async preflight(ctx): Promise<Preflight> {
    const target = targetOf(ctx);
    const data = trainingData(ctx)[SPLIT_FILES.train];
    if (!data) throw new Error('the dataset has no training split');
    const model = await modelOf(target);
    const {dataset, billable} = await figures(ctx, data, model);
    const warnings = [...model.notes];
    if (dataset.examples < model.minExamples) {
      warnings.push(
        `${target.backend.type === 'openai' ? 'OpenAI' : 'this backend'} needs at least ${model.minExamples} training examples; the dataset has ${dataset.examples}`,
      );
    }
    const errors = Object.entries(dataset.format_errors);
    if (errors.length > 0) {
      warnings.push(`format errors: ${errors.map(([name, n]) => `${name} ${n}`).join(', ')}`);
    }
    for (const warning of contaminationWarnings(dataset.contamination)) warnings.push(warning);
    if (dataset.over_limit) {
      warnings.push(
        `${dataset.over_limit} example(s) exceed the ${model.trainingContext}-token training context of ${model.id} and will be truncated`,
      );
    }
    let estimate: OpenAICostEstimate | undefined;
    if (target.backend.type === 'openai') {
      const {estimateOpenAI} = await import('../data/checks/index.js');
      estimate = estimateOpenAI(dataset, model, target.hyperparameters, billable);
    }
    return {
      fields: {
        model: {
          id: model.id,
          encoding: model.encoding,
          training_context: model.trainingContext,
          known: model.known,
        },
        dataset,
        ...(estimate ? {estimate} : {}),
      },
      warnings,
    };
  },
  async run(ctx) {
    const target = targetOf(ctx);
    const trainer = target.backend.type === 'local' ? ` (trainer ${target.backend.trainer})` : '';
    throw new StageFailure(
      'backend-unavailable',
      `the ${target.backend.type} backend${trainer} is not available in this version of ft; build the data stages with \`ft build dataset\``,
    );
  },
};
