import {basename, join, resolve} from 'node:path';
import {type NormalizedEval, normalizeEval} from './eval-settings.js';
import type {
  Backend,
  CommandOptions,
  FilterOptions,
  Hyperparameters,
  JsOptions,
  MessageTemplate,
  Recipe,
  Source,
} from './recipe-types.js';

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
  /** The recipe file as the user named it, for messages about inline examples. */
  readonly file: string;
  readonly sources: readonly NormalizedSource[];
  /** Transform steps in recipe shape (`{split: {...}}`), defaults applied. */
  readonly transforms: readonly NormalizedTransform[];
  readonly targets: readonly NormalizedTarget[];
  readonly eval?: NormalizedEval;
  /**
   * Absolute folder of the build reports: `report.dir`, else `ft-report` for finetune.yaml and
   * `ft-report/<file name>` for another recipe, so that recipes sharing a folder keep their own.
   */
  readonly reportDir: string;
}

export type RecordFormat = 'jsonl' | 'json' | 'csv';

/**
 * What a step does with a record that lacks a field it reads: `error` (a data error at the
 * record's line), `skip` (dropped, counted as `missing <field>`) or `keep` (passed on; what that
 * means is the step's own, documented in the schema).
 */
export type MissingPolicy = 'error' | 'skip' | 'keep';

interface SourceCommon {
  readonly name: string;
  /** `fail`: a bad record fails the build; `skip`: it is counted and left out. */
  readonly on_error: 'fail' | 'skip';
  /** CSV delimiter, when set in the recipe (else from the extension). */
  readonly delimiter?: string;
}

/** Local files: one path or a glob, relative to the recipe, with '/' separators. */
export interface FileSource extends SourceCommon {
  readonly kind: 'files';
  readonly path: string;
  /** Explicit format; when absent each file's extension decides. */
  readonly format?: RecordFormat;
}

/** A pinned remote file. Authentication is not part of it: it cannot change the bytes. */
export interface UrlSource extends SourceCommon {
  readonly kind: 'url';
  readonly url: string;
  /** `sha256:<hex>` */
  readonly sha256: string;
  readonly format: RecordFormat;
  readonly auth?: {readonly env: string; readonly header: string; readonly scheme: string};
}

/** Records written in the recipe. */
export interface InlineSource extends SourceCommon {
  readonly kind: 'inline';
  readonly examples: readonly Readonly<Record<string, unknown>>[];
  /** The recipe line of each example, for messages. */
  readonly lines: readonly number[];
}

export type NormalizedSource = FileSource | UrlSource | InlineSource;

/** Transform options with every default applied (the recipe's shape otherwise). */
export type NormalizedTransform =
  | {
      readonly template: {
        readonly system?: string;
        readonly user?: string;
        readonly assistant?: string;
        readonly turns?: string;
        readonly messages?: readonly MessageTemplate[];
      };
    }
  | {readonly system: {readonly content: string; readonly overwrite: boolean}}
  | {
      readonly rename: {
        readonly fields: Readonly<Record<string, string>>;
        readonly missing: MissingPolicy;
      };
    }
  | {
      readonly map: {
        readonly fields: Readonly<Record<string, string | null>>;
        readonly missing: MissingPolicy;
      };
    }
  | {readonly filter: FilterOptions & {readonly missing: MissingPolicy}}
  | {
      readonly dedupe: {
        /** Dotted field paths compared (as a tuple), or null: the whole record. */
        readonly by: readonly string[] | null;
        /** A record without a `by` field: an error, dropped, or kept (never a duplicate). */
        readonly missing: MissingPolicy;
        readonly mode: 'exact' | 'normalized' | 'near';
        /** near: the estimated Jaccard similarity from which a record is a duplicate. */
        readonly threshold: number;
        /** near: words per shingle. */
        readonly shingle_size: number;
        /** near: MinHash permutations (signature slots). */
        readonly num_perm: number;
        /** near: seeds the shingle hash and the permutations. */
        readonly seed: number;
      };
    }
  | {
      readonly redact: {
        readonly emails: boolean;
        readonly phones: boolean;
        readonly cards: boolean;
        /** Custom regexes (JavaScript syntax, always with the `u` flag) and their replacements. */
        readonly patterns: readonly {
          readonly regex: string;
          readonly flags?: string;
          readonly replacement?: string;
        }[];
        /** Dotted paths whose string leaves are redacted; null for the defaults by record kind. */
        readonly fields: readonly string[] | null;
      };
    }
  | {readonly sample: {readonly n?: number; readonly fraction?: number; readonly seed: number}}
  | {readonly shuffle: {readonly seed: number}}
  | {readonly limit: {readonly n: number}}
  | {
      readonly split: {
        readonly validation: number;
        readonly test: number;
        readonly seed: number;
        /** Field paths of the source record that place it (a group), or null: the whole record. */
        readonly by: readonly string[] | null;
        /** A source record without a `by` field: an error, dropped, or placed by its whole self. */
        readonly missing: MissingPolicy;
      };
    }
  | {
      readonly js: {
        readonly module: string;
        readonly function: string;
        readonly options: Readonly<Record<string, unknown>>;
        /** The recipe's seed, which the function receives: part of the key like its options. */
        readonly seed: number;
      };
    }
  | {
      readonly command: {
        readonly run: readonly string[];
        readonly env: Readonly<Record<string, string>>;
      };
    };

