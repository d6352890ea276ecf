import type {Example} from '../records/example.js';
import {deletePath, setPath} from '../records/fields.js';
import {fillTemplate, missingMessage} from './fill-template.js';
import type {TransformContext, TransformStep} from './transform.js';

/**
 * Sets fields from templates over the record (`{text: "{{title}}: {{body}}"}`) or removes them
 * (`{field: null}`). All templates read the record as it was before this step.
 */
export function mapTransform(
  mapping: Readonly<Record<string, string | null>>,
  ctx: TransformContext,
): TransformStep {
  const pairs = Object.entries(mapping);
  let seen = 0;
  let out = 0;
  return {
    name: 'map',
    process(batch) {
      const kept: Example[] = [];
      next: for (const example of batch) {
        seen++;
        const values: (string | null)[] = [];
        for (const [field, template] of pairs) {
          if (template === null) {
            values.push(null);
            continue;
          }
          const filled = fillTemplate(template, example.record);
          if (!filled.ok) {
            ctx.problems.add(example.origin, missingMessage('map', filled, `field '${field}'`));
            continue next;
          }
          values.push(filled.text);
        }
        pairs.forEach(([field], i) => {
          const value = values[i];
          if (value === null || value === undefined) deletePath(example.record, field);
          else setPath(example.record, field, value);
        });
        kept.push(example);
      }
      out += kept.length;
      return kept;
    },
    summary: () => ({in: seen, out}),
  };
}
