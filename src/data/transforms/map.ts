import type {MissingPolicy} from '../../recipe/normalized.js';
import type {Example} from '../records/example.js';
import {deletePath, setPath} from '../records/fields.js';
import {compileTemplate, fillTemplate} from './fill-template.js';
import {MissingFields} from './missing-fields.js';
import type {TransformContext, TransformStep} from './transform.js';

/**
 * Sets fields from templates over the record (`{text: "{{title}}: {{body}}"}`) or removes them
 * (`{field: null}`). All templates read the record as it was before this step. A record without
 * a field a template reads (or with it null) is handled by `missing` (missing-fields.ts): an
 * error, dropped, or passed with that field left as it was (`keep`).
 */
export function mapTransform(
  options: {
    readonly fields: Readonly<Record<string, string | null>>;
    readonly missing: MissingPolicy;
  },
  ctx: TransformContext,
  index = 0,
): TransformStep {
  const pairs = Object.entries(options.fields).map(([field, template]) => ({
    field,
    template: template === null ? null : compileTemplate(template),
  }));
  const missing = new MissingFields('map', index, options.missing, () => ctx.problems);
  let seen = 0;
  let out = 0;
  return {
    name: 'map',
    process(batch) {
      const kept: Example[] = [];
      next: for (const example of batch) {
        seen++;
        /** Per field: its new text, null to remove it, undefined to leave it (keep). */
        const values: (string | null | undefined)[] = [];
        for (const {field, template} of pairs) {
          if (template === null) {
            values.push(null);
            continue;
          }
          const filled = fillTemplate(template, example.record);
          if (filled.ok) {
            for (const f of template.fields) missing.check(example, field, f.name, true);
            values.push(filled.text);
            continue;
          }
          const outcome = missing.check(example, field, filled.field, filled.value, {
            nullIsMissing: true,
          });
          if (outcome === 'drop') continue next;
          values.push(undefined);
        }
        pairs.forEach(({field}, i) => {
          const value = values[i];
          if (value === null) deletePath(example.record, field);
          else if (value !== undefined) setPath(example.record, field, value);
        });
        kept.push(example);
      }
      out += kept.length;
      return kept;
    },
    summary: () => ({in: seen, out, ...missing.droppedField(), ...missing.summary()}),
  };
}
