import {canonicalJson} from '../core/canonical-json.js';
import {type Sha256, sha256} from '../core/hash.js';
import {withoutCredentials} from '../core/url-secrets.js';
import type {
  NormalizedRecipe,
  NormalizedSource,
  NormalizedTarget,
  NormalizedTransform,
} from '../recipe/normalized.js';

/**
 * Implementation versions. A stage's key includes the versions of the code it runs, so changing
 * what a transform does (bump its number) reruns exactly the stages that use it, and nothing
 * else. test/unit/plan/key-stability.test.ts pins one recipe's keys so that an accidental
 * change of the scheme fails until a version is bumped on purpose.
 */
export const IMPLEMENTATION = {
  // 3: a source of more than FILE_SET_THRESHOLD files is keyed by the hash of its file list
  // (file_set), which it outputs as files.json.
  source: 3,
  // 3: the ids of each split's records are outputs (train.ids, ...); a training split that
  // steps emptied fails the stage.
  dataset: 3,
  system: 1,
  // 2: a missing field is an error (or dropped or kept, as `missing` says), template included.
  template: 2,
  rename: 2,
  map: 2,
  filter: 2,
  dedupe: 2,
  redact: 1,
  // 2: placed by the id of the source record, not by the transformed record's content.
  sample: 2,
  shuffle: 2,
  limit: 1,
  split: 2,
  js: 2,
  command: 1,
  train: 1,
  generate: 1,
  // 1: an llm_judge metric's judge stage (eval/judge.ts parses the scores).
  judge: 1,
  // 2: one stage scoring every model's answers (generate stages answer), not one per target.
  eval: 2,
} as const;

/**
 * A stage fingerprint is a JSON object whose paths read like the recipe's
 * (`transforms[1].split.validation`, `sources.qa`), so that differences between two of them are
 * the `why` a person wants to read. The key is sha256 of its canonical JSON (RFC 8785).
 *
 * Inputs enter as the content hashes of upstream *outputs*, never upstream keys: an upstream
 * rerun that produces the same bytes leaves everything downstream fresh (early cutoff).
 */
export type Fingerprint = {readonly kind: string; readonly impl: Record<string, number>} & Record<
  string,
  unknown
>;

export function keyOf(fingerprint: Fingerprint): Sha256 {
  return sha256(canonicalJson(fingerprint));
}

/**
 * A source with more files than this is fingerprinted by one hash of its file list (`file_set`)
 * instead of one entry per file: 100,000 entries made an 11.5 MB lockfile that every no-op
 * build parsed and wrote out again. Below it, each file keeps its entry, so `ft plan` on a fresh
 * clone (lockfile, no store) still names the file that changed.
 */
export const FILE_SET_THRESHOLD = 1000;

/** A source's files as one value: how many, and the sha256 of their list (fileListText). */
export interface FileSet {
  readonly count: number;
  readonly sha256: Sha256;
}

/** One file of a source: its path (relative to the recipe) and content hash. */
export type FileEntry = readonly [path: string, sha256: Sha256];

/**
 * The bytes a file set's hash is taken over: the canonical JSON of its (path, sha256) pairs
 * sorted by path (UTF-16 code units, as a glob lists them), `[["data/a.jsonl","sha256:..."],...]`.
 * The source stage keeps it in the store (its `files.json` output), so `ft plan` can name the
 * files that changed between two sets.
 */
export function fileListText(files: readonly FileEntry[]): string {
  const inOrder = files.every((f, i) => i === 0 || files[i - 1]![0] < f[0]);
  const sorted = inOrder ? files : [...files].sort(([a], [b]) => (a < b ? -1 : 1));
  // Lists of strings only: JSON.stringify writes them exactly as canonicalJson does, without
  // first walking 100,000 pairs to look for objects whose keys need sorting.
  return JSON.stringify(sorted);
}

/** The file set of `files`, with the text its hash is of. */
export function fileSetOf(files: readonly FileEntry[]): {set: FileSet; text: string} {
  const text = fileListText(files);
  return {set: {count: files.length, sha256: sha256(text)}, text};
}

/**
 * source:<name>: the source's parameters and what identifies its bytes: the content hash of
 * each local file (paths relative to the recipe, so clones share keys) or, above
 * FILE_SET_THRESHOLD files, their file set; the pin of a URL (the key is known without
 * fetching); or the hash of inline examples. Authentication is left out: it cannot change the
 * bytes, and secrets never enter keys.
 */
export function sourceFingerprint(
  source: NormalizedSource,
  content: {
    readonly files?: Readonly<Record<string, Sha256>>;
    readonly file_set?: FileSet;
    readonly examples?: Sha256;
  },
): Fingerprint {
  const common = {
    on_error: source.on_error,
    ...(source.delimiter !== undefined ? {delimiter: source.delimiter} : {}),
  };
  const params =
    source.kind === 'files'
      ? {
          path: source.path,
          ...(source.format !== undefined ? {format: source.format} : {}),
          ...(content.file_set !== undefined
            ? {file_set: content.file_set}
            : {files: content.files}),
        }
      : source.kind === 'url'
        ? {url: withoutCredentials(source.url), sha256: source.sha256, format: source.format}
        : {examples: content.examples};
  return {
    kind: 'source',
    impl: {source: IMPLEMENTATION.source},
    sources: {[source.name]: {...params, ...common}},
  };
}

