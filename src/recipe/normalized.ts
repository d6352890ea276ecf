import type {Backend, Eval, Hyperparameters, Recipe} from './recipe-types.js';

/** A validated recipe: where it is, and its normalized content. */
export interface ResolvedRecipe {
  /** Absolute path of the recipe file. */
  readonly path: string;
  readonly normalized: NormalizedRecipe;
}

/**
 * The recipe with every default applied, so that "unset" and "set to the default" are the same
 * value everywhere downstream (fingerprints, lockfile, plans).
 */
export interface NormalizedRecipe {
  readonly name: string;
  readonly seed: number;
  /** Absolute folder of the recipe; source paths are relative to it. */
  readonly dir: string;
  readonly sources: readonly NormalizedSource[];
  /** Transform steps in recipe shape (`{split: {...}}`), defaults applied. */
  readonly transforms: readonly NormalizedTransform[];
  readonly targets: readonly NormalizedTarget[];
  readonly eval?: Eval;
}

export interface NormalizedSource {
  readonly name: string;
  /** As written in the recipe, with '/' separators. */
  readonly path: string;
  readonly format: 'jsonl';
}

export type NormalizedTransform =
  | {
      readonly template: {
        readonly system?: string;
        readonly user: string;
        readonly assistant: string;
      };
    }
  | {readonly split: {readonly validation: number; readonly test: number; readonly seed: number}};

export interface NormalizedTarget {
  /** `default` for the one-target shorthand (top-level backend + hyperparameters). */
  readonly name: string;
  readonly backend: Backend;
  readonly hyperparameters: Hyperparameters;
}

export function normalizeRecipe(recipe: Recipe, dir: string): NormalizedRecipe {
  const seed = recipe.seed ?? 0;
  const sources = Object.entries(recipe.sources).map(([name, s]) => ({
    name,
    path: s.path.replaceAll('\\', '/'),
    format: s.format ?? 'jsonl',
  }));
  const transforms = (recipe.transforms ?? []).map((step): NormalizedTransform => {
    if ('template' in step) {
      const {system, user, assistant} = step.template;
      return {template: {...(system !== undefined ? {system} : {}), user, assistant}};
    }
    return {
      split: {
        validation: step.split.validation ?? 0,
        test: step.split.test ?? 0,
        seed: step.split.seed ?? seed,
      },
    };
  });
  const targets: NormalizedTarget[] = recipe.targets
    ? Object.entries(recipe.targets).map(([name, t]) => ({
        name,
        backend: normalizeBackend(t.backend),
        hyperparameters: normalizeHyperparameters(t.hyperparameters ?? {}),
      }))
    : recipe.backend
      ? [
          {
            name: 'default',
            backend: normalizeBackend(recipe.backend),
            hyperparameters: normalizeHyperparameters(recipe.hyperparameters ?? {}),
          },
        ]
      : [];
  return {
    name: recipe.name,
    seed,
    dir,
    sources,
    transforms,
    targets,
    ...(recipe.eval ? {eval: recipe.eval} : {}),
  };
}

function normalizeBackend(backend: Backend): Backend {
  return backend.type === 'local' ? {...backend, trainer: backend.trainer ?? 'embedded'} : backend;
}

/** `epochs` is an alias: the canonical name is OpenAI's `n_epochs`. */
function normalizeHyperparameters(h: Hyperparameters): Hyperparameters {
  const {epochs, ...rest} = h;
  return epochs !== undefined && rest.n_epochs === undefined ? {...rest, n_epochs: epochs} : rest;
}
