import type {Example} from '../records/example.js';
import {toTrainingExample} from '../records/formats.js';
import {fillTemplate, missingMessage} from './fill-template.js';
import type {TransformContext, TransformStep} from './transform.js';

/**
 * Sets the system message of chat examples (other recognised formats are normalized to chat
 * first): inserts one at the start where there is none, replaces the first one otherwise
 * unless `overwrite` is false. The content is a template over the record's fields.
 */
export function systemTransform(
  options: {readonly content: string; readonly overwrite: boolean},
  ctx: TransformContext,
): TransformStep {
  const counts = {in: 0, out: 0, inserted: 0, replaced: 0, kept: 0};
  return {
    name: 'system',
    process(batch) {
      const out: Example[] = [];
      for (const example of batch) {
        counts.in++;
        const filled = fillTemplate(options.content, example.record);
        if (!filled.ok) {
          ctx.problems.add(example.origin, missingMessage('system', filled, 'the system message'));
          continue;
        }
        const normal = toTrainingExample(example.record);
        if (!Array.isArray(normal.messages)) {
          ctx.problems.add(
            example.origin,
            'system: the record is not a chat example (no messages)',
          );
          continue;
        }
        const messages = [...(normal.messages as Record<string, unknown>[])];
        const at = messages.findIndex((m) => m?.role === 'system');
        if (at === -1) {
          messages.unshift({role: 'system', content: filled.text});
          counts.inserted++;
        } else if (options.overwrite) {
          messages[at] = {...messages[at], content: filled.text};
          counts.replaced++;
        } else counts.kept++;
        example.record = {...normal, messages};
        out.push(example);
      }
      counts.out += out.length;
      return out;
    },
    summary: () => ({...counts}),
  };
}
