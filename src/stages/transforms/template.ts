import type {NormalizedTransform} from '../../recipe/normalized.js';
import type {Example} from '../records/example.js';
import {getPath} from '../records/fields.js';
import {
  type CompiledTemplate,
  compileTemplate,
  fillTemplate,
  missingMessage,
} from './fill-template.js';
import type {TransformContext, TransformStep} from './transform.js';

type TemplateOptions = Extract<NormalizedTransform, {template: unknown}>['template'];

/** Keys in canonical (sorted) order, so writing the example needs no re-ordering copy. */
interface Message {
  content: string;
  role: string;
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
  // Every template is compiled once, here, not per record.
  const system = options.system === undefined ? undefined : compileTemplate(options.system);
  const user = compileTemplate(options.user ?? '');
  const assistant = compileTemplate(options.assistant ?? '');
  const fixed = options.messages?.map((m) => ({...m, compiled: compileTemplate(m.content)}));
  const build = (record: Record<string, unknown>): Message[] | string => {
    const messages: Message[] = [];
    const add = (role: string, template: CompiledTemplate, scope: unknown, weight?: 0 | 1) => {
      const filled = fillTemplate(template, scope, record);
      if (!filled.ok) return missingMessage('template', filled, `the ${role} message`);
      messages.push(
        weight === undefined ? {content: filled.text, role} : {content: filled.text, role, weight},
      );
      return undefined;
    };
    if (fixed) {
      for (const m of fixed) {
        const problem = add(m.role, m.compiled, record, m.weight);
        if (problem) return problem;
      }
      return messages;
    }
    if (system) {
      const problem = add('system', system, record);
      if (problem) return problem;
    }
    const turns = options.turns === undefined ? [record] : getPath(record, options.turns);
    if (!Array.isArray(turns)) {
      return `template: field '${options.turns}' must be a list of turns, got ${turns === undefined ? 'nothing' : typeof turns}`;
    }
    for (const turn of turns) {
      const problem = add('user', user, turn) ?? add('assistant', assistant, turn);
      if (problem) return problem;
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
