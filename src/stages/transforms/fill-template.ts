import {PLACEHOLDER} from '../../recipe/template-syntax.js';
import {asText, getPath} from '../records/fields.js';

/** What a placeholder read: the text, or the field that was missing. */
export type Filled = {ok: true; text: string} | {ok: false; field: string; value: null | undefined};

/**
 * Fills `{{field}}` placeholders from `scope` (`{{$.x}}` from `root`). Strings go in as they
 * are, numbers and booleans as text, objects and lists as canonical JSON. A missing or null
 * field is reported, never silently empty: an empty message would train on nothing.
 */
export function fillTemplate(template: string, scope: unknown, root: unknown = scope): Filled {
  let missing: {field: string; value: null | undefined} | undefined;
  const text = template.replace(PLACEHOLDER, (_, field: string) => {
    const value = field.startsWith('$.') ? getPath(root, field.slice(2)) : getPath(scope, field);
    if (value === undefined || value === null) {
      missing ??= {field, value: value as null | undefined};
      return '';
    }
    return asText(value);
  });
  return missing ? {ok: false, ...missing} : {ok: true, text};
}

export function missingMessage(
  step: string,
  filled: Extract<Filled, {ok: false}>,
  where: string,
): string {
  return `${step}: field '${filled.field}' is ${filled.value === null ? 'null' : 'missing'} (used by ${where})`;
}
