/**
 * The value at a dotted field path (`meta.lang`, `messages.0.content`), or undefined where the
 * path leaves the record. Path parts index arrays too, as the digits are array keys.
 */
export function valueAtPath(record: unknown, path: string): unknown {
  let value: unknown = record;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    if (!Object.hasOwn(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}