/** Extra inputs of transform steps: the content of the user code they run, by step index. */
export type TransformCode = Readonly<Record<number, Readonly<Record<string, Sha256>>>>;

/**
 * dataset: the upstream sources' output hashes, their order (records are concatenated in
 * recipe order), every transform step with its defaults applied, and for `js` and `command`
 * steps the content hashes of the files they run (`transforms[2].js.files`).
 */
export function datasetFingerprint(
  recipe: NormalizedRecipe,
  sourceOutputs: Readonly<Record<string, Sha256>>,
  code: TransformCode = {},
): Fingerprint {
  const impl: Record<string, number> = {dataset: IMPLEMENTATION.dataset};
  const transforms = recipe.transforms.map((step, i): NormalizedTransform => {
    const name = Object.keys(step)[0] as keyof typeof IMPLEMENTATION;
    impl[name] = IMPLEMENTATION[name];
    const files = code[i];
    if (!files) return step;
    const [[key, options]] = Object.entries(step) as [[string, object]];
    return {[key]: {...options, files}} as unknown as NormalizedTransform;
  });
  return {
    kind: 'dataset',
    impl,
    sources: sourceOutputs,
    source_order: recipe.sources.map((s) => s.name),
    transforms,
  };
}

/**
 * train:<target>: the backend (base model snapshot included), hyperparameters after defaults,
 * the seed, and the hashes of the training files. Not the target's name: two targets that
 * would send the same job share it, so nobody pays twice.
 */
export function trainFingerprint(
  target: NormalizedTarget,
  seed: number,
  data: Readonly<Record<string, Sha256>>,
  /**
   * What a local target pins beyond the recipe's words: its base model (a folder's content, a
   * revision) and its command trainer (its files' content, what its `info` answers).
   */
  local?: unknown,
): Fingerprint {
  return {
    kind: 'train',
    impl: {train: IMPLEMENTATION.train},
    backend: target.backend,
    hyperparameters: target.hyperparameters,
    seed,
    data,
    ...(local !== undefined ? {local} : {}),
  };
}

/**
 * train:<target> on OpenAI (or Azure OpenAI): the canonical API request it would send (see
 * openai/request.ts), laid flat so differences read `hyperparameters.n_epochs: 3 -> 4`. No
 * implementation version: the key is the request's, so a new ft release never orphans a paid
 * job; nothing that only guards or routes the request (budget, price, base URL) is in it.
 */
export function remoteTrainFingerprint(request: Readonly<Record<string, unknown>>): Fingerprint {
  return {kind: 'train', impl: {}, api: 'openai.fine_tuning.jobs', ...request};
}

/**
 * generate:<model>: who answers (the model's identity: for a tuned model the train stage's
 * `model` output and the trainer that generates with it; for a base model what pins it), the
 * examples (the evaluation split's file) and the generation settings. Not the model's name, nor
 * how it is called (concurrency, retries): they change no answer.
 */
export function generateFingerprint(
  model: unknown,
  examples: Readonly<Record<string, Sha256>>,
  generation: Readonly<Record<string, unknown>>,
): Fingerprint {
  return {kind: 'generate', impl: {generate: IMPLEMENTATION.generate}, model, examples, generation};
}

/**
 * judge:<metric>: who judges (its identity, as a generate stage's), what it is asked (the rubric,
 * the scale, the prompt template in full, the default's text included) and how it answers (its
 * generation settings), the examples, and every model's answers (their hashes). Not the metric's
 * id, nor the judge's name.
 */
export function judgeFingerprint(
  judge: unknown,
  asked: {
    readonly rubric: string;
    readonly scale: {readonly min: number; readonly max: number};
    readonly prompt: string;
    readonly generation: Readonly<Record<string, unknown>>;
  },
  examples: Readonly<Record<string, Sha256>>,
  answers: Readonly<Record<string, Sha256>>,
): Fingerprint {
  return {
    kind: 'judge',
    impl: {judge: IMPLEMENTATION.judge},
    judge,
    ...asked,
    examples,
    answers,
  };
}

/**
 * eval: the metrics and gates it applies (not latency's: the build measures latency after it,
 * and it is never locked), the evaluation split, every model's answers (their hashes) and, for
 * llm_judge metrics, their judge stages' judgments (by metric id): adding a metric or a gate
 * re-scores without asking any model again.
 */
export function evalFingerprint(
  evaluation: {
    readonly metrics: readonly unknown[];
    readonly gates: readonly unknown[];
    readonly seed: number;
  },
  examples: Readonly<Record<string, Sha256>>,
  answers: Readonly<Record<string, Sha256>>,
  judgments: Readonly<Record<string, Sha256>> = {},
): Fingerprint {
  return {
    kind: 'eval',
    impl: {eval: IMPLEMENTATION.eval},
    metrics: evaluation.metrics,
    gates: evaluation.gates,
    seed: evaluation.seed,
    examples,
    answers,
    // Only when there are some: a recipe without llm_judge keeps its key.
    ...(Object.keys(judgments).length > 0 ? {judgments} : {}),
  };
}
