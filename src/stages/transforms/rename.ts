import {deletePath, getPath, setPath} from '../records/fields.js';
import type {TransformStep} from './transform.js';

/**
 * Renames fields (`{old: new}`, dotted paths). Records without the old field pass unchanged and
 * are counted, since mixed sources often lack some fields.
 */
export function renameTransform(mapping: Readonly<Record<string, string>>): TransformStep {
  const pairs = Object.entries(mapping);
  const counts = {in: 0, out: 0, missing: {} as Record<string, number>};
  return {
    name: 'rename',
    process(batch) {
      for (const {record} of batch) {
        counts.in++;
        // Read every old value first, so {a: b, b: a} swaps.
        const values = pairs.map(([from]) => getPath(record, from));
        pairs.forEach(([from], i) => {
          if (values[i] === undefined) counts.missing[from] = (counts.missing[from] ?? 0) + 1;
          else deletePath(record, from);
        });
        pairs.forEach(([, to], i) => {
          if (values[i] !== undefined) setPath(record, to, values[i]);
        });
      }
      counts.out += batch.length;
      return batch;
    },
    summary: () => ({...counts}),
  };
}
