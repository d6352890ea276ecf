import type {MissingPolicy} from '../../recipe/normalized.js';
import type {Example} from '../records/example.js';
import {deletePath, getPath, setPath} from '../records/fields.js';
import {MissingFields} from './missing-fields.js';
import type {TransformContext, TransformStep} from './transform.js';

/**
 * Renames fields (`{old: new}`, dotted paths). A record without an old field is handled by
 * `missing` (missing-fields.ts): an error, dropped, or passed with that field not renamed
 * (`keep`, for sources whose records have different fields).
 */
export function renameTransform(
  options: {readonly fields: Readonly<Record<string, string>>; readonly missing: MissingPolicy},
  ctx: TransformContext,
  index = 0,
): TransformStep {
  const pairs = Object.entries(options.fields);
  const missing = new MissingFields('rename', index, options.missing, () => ctx.problems);
  // The recipe path of each old name: in the long form it sits under `fields`.
  const labels = pairs.map(([from]) => from);
  let seen = 0;
  let out = 0;
  return {
    name: 'rename',
    process(batch) {
      const kept: Example[] = [];
      next: for (const example of batch) {
        seen++;
        const {record} = example;
        // Read every old value first, so {a: b, b: a} swaps.
        const values = pairs.map(([from]) => getPath(record, from));
        for (let i = 0; i < pairs.length; i++) {
          if (missing.check(example, labels[i]!, pairs[i]![0], values[i]) === 'drop') continue next;
        }
        pairs.forEach(([from], i) => {
          if (values[i] !== undefined) deletePath(record, from);
        });
        pairs.forEach(([, to], i) => {
          if (values[i] !== undefined) setPath(record, to, values[i]);
        });
        kept.push(example);
      }
      out += kept.length;
      return kept;
    },
    summary: () => ({in: seen, out, ...missing.droppedField(), ...missing.summary()}),
  };
}