export type TransformName = NormalizedTransform extends infer T
  ? T extends Record<infer K, unknown>
    ? K
    : never
  : never;

export interface NormalizedTarget {
  /** `default` for the one-target shorthand (top-level backend + hyperparameters). */
  readonly name: string;
  readonly backend: Backend;
  readonly hyperparameters: Hyperparameters;
}

/** Where the recipe is, as needed by the parts that point back at it. */
export interface RecipeOrigin {
  readonly dir: string;
  readonly file: string;
  /** Recipe line of each inline example, by source name. */
  readonly exampleLines?: Readonly<Record<string, readonly number[]>>;
}

export function normalizeRecipe(recipe: Recipe, origin: RecipeOrigin): NormalizedRecipe {
  const seed = recipe.seed ?? 0;
  const sources = Object.entries(recipe.sources).map(([name, s]) =>
    normalizeSource(name, s, origin.exampleLines?.[name] ?? []),
  );
  const transforms = (recipe.transforms ?? []).map((step) => normalizeTransform(step, seed));
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
    dir: origin.dir,
    file: origin.file,
    sources,
    transforms,
    targets,
    reportDir: resolve(origin.dir, recipe.report?.dir ?? defaultReportDir(origin.file)),
    ...(recipe.eval
      ? {
          eval: normalizeEval(
            recipe.eval,
            targets.map((t) => t.name),
            seed,
          ),
        }
      : {}),
  };
}

function defaultReportDir(file: string): string {
  const name = basename(file).replace(/\.ya?ml$/i, '');
  return name === 'finetune' ? 'ft-report' : join('ft-report', name);
}

/** Format from a file name: .jsonl/.ndjson, .json, .csv/.tsv, each optionally .gz. */
export function formatFromName(name: string): RecordFormat | undefined {
  const base = name.toLowerCase().replace(/\.gz$/, '');
  if (base.endsWith('.jsonl') || base.endsWith('.ndjson')) return 'jsonl';
  if (base.endsWith('.json')) return 'json';
  if (base.endsWith('.csv') || base.endsWith('.tsv')) return 'csv';
  return undefined;
}

function normalizeSource(name: string, s: Source, lines: readonly number[]): NormalizedSource {
  const common = {
    name,
    on_error: s.on_error ?? 'fail',
    ...(s.delimiter !== undefined ? {delimiter: s.delimiter} : {}),
  } as const;
  if (s.url !== undefined) {
    const auth =
      s.auth_env !== undefined
        ? {
            env: s.auth_env,
            header: s.auth_header ?? 'Authorization',
            scheme: s.auth_scheme ?? 'Bearer',
          }
        : undefined;
    return {
      ...common,
      kind: 'url',
      url: s.url,
      sha256: s.sha256!.startsWith('sha256:') ? s.sha256! : `sha256:${s.sha256}`,
      format: s.format ?? formatFromName(new URL(s.url).pathname) ?? 'jsonl',
      ...(auth ? {auth} : {}),
    };
  }
  if (s.examples !== undefined) {
    return {...common, kind: 'inline', examples: s.examples, lines};
  }
  return {
    ...common,
    kind: 'files',
    path: s.path!.replaceAll('\\', '/'),
    ...(s.format !== undefined ? {format: s.format} : {}),
  };
}

