import type {MissingPolicy} from '../../recipe/normalized.js';
import type {DataProblems} from '../records/data-error.js';
import type {Example} from '../records/example.js';
import {namesNear} from '../records/identity.js';

/** Field names kept per field for suggestions, while no record has it. */
const MAX_NAMES = 200;

/** What one step saw of one field it reads (merged across worker threads by adding). */
export interface FieldUse {
  /** Where the recipe names the field, relative to the step's options (`where[0].field`). */
  readonly label: string;
  /** The field path as the recipe writes it. */
  readonly path: string;
  readonly present: number;
  readonly missing: number;
  /** The step tests the field's presence itself (`exists`): absence is an answer, not a problem. */
  readonly optional?: boolean;
  /** Field names the records had near the path, while none had the path itself. */
  readonly names?: Readonly<Record<string, number>>;
}

/**
 * The summary key under which a step reports its FieldUse of each (label, path); the dataset
 * stage reads it to turn "no record has this field" into one error at the step, then removes it
 * from the summary people see.
 */
export const FIELD_USE = '_fields';

interface Use {
  readonly label: string;
  readonly path: string;
  present: number;
  missing: number;
  readonly optional: boolean;
  readonly names: Map<string, number>;
}

/** What a step does with a record at a field it reads. */
export type FieldOutcome = 'present' | 'drop' | 'keep';

/**
 * How a step treats records that lack a field it reads (MissingPolicy): `error` reports the
 * record at its file and line and leaves it out (the build then fails), `skip` drops it and
 * counts it as `missing <field>`, `keep` passes it on. It also counts, per field, the records
 * that had it and lacked it, and while none has had it, the field names they did have.
 */
export class MissingFields {
  readonly #step: string;
  readonly #index: number;
  readonly #policy: MissingPolicy;
  readonly #problems: () => DataProblems;
  /** The step has a `missing` option to point people at. */
  readonly #configurable: boolean;
  /** By label, then path (no string built per record). */
  readonly #uses = new Map<string, Map<string, Use>>();
  readonly #dropped: Record<string, number> = {};

  /**
   * `step` and `index` name the step in messages (`filter`, transforms[2]); `problems` is read at
   * each report (a worker swaps its collector per chunk). `configurable`: the step takes a
   * `missing` option (template does not: a message needs its text).
   */
  constructor(
    step: string,
    index: number,
    policy: MissingPolicy,
    problems: () => DataProblems,
    configurable = true,
  ) {
    this.#step = step;
    this.#index = index;
    this.#policy = policy;
    this.#problems = problems;
    this.#configurable = configurable;
  }

  /**
   * Counts a field read: `value` is what the record holds at `path` (undefined when it lacks
   * it); `label` is where the recipe names the field, relative to the step's options. With
   * `optional`, the step tests presence itself: the field is only counted, and a missing one
   * kept. With `nullIsMissing` (a template cannot fill a null), a null value is missing too.
   * `names` are the fields to suggest from when the step reads another record than
   * `example.record` (the split reads the source record).
   */
  check(
    example: Example,
    label: string,
    path: string,
    value: unknown,
    options: {
      readonly optional?: boolean;
      readonly nullIsMissing?: boolean;
      /** The field names to suggest from, when the record read is not `example.record`. */
      readonly names?: readonly string[];
    } = {},
  ): FieldOutcome {
    const optional = options.optional === true;
    let byPath = this.#uses.get(label);
    if (!byPath) {
      byPath = new Map();
      this.#uses.set(label, byPath);
    }
    let use = byPath.get(path);
    if (!use) {
      use = {label, path, present: 0, missing: 0, optional, names: new Map()};
      byPath.set(path, use);
    }
    if (value !== undefined && !(value === null && options.nullIsMissing)) {
      if (use.present++ === 0) use.names.clear();
      return 'present';
    }
    use.missing++;
    if (use.present === 0 && use.names.size < MAX_NAMES) {
      for (const name of options.names ?? namesNear(example.record, path)) {
        if (use.names.size >= MAX_NAMES) break;
        use.names.set(name, (use.names.get(name) ?? 0) + 1);
      }
    }
    if (optional) return 'keep';
    switch (this.#policy) {
      case 'keep':
        return 'keep';
      case 'skip': {
        const reason = `missing ${path}`;
        this.#dropped[reason] = (this.#dropped[reason] ?? 0) + 1;
        return 'drop';
      }
      default:
        this.#problems().add(
          example.origin,
          `${this.#step}: ${value === null ? `field '${path}' is null` : `the record has no field '${path}'`} (transforms[${this.#index}].${this.#step}.${label})${this.#configurable ? '; set missing: skip or keep to allow such records' : ''}`,
          1,
          undefined,
          missingReason(this.#index, label, path),
        );
        return 'drop';
    }
  }

  /** Records dropped for a missing field (skip), by reason, for the step's `dropped`. */
  dropped(): Record<string, number> {
    return {...this.#dropped};
  }

  /** `{dropped}` when a record was dropped for a missing field, else nothing. */
  droppedField(): {dropped?: Record<string, number>} {
    return Object.keys(this.#dropped).length > 0 ? {dropped: this.dropped()} : {};
  }

  /** The summary fields: `missing` per field path, and the FieldUse of each for the stage. */
  summary(): Record<string, unknown> {
    if (this.#uses.size === 0) return {};
    const missing: Record<string, number> = {};
    const uses: Record<string, FieldUse> = {};
    for (const use of [...this.#uses.values()].flatMap((m) => [...m.values()])) {
      if (use.missing > 0) missing[use.path] = (missing[use.path] ?? 0) + use.missing;
      uses[`${use.label} ${use.path}`] = {
        label: use.label,
        path: use.path,
        present: use.present,
        missing: use.missing,
        ...(use.optional ? {optional: true} : {}),
        ...(use.present === 0 && use.names.size > 0 ? {names: Object.fromEntries(use.names)} : {}),
      };
    }
    return {...(Object.keys(missing).length > 0 ? {missing} : {}), [FIELD_USE]: uses};
  }
}

/** The recipe labels of a step's `by` fields: `by`, or `by[k]` for a list. */
export function byLabels(by: readonly string[] | null): readonly string[] {
  if (by === null) return [];
  return by.map((_, k) => (by.length === 1 ? 'by' : `by[${k}]`));
}

/** The DataProblems reason of one step's missing-field errors, so they can be withdrawn as one. */
export function missingReason(index: number, label: string, path: string): string {
  return `missing field '${path}' (transforms[${index}] ${label})`;
}
