import {PLACEHOLDER} from '../../recipe/template-syntax.js';
import {asText} from '../records/fields.js';

/** What a template produced: the text, or the field that was missing. */
export type Filled = {ok: true; text: string} | {ok: false; field: string; value: null | undefined};

/** A template split once into literal text and field reads, so filling it is a loop. */
export interface CompiledTemplate {
  readonly literals: readonly string[];
  /** Field paths as segments; `root` when written `{{$.x}}` (read from the whole record). */
  readonly fields: readonly {
    readonly path: readonly string[];
    readonly name: string;
    readonly root: boolean;
  }[];
}

export function compileTemplate(template: string): CompiledTemplate {
  const literals: string[] = [];
  const fields: {path: string[]; name: string; root: boolean}[] = [];
  let last = 0;
  for (const m of template.matchAll(PLACEHOLDER)) {
    literals.push(template.slice(last, m.index));
    const name = m[1]!;
    const root = name.startsWith('$.');
    fields.push({path: (root ? name.slice(2) : name).split('.'), name, root});
    last = m.index + m[0].length;
  }
  literals.push(template.slice(last));
  return {literals, fields};
}

/**
 * Fills `{{field}}` placeholders from `scope` (`{{$.x}}` from `root`). Strings go in as they
 * are, numbers and booleans as text, objects and lists as canonical JSON. A missing or null
 * field is reported, never silently empty: an empty message would train on nothing.
 */
export function fillTemplate(
  template: string | CompiledTemplate,
  scope: unknown,
  root: unknown = scope,
): Filled {
  const compiled = typeof template === 'string' ? compileTemplate(template) : template;
  let text = compiled.literals[0]!;
  for (let i = 0; i < compiled.fields.length; i++) {
    const field = compiled.fields[i]!;
    const value = readField(field, scope, root);
    if (value === undefined || value === null) return {ok: false, field: field.name, value};
    text += (typeof value === 'string' ? value : asText(value)) + compiled.literals[i + 1]!;
  }
  return {ok: true, text};
}

/** A placeholder's value in `scope` (or `root` for `{{$.x}}`); undefined where there is none. */
export function readField(
  field: CompiledTemplate['fields'][number],
  scope: unknown,
  root: unknown,
): unknown {
  let value: unknown = field.root ? root : scope;
  for (const part of field.path) {
    // Own fields only, as everywhere fields are read (records/fields.ts).
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, part))
      return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

export function missingMessage(
  step: string,
  filled: Extract<Filled, {ok: false}>,
  where: string,
): string {
  return `${step}: field '${filled.field}' is ${filled.value === null ? 'null' : 'missing'} (used by ${where})`;
}
