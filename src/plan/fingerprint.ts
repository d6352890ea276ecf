import {canonicalJson} from '../core/canonical-json.js';
import {type Sha256, sha256} from '../core/hash.js';
import type {NormalizedRecipe, NormalizedSource, NormalizedTarget} from '../recipe/normalized.js';
import type {Eval} from '../recipe/recipe-types.js';

/**
 * Implementation versions. A stage's key includes the versions of the code it runs, so changing
 * what a transform does (bump its number) reruns exactly the stages that use it, and nothing
 * else. test/unit/plan/key-stability.test.ts pins one recipe's keys so that an accidental
 * change of the scheme fails until a version is bumped on purpose.
 */
export const IMPLEMENTATION = {
  source: 1,
  dataset: 1,
  template: 1,
  split: 1,
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
 * source:<name>: the source's parameters and the content hash of each file it reads. Paths are
 * relative to the recipe, so a clone elsewhere has the same key.
 */
export function sourceFingerprint(
  source: NormalizedSource,
  files: Readonly<Record<string, Sha256>>,
): Fingerprint {
  return {
    kind: 'source',
    impl: {source: IMPLEMENTATION.source},
    sources: {[source.name]: {path: source.path, format: source.format, files}},
  };
}

/**
 * dataset: the upstream sources' output hashes, their order (records are concatenated in
 * recipe order), and every transform step with its defaults applied.
 */
export function datasetFingerprint(
  recipe: NormalizedRecipe,
  sourceOutputs: Readonly<Record<string, Sha256>>,
): Fingerprint {
  const impl: Record<string, number> = {dataset: IMPLEMENTATION.dataset};
  for (const step of recipe.transforms) {
    const name = Object.keys(step)[0] as keyof typeof IMPLEMENTATION;
    impl[name] = IMPLEMENTATION[name];
  }
  return {
    kind: 'dataset',
    impl,
    sources: sourceOutputs,
    source_order: recipe.sources.map((s) => s.name),
    transforms: recipe.transforms,
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
