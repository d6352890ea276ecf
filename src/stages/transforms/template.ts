import {canonicalJson} from '../../core/canonical-json.js';
import {PLACEHOLDER} from '../../recipe/template-syntax.js';
import type {Example} from '../records/example.js';
import type {TransformContext, TransformStep} from './transform.js';

export interface TemplateOptions {
  readonly system?: string;
  readonly user: string;
  readonly assistant: string;
}

/**
 * Fills message templates from record fields and replaces the record with an OpenAI chat example
 * `{messages: [system?, user, assistant]}`. Field values: strings as they are, numbers and
 * booleans as text, objects and lists as canonical JSON; a missing or null field is an error at
 * the record's line (a silently empty message would train the model on nothing).
 */
export function templateTransform(options: TemplateOptions, ctx: TransformContext): TransformStep {
  const roles: ['system' | 'user' | 'assistant', string][] = [];
  if (options.system !== undefined) roles.push(['system', options.system]);
  roles.push(['user', options.user], ['assistant', options.assistant]);
  let seen = 0;
  let dropped = 0;
  return {
    name: 'template',
    process(batch) {
      const out: Example[] = [];
      for (const example of batch) {
        seen++;
        const messages: {role: string; content: string}[] = [];
        let bad = false;
        for (const [role, template] of roles) {
          const content = template.replace(PLACEHOLDER, (_, field: string) => {
            const value = lookup(example.record, field);
            if (value === undefined || value === null) {
              if (!bad) {
                ctx.problems.add(
                  example.origin,
                  `template: field '${field}' is ${value === null ? 'null' : 'missing'} (used by the ${role} message)`,
                );
              }
              bad = true;
              return '';
            }
            return typeof value === 'string'
              ? value
              : typeof value === 'object'
                ? canonicalJson(value)
                : String(value);
          });
          messages.push({role, content});
        }
        if (bad) dropped++;
        else {
          example.record = {messages};
          out.push(example);
        }
      }
      return out;
    },
    summary: () => ({in: seen, out: seen - dropped}),
  };
}

function lookup(record: Record<string, unknown>, path: string): unknown {
  let value: unknown = record;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}
