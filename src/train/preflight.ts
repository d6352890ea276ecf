import type {ArtifactStore} from '../core/artifact-store.js';
import {canonicalJson} from '../core/canonical-json.js';
import {type Sha256, sha256} from '../core/hash.js';
import type {
  Contamination,
  DataShapes,
  DatasetReport,
  HeldOutSplit,
  ModelInfo,
  OpenAICostEstimate,
} from '../data/checks/index.js';
import {SPLIT_FILES} from '../data/splits.js';
import type {NormalizedTarget} from '../recipe/normalized.js';
import {DEFAULTS as EMBEDDED_DEFAULTS} from './embedded/hyperparameters.js';

/** What the preflight uses of its stage's context (a StageContext is one). */
export interface PreflightContext {
  /** Where the dataset's files are read from, and the derived cache that keeps the figures. */
  readonly store: ArtifactStore;
  readonly signal: AbortSignal;
}

/** The dataset files a training is checked on, by their hashes. */
export interface TrainingData {
  readonly train: Sha256;
  /** The held-out splits the dataset wrote (checked for examples that are also in train). */
  readonly heldOut: Partial<Record<HeldOutSplit, Sha256>>;
}

/** What the checks found (the train stage's Preflight): fields for `ft plan --json`, warnings. */
export interface TrainingPreflight {
  readonly fields: Readonly<Record<string, unknown>>;
  readonly warnings: readonly string[];
}

/** Bumped when the preflight's figures change meaning, so cached ones are recomputed. */
const PREFLIGHT_VERSION = 3;

/**
 * The model whose tokenizer and context the checks use. OpenAI models come from the table in
 * data/checks/models.ts; a local model's tokenizer is not available to ft (no model hub), so
 * its tokens are counted with o200k_base and said to be approximate.
 */
async function modelOf(target: NormalizedTarget): Promise<ModelInfo> {
  if (target.backend.type === 'openai') {
    const {openAIModelInfo} = await import('../data/checks/index.js');
    const info = openAIModelInfo(target.backend.model);
    const price = target.backend.price_per_1m_tokens;
    if (price === undefined) return info;
    // The recipe's price stands in where ft's table has none (the gpt-4.1 family today).
    return {
      ...info,
      usdPerMillionTrainingTokens: price,
      notes: [
        ...info.notes.filter((n) => !n.includes('price')),
        `training price $${price} per 1M tokens from backend.price_per_1m_tokens`,
      ],
    };
  }
  const {model} = target.backend;
  const name = typeof model === 'string' ? model : `the model of train:${model.target}`;
  if (target.backend.trainer === 'embedded') {
    // Its tokenizer is ft's own, so the count is exact: bytes, role and end-of-turn tokens. An
    // example keeps its first max_seq_len + 1 tokens (max_seq_len inputs, each predicting the next).
    const maxSeqLen = target.hyperparameters.max_seq_len;
    return {
      id: name,
      base: name,
      encoding: 'bytes',
      trainingContext:
        (typeof maxSeqLen === 'number' ? maxSeqLen : EMBEDDED_DEFAULTS.max_seq_len) + 1,
      usdPerMillionTrainingTokens: null,
      minExamples: 1,
      known: true,
      notes: [],
    };
  }
  return {
    id: name,
    base: name,
    encoding: 'o200k_base',
    trainingContext: null,
    usdPerMillionTrainingTokens: null,
    minExamples: 1,
    known: false,
    notes: [
      `local model ${name}: tokens are counted with o200k_base, an approximation of its own tokenizer`,
    ],
  };
}

interface PreflightFigures {
  readonly dataset: DatasetReport & {readonly contamination?: Contamination};
  readonly billable: number;
  readonly shapes: DataShapes;
}

/**
 * Format checks and token statistics of the training file for this target's model, and the
 * held-out examples that also appear in it, computed once per (files, model) and kept in the
 * store's derived cache: plans stay fast on large data.
 */
async function figures(
  ctx: PreflightContext,
  data: TrainingData,
  model: ModelInfo,
): Promise<PreflightFigures> {
  const {heldOut} = data;
  const key = sha256(
    canonicalJson({
      version: PREFLIGHT_VERSION,
      data: data.train,
      held_out: heldOut,
      model: model.id,
      encoding: model.encoding,
      context: model.trainingContext,
    }),
  );
  const cached = ctx.store.readDerived(key) as PreflightFigures | undefined;
  if (cached?.dataset && cached.shapes) return cached;
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
  for await (const batch of records(data.train, SPLIT_FILES.train)) {
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
    shapes: builder.shapes(),
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
 * A training's checks before it runs, from its data alone and without credentials: the format
 * checks and token statistics of its training file for the target's model, the held-out
 * examples that also appear in it, and on OpenAI the cost estimate.
 */
export async function trainPreflight(
  ctx: PreflightContext,
  target: NormalizedTarget,
  data: TrainingData,
): Promise<TrainingPreflight> {
  const model = await modelOf(target);
  const {dataset, billable, shapes} = await figures(ctx, data, model);
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
  let method: {name: string; refused?: string} | undefined;
  if (target.backend.type === 'openai') {
    const name = target.backend.method ?? 'supervised';
    const refused = methodMismatch(name, shapes);
    method = {name, ...(refused ? {refused} : {})};
    if (refused) warnings.push(`ft build will refuse this training: ${refused}`);
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
      ...(method ? {method} : {}),
      ...(estimate ? {estimate} : {}),
    },
    warnings,
  };
}

/**
 * Why an OpenAI method cannot train on this file, or undefined: `dpo` trains on preference pairs
 * only and `supervised` on chat examples only (SPEC.md section 2); a file of the other shape, or
 * one that mixes them, is refused before anything is uploaded. Lines are train.jsonl's, 1-based.
 */
export function methodMismatch(method: string, shapes: DataShapes): string | undefined {
  const pairs =
    'preference pairs ({input, preferred_output, non_preferred_output}; a source of {prompt, chosen, rejected} records writes them)';
  const chats = 'chat examples ({messages}; the template transform writes them)';
  if (method === 'dpo' && shapes.chat > 0) {
    return shapes.preference === 0
      ? `method dpo trains on ${pairs}, but the training file (train.jsonl) has none: its ${shapes.chat} example(s) are ${chats}; feed the target preference records, or set method: supervised`
      : `method dpo trains on ${pairs} only, but ${shapes.chat} example(s) of the training file are ${chats}, the first at train.jsonl line ${shapes.first_chat}; remove them from this target's data`;
  }
  if (method === 'supervised' && shapes.preference > 0) {
    return shapes.chat === 0
      ? `method supervised trains on ${chats}, but the training file's ${shapes.preference} example(s) are ${pairs}; set backend.method: dpo`
      : `method supervised trains on ${chats} only, but ${shapes.preference} example(s) of the training file are ${pairs}, the first at train.jsonl line ${shapes.first_preference}; set backend.method: dpo for preference data, or remove them`;
  }
  return undefined;
}
