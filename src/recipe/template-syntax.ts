/**
 * `{{field}}` placeholders in templates. A field is a dotted path into the record
 * (`{{meta.lang}}`); inside a `turns` template, `{{$.x}}` reads the record's field x instead of
 * the turn's. Spaces inside the braces are allowed. There is no escaping: a template that needs
 * literal braces can take them from a field.
 */
export const PLACEHOLDER = /\{\{\s*((?:\$\.)?[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*)\s*\}\}/g;

/** Describes the first malformed placeholder, or undefined when the template is well formed. */
export function findTemplateProblem(template: string): string | undefined {
  const stripped = template.replace(PLACEHOLDER, '');
  const open = stripped.indexOf('{{');
  if (open !== -1) {
    const fragment = stripped.slice(open, open + 20);
    return `malformed placeholder near '${fragment}': write {{field}} or {{a.b}}`;
  }
  return undefined;
}
