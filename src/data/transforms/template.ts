import type {NormalizedTransform} from '../../recipe/normalized.js';
import type {Example} from '../records/example.js';
import {getPath} from '../records/fields.js';
import {type CompiledTemplate, compileTemplate, fillTemplate} from './fill-template.js';
import {MissingFields} from './missing-fields.js';
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
 * `assistant`). An optional `system` message comes first. A missing or null field is an error
 * at the record's line (missing-fields.ts counts them, so that a field no record has is one
 * error at the step).
 */
export function templateTransform(
  options: TemplateOptions,
  ctx: TransformContext,
  index = 0,
): TransformStep {
  let seen = 0;
  let out = 0;
  const missing = new MissingFields('template', index, 'error', () => ctx.problems, false);
  // Every template is compiled once, here, not per record.
  const system = options.system === undefined ? undefined : compileTemplate(options.system);
  const user = compileTemplate(options.user ?? '');
  const assistant = compileTemplate(options.assistant ?? '');
  const fixed = options.messages?.map((m, k) => ({
    ...m,
    label: `messages[${k}].content`,
    compiled: compileTemplate(m.content),
  }));
  /** The messages, or undefined when a field is missing (reported) or turns is not a list. */
  const build = (example: Example): Message[] | string | undefined => {
    const {record} = example;
    const messages: Message[] = [];
    const add = (
      label: string,
      role: string,
      template: CompiledTemplate,
      scope: unknown,
      weight?: 0 | 1,
    ): boolean => {
      const filled = fillTemplate(template, scope, record);
      if (!filled.ok) {
        missing.check(example, label, filled.field, filled.value, {nullIsMissing: true});
        return false;
      }
      for (const f of template.fields) missing.check(example, label, f.name, true);
      messages.push(
        weight === undefined ? {content: filled.text, role} : {content: filled.text, role, weight},
      );
      return true;
    };
    if (fixed) {
      for (const m of fixed) if (!add(m.label, m.role, m.compiled, record, m.weight)) return;
      return messages;
    }
    if (system && !add('system', 'system', system, record)) return;
    const turns = options.turns === undefined ? [record] : getPath(record, options.turns);
    if (!Array.isArray(turns)) {
      return `template: field '${options.turns}' must be a list of turns, got ${turns === undefined ? 'nothing' : typeof turns}`;
    }
    for (const turn of turns) {
      if (!add('user', 'user', user, turn) || !add('assistant', 'assistant', assistant, turn))
        return;
    }
    return messages;
  };
  return {
    name: 'template',
    process(batch) {
      const kept: Example[] = [];
      for (const example of batch) {
        seen++;
        const result = build(example);
        if (result === undefined) continue;
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
      ...missing.summary(),
    }),
  };
}