function normalizeTransform(
  step: Recipe['transforms'] extends readonly (infer T)[] | undefined ? T : never,
  seed: number,
): NormalizedTransform {
  if ('template' in step) return {template: step.template};
  if ('system' in step) {
    return {system: {content: step.system.content, overwrite: step.system.overwrite ?? true}};
  }
  if ('rename' in step) {
    const long = isLongForm(step.rename);
    return {
      rename: {
        fields: (long ? step.rename.fields : step.rename) as Record<string, string>,
        missing: (long ? step.rename.missing : undefined) ?? 'error',
      },
    };
  }
  if ('map' in step) {
    const long = isLongForm(step.map);
    return {
      map: {
        fields: (long ? step.map.fields : step.map) as Record<string, string | null>,
        missing: (long ? step.map.missing : undefined) ?? 'error',
      },
    };
  }
  if ('filter' in step) return {filter: {...step.filter, missing: step.filter.missing ?? 'error'}};
  if ('dedupe' in step) {
    const d = step.dedupe;
    return {
      dedupe: {
        by: listOf(d.by),
        missing: d.missing ?? 'error',
        mode: d.mode ?? 'exact',
        threshold: d.threshold ?? 0.8,
        shingle_size: d.shingle_size ?? 5,
        num_perm: d.num_perm ?? 128,
        seed: d.seed ?? seed,
      },
    };
  }
  if ('redact' in step) {
    const r = step.redact;
    return {
      redact: {
        emails: r.emails ?? true,
        phones: r.phones ?? true,
        cards: r.cards ?? true,
        patterns: r.patterns ?? [],
        fields: r.fields ?? null,
      },
    };
  }
  if ('sample' in step) return {sample: {...step.sample, seed: step.sample.seed ?? seed}};
  if ('shuffle' in step) return {shuffle: {seed: step.shuffle.seed ?? seed}};
  if ('limit' in step) return {limit: {n: step.limit.n}};
  if ('split' in step) {
    return {
      split: {
        validation: step.split.validation ?? 0,
        test: step.split.test ?? 0,
        seed: step.split.seed ?? seed,
        by: listOf(step.split.by),
        missing: step.split.missing ?? 'error',
      },
    };
  }
  if ('js' in step) return {js: normalizeJs(step.js, seed)};
  return {command: normalizeCommand(step.command)};
}

/** A field path or several, as a list; null when not given. */
function listOf(paths: string | readonly string[] | undefined): readonly string[] | null {
  return paths === undefined ? null : typeof paths === 'string' ? [paths] : paths;
}

/**
 * rename and map take `{old: new}` or the long form `{fields: {...}, missing}`; `fields` holding
 * a mapping tells them apart (in the short form every value is a string or null).
 */
export function isLongForm<T extends object>(
  options: T,
): options is Extract<T, {readonly fields: object}> {
  const fields = (options as {fields?: unknown}).fields;
  return fields !== null && typeof fields === 'object';
}

function normalizeJs(js: JsOptions, seed: number) {
  return {
    module: js.module.replaceAll('\\', '/'),
    function: js.function ?? 'default',
    options: js.options ?? {},
    seed,
  };
}

function normalizeCommand(command: CommandOptions) {
  return {run: command.run, env: command.env ?? {}};
}

function normalizeBackend(backend: Backend): Backend {
  return backend.type === 'local'
    ? {...backend, trainer: backend.trainer ?? 'embedded'}
    : {...backend, method: backend.method ?? 'supervised'};
}

/**
 * `epochs` is an alias: the canonical name is OpenAI's `n_epochs`. `"auto"` (OpenAI's default)
 * is the same as unset, so it is dropped: writing it or not gives the same key.
 */
function normalizeHyperparameters(h: Hyperparameters): Hyperparameters {
  const {epochs, ...rest} = h;
  const folded: Record<string, unknown> =
    epochs !== undefined && rest.n_epochs === undefined ? {...rest, n_epochs: epochs} : rest;
  for (const [name, value] of Object.entries(folded)) if (value === 'auto') delete folded[name];
  return folded as Hyperparameters;
}
