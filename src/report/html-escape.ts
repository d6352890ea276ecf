/** Text as HTML text or a quoted attribute value: every character that could open markup or end a quote. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * A value as JSON to put inside `<script type="application/json">`: every `<` is written `\u003c`,
 * so no string can close the element (`</script>`) or open a comment (`<!--`), and U+2028/U+2029
 * are escaped as well. JSON.parse reads it back unchanged.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}
