/**
 * The text that `normalized` and `near` dedupe compare: what a reader sees, not how it is
 * encoded or punctuated. Two records whose text differs only in Unicode form (NFKC: full-width
 * letters, ligatures, non-breaking spaces), case, punctuation, symbols or spacing compare equal.
 */

const PUNCTUATION_OR_SYMBOL = /[\p{P}\p{S}]+/gu;
const WHITESPACE = /\s+/gu;

/** NFKC, lowercased, punctuation (\p{P}) and symbols (\p{S}) removed, spaces collapsed, trimmed. */
export function normalizeText(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(PUNCTUATION_OR_SYMBOL, '')
    .replace(WHITESPACE, ' ')
    .trim();
}

/**
 * The string leaves of a value in canonical order (object keys sorted by UTF-16 code units, as
 * canonical JSON sorts them; arrays in order), so key order in the source never changes the text.
 * Numbers, booleans and null are not text and are skipped.
 */
export function stringLeaves(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const item of value) stringLeaves(item, out);
  else if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    for (const key of sortedKeys(record)) stringLeaves(record[key], out);
  }
  return out;
}

/**
 * Object.keys in UTF-16 code unit order, as canonical JSON sorts them; records have few keys, and
 * an insertion sort of those beats Array#sort's setup.
 */
function sortedKeys(record: Record<string, unknown>): string[] {
  const keys = Object.keys(record);
  if (keys.length > 16) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i]!;
    let j = i - 1;
    while (j >= 0 && keys[j]! > key) {
      keys[j + 1] = keys[j]!;
      j--;
    }
    keys[j + 1] = key;
  }
  return keys;
}

/** The normalized text of a value: its string leaves joined with '\n', then normalized. */
export function normalizedTextOf(value: unknown): string {
  return normalizeText(stringLeaves(value).join('\n'));
}
