/**
 * The one path syntax of ft, shared by `--set <path>=<value>`, `why` entries and `ft explain`:
 * dot-separated keys, `[n]` for list indices, `["..."]` for keys that are not plain names.
 * Examples: `transforms[1].split.validation`, `sources.qa`, `sources.qa.files["data/qa.jsonl"]`.
 */
export type PathSegment = string | number;

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

export function formatPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (PLAIN_KEY.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** Parses a path; returns undefined when it is not well formed. */
export function parsePath(text: string): PathSegment[] | undefined {
  const segments: PathSegment[] = [];
  let i = 0;
  const plain = /[A-Za-z_][A-Za-z0-9_-]*/y;
  while (i < text.length) {
    if (text[i] === '[') {
      const close = text[i + 1] === '"' ? findStringEnd(text, i + 1) : text.indexOf(']', i);
      if (close === -1) return undefined;
      if (text[i + 1] === '"') {
        if (text[close + 1] !== ']') return undefined;
        try {
          segments.push(JSON.parse(text.slice(i + 1, close + 1)) as string);
        } catch {
          return undefined;
        }
        i = close + 2;
      } else {
        const digits = text.slice(i + 1, close);
        if (!/^\d+$/.test(digits)) return undefined;
        segments.push(Number(digits));
        i = close + 1;
      }
    } else {
      if (segments.length > 0) {
        if (text[i] !== '.') return undefined;
        i++;
      }
      plain.lastIndex = i;
      const m = plain.exec(text);
      if (!m) return undefined;
      segments.push(m[0]);
      i += m[0].length;
    }
  }
  return segments.length > 0 ? segments : undefined;
}

/** Index of the closing quote of the JSON string starting at `start`, or -1. */
function findStringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return -1;
}
