import type {NormalizedTransform} from '../../recipe/normalized.js';
import type {Example} from '../records/example.js';
import {getPath} from '../records/fields.js';
import {fillTemplate, missingMessage} from './fill-template.js';
import type {TransformContext, TransformStep} from './transform.js';

type TemplateOptions = Extract<NormalizedTransform, {template: unknown}>['template'];

interface Message {
  role: string;
  content: string;
  weight?: 0 | 1;
}

/**
 * Fills message templates from record fields and replaces the record with an OpenAI chat
 * example `{messages: [...]}`: one turn (`user` + `assistant`), a fixed conversation
 * (`messages`), or a thread from a list field (`turns`, each item filling `user` and
 * `assistant`). An optional `system` message comes first. A missing field is an error at the
 * record's line.
 */
export function templateTransform(options: TemplateOptions, ctx: TransformContext): TransformStep {
  let seen = 0;
  let out = 0;
  const build = (record: Record<string, unknown>): Message[] | string => {
    const messages: Message[] = [];
    const add = (role: string, template: string, scope: unknown, weight?: 0 | 1) => {
      const filled = fillTemplate(template, scope, record);
      if (!filled.ok) return missingMessage('template', filled, `the ${role} message`);
      messages.push(
        weight === undefined ? {role, content: filled.text} : {role, content: filled.text, weight},
      );
      return undefined;
    };
    if (options.messages) {
      for (const m of options.messages) {
        const problem = add(m.role, m.content, record, m.weight);
        if (problem) return problem;
      }
      return messages;
    }
    if (options.system !== undefined) {
      const problem = add('system', options.system, record);
      if (problem) return problem;
    }
    const turns = options.turns === undefined ? [record] : getPath(record, options.turns);
    if (!Array.isArray(turns)) {
      return `template: field '${options.turns}' must be a list of turns, got ${turns === undefined ? 'nothing' : typeof turns}`;
    }
    for (const turn of turns) {
      for (const role of ['user', 'assistant'] as const) {
        const problem = add(role, options[role]!, turn);
        if (problem) return problem;
      }
    }
    return messages;
  };
  return {
    name: 'template',
    process(batch) {
      const kept: Example[] = [];
      for (const example of batch) {
        seen++;
        const result = build(example.record);
        if (typeof result === 'string') {
          ctx.problems.add(example.origin, result, 1, undefined, 'template field missing');
          continue;
        }
        example.record = {messages: result};
        kept.push(example);
      }
      out += kept.length;
      return kept;
    },
    summary: () => ({
      in: seen,
      out,
      ...(seen > out ? {dropped: {'template field missing': seen - out}} : {}),
    }),
  };
}
