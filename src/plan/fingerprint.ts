import {canonicalJson} from '../core/canonical-json.js';
import {type Sha256, sha256} from '../core/hash.js';
import {withoutCredentials} from '../core/url-secrets.js';
import type {
  NormalizedRecipe,
  NormalizedSource,
  NormalizedTarget,
  NormalizedTransform,
} from '../recipe/normalized.js';
import type {Eval} from '../recipe/recipe-types.js';

/**
 * Implementation versions. A stage's key includes the versions of the code it runs, so changing
 * what a transform does (bump its number) reruns exactly the stages that use it, and nothing
 * else. test/unit/plan/key-stability.test.ts pins one recipe's keys so that an accidental
 * change of the scheme fails until a version is bumped on purpose.
 */
export const IMPLEMENTATION = {
  source: 2,
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
  eval: 1,
  report: 1,
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
 * source:<name>: the source's parameters and what identifies its bytes: the content hash of
 * each local file (paths relative to the recipe, so clones share keys), the pin of a URL (the
 * key is known without fetching), or the hash of inline examples. Authentication is left out:
 * it cannot change the bytes, and secrets never enter keys.
 */
export function sourceFingerprint(
  source: NormalizedSource,
  content: {readonly files?: Readonly<Record<string, Sha256>>; readonly examples?: Sha256},
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
          files: content.files,
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
): Fingerprint {
  return {
    kind: 'train',
    impl: {train: IMPLEMENTATION.train},
    backend: target.backend,
    hyperparameters: target.hyperparameters,
    seed,
    data,
  };
}

/** eval:<target>: the evaluation settings, the trained model's output hash and the eval split. */
export function evalFingerprint(
  evaluation: Eval,
  model: Sha256,
  data: Readonly<Record<string, Sha256>>,
): Fingerprint {
  return {kind: 'eval', impl: {eval: IMPLEMENTATION.eval}, eval: evaluation, model, data};
}

/** report: the outputs of every evaluation it summarizes. */
export function reportFingerprint(evals: Readonly<Record<string, Sha256>>): Fingerprint {
  return {kind: 'report', impl: {report: IMPLEMENTATION.report}, evals};
}
