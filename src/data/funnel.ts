import {resolve} from 'node:path';
import type {Diagnostic} from '../core/diagnostic.js';
import {type PathSegment, parsePath} from '../core/path-syntax.js';
import {suggest} from '../core/suggest.js';
import type {NormalizedRecipe} from '../recipe/normalized.js';
import {RecipeLocator} from '../recipe/recipe-locator.js';
import type {DataProblems} from './records/data-error.js';
import {FIELD_USE, type FieldUse, missingReason} from './transforms/missing-fields.js';
import type {TransformSummary} from './transforms/transform.js';

/**
 * Checks of the dataset's funnel (records in and out of each step) that only the whole of it can
 * decide, and that would otherwise lose data without a word: a field no record has, and a
 * training split left empty.
 */
export class FunnelChecks {
  readonly #recipe: NormalizedRecipe;
  readonly #locator: RecipeLocator;
  readonly errors: Diagnostic[] = [];
  readonly warnings: Diagnostic[] = [];

  constructor(recipe: NormalizedRecipe) {
    this.#recipe = recipe;
    this.#locator = new RecipeLocator(resolve(process.cwd(), recipe.file), recipe.file);
  }

  /**
   * Turns each field that a step read and no record had into one diagnostic at the step, with
   * the nearest field names the records did have: an error where records were lost or failed
   * (their per-record errors are withdrawn from `problems`), a warning where they passed
   * (`missing: keep`, or an `exists` test). Returns the summaries without the field counts.
   */
  fields(summaries: readonly TransformSummary[], problems: DataProblems): TransformSummary[] {
    return summaries.map((summary, index) => {
      const {[FIELD_USE]: uses, ...rest} = summary as TransformSummary & {
        [FIELD_USE]?: Record<string, FieldUse>;
      };
      for (const use of Object.values(uses ?? {})) {
        if (use.present > 0 || use.missing === 0) continue;
        this.#noRecordHas(index, use, problems);
      }
      return rest as TransformSummary;
    });
  }

  #noRecordHas(index: number, use: FieldUse, problems: DataProblems): void {
    const step = this.#recipe.transforms[index]!;
    const name = Object.keys(step)[0]!;
    const policy = (Object.values(step)[0] as {missing?: string}).missing ?? 'error';
    const lost = !use.optional && policy !== 'keep';
    if (lost && policy === 'error') problems.withdraw(missingReason(index, use.label, use.path));
    const names = Object.entries(use.names ?? {})
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .map(([n]) => n);
    const near = suggest(use.path, names);
    const shown = names.slice(0, 8).join(', ');
    // The classic: a step after `template` reads a field of the source records, which the
    // template has turned into chat messages.
    const template = this.#recipe.transforms.slice(0, index).findLastIndex((t) => 'template' in t);
    // (The split's `by` reads the source record, before any step.)
    const consumed =
      template !== -1 && name !== 'split' && !use.path.startsWith('messages')
        ? `transforms[${template}] (template) made the records chat examples: read source fields before it, or messages.<n>.content after it`
        : undefined;
    const hint = [
      name === 'split' ? 'split.by reads the source records as they were read' : undefined,
      consumed ?? (near ? `did you mean '${near}'?` : undefined),
      names.length > 0
        ? `${name === 'split' ? 'source records' : 'records here'} have: ${shown}${names.length > 8 ? `, ... (${names.length} fields)` : ''}`
        : undefined,
    ]
      .filter(Boolean)
      .join('; ');
    const what = `${use.missing} record${use.missing === 1 ? '' : 's'} reached this step`;
    const message = lost
      ? `${name}: no record has the field '${use.path}' (${what}; ${policy === 'skip' ? 'all were dropped' : 'none could be used'})`
      : `${name}: no record has the field '${use.path}' (${what}); is it misspelt?`;
    const path: PathSegment[] = ['transforms', index, name, ...this.#labelPath(index, name, use)];
    const at = name === 'rename' ? ({at: 'key'} as const) : {};
    (lost ? this.errors : this.warnings).push(
      this.#locator.diagnostic(lost ? 'error' : 'warning', 'data', path, message, {
        ...at,
        ...(hint ? {hint} : {}),
      }),
    );
  }

  /** The recipe path of a field use's label, under the step (rename and map may say `fields`). */
  #labelPath(index: number, name: string, use: FieldUse): PathSegment[] {
    if (name === 'rename' || name === 'map') {
      const long = this.#locator.has(['transforms', index, name, 'fields']);
      return long ? ['fields', use.label] : [use.label];
    }
    return parsePath(use.label) ?? [];
  }

  /**
   * A recipe that trains needs training examples: when the training split is empty, one error
   * names the step that took the last records away (or the split, when it placed them all
   * elsewhere).
   */
  trainingSplit(
    summaries: readonly TransformSummary[],
    examples: Readonly<Record<string, number>>,
    records: number,
  ): void {
    if ((examples.train ?? 0) > 0 || this.#recipe.targets.length === 0) return;
    const targets = this.#recipe.targets.map((t) => `train:${t.name}`).join(', ');
    const index = summaries.findIndex((s) => s.in > 0 && s.out === 0);
    if (index === -1) {
      const split = this.#recipe.transforms.findIndex((t) => 'split' in t);
      const path: PathSegment[] = split === -1 ? ['sources'] : ['transforms', split, 'split'];
      this.errors.push(
        this.#locator.diagnostic(
          'error',
          'data',
          path,
          split === -1
            ? `the training split is empty (${records} records read), and ${targets} trains on it`
            : `the training split is empty: split placed all ${summaries[split]?.out ?? 0} examples in validation or test, and ${targets} trains on it`,
          {at: 'key'},
        ),
      );
      return;
    }
    const step = this.#recipe.transforms[index]!;
    const name = Object.keys(step)[0]!;
    const summary = summaries[index]!;
    const reasons = Object.entries(summary.dropped ?? {})
      .filter(([, n]) => n > 0)
      .map(([reason, n]) => `${reason}: ${n}`)
      .join(', ');
    this.errors.push(
      this.#locator.diagnostic(
        'error',
        'data',
        ['transforms', index, name],
        `the training split is empty: ${name} (transforms[${index}]) dropped all ${summary.in} records that reached it${reasons ? ` (${reasons})` : ''}, and ${targets} trains on it`,
        {at: 'key'},
      ),
    );
  }
}
