/** One run of a word diff: `=` in both, `+` only in the output, `-` only in the reference. */
export interface DiffPart {
  readonly op: '=' | '+' | '-';
  readonly text: string;
}

/**
 * A word-level diff of an output against its reference: the longest common subsequence of their
 * whitespace-separated words, each word carrying the whitespace after it. Equal prefixes and
 * suffixes are cut first. Where a run ends with a text's last word (no whitespace after it) and
 * another run follows, a space is added between them, so the words stay apart. When what remains would need a table over `maxCells` cells (two long
 * texts with little in common) the middle is one deletion and one insertion instead.
 *
 * report.html diffs in the browser, row by row as rows are drawn, so this function's source is
 * embedded in the page (`wordDiff.toString()`): it must stay self-contained, with no imports or
 * helpers from outside its body, and in the JavaScript that browsers run.
 */
export function wordDiff(reference: string, output: string, maxCells = 4_000_000): DiffPart[] {
  const words = (text: string) => text.match(/\S+\s*|^\s+/g) ?? [];
  const a = words(reference);
  const b = words(output);
  const same = (x: string, y: string) => x.trimEnd() === y.trimEnd();
  let start = 0;
  while (start < a.length && start < b.length && same(a[start]!, b[start]!)) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && same(a[endA - 1]!, b[endB - 1]!)) {
    endA--;
    endB--;
  }
  const parts: DiffPart[] = [];
  const push = (op: DiffPart['op'], text: string) => {
    const last = parts[parts.length - 1];
    if (last !== undefined && last.op === op)
      parts[parts.length - 1] = {op, text: last.text + text};
    else {
      // The last word of a text has no whitespace after it: keep it apart from the next run.
      if (last !== undefined && !/\s$/.test(last.text))
        parts[parts.length - 1] = {op: last.op, text: `${last.text} `};
      parts.push({op, text});
    }
  };
  for (let i = 0; i < start; i++) push('=', b[i]!);
  const n = endA - start;
  const m = endB - start;
  if (n * m > maxCells) {
    for (let i = start; i < endA; i++) push('-', a[i]!);
    for (let j = start; j < endB; j++) push('+', b[j]!);
  } else {
    // lcs[i * (m + 1) + j]: the LCS length of a[start + i ..] and b[start + j ..].
    const lcs = new Uint32Array((n + 1) * (m + 1));
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        lcs[i * (m + 1) + j] = same(a[start + i]!, b[start + j]!)
          ? lcs[(i + 1) * (m + 1) + j + 1]! + 1
          : Math.max(lcs[(i + 1) * (m + 1) + j]!, lcs[i * (m + 1) + j + 1]!);
      }
    }
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && same(a[start + i]!, b[start + j]!)) {
        push('=', b[start + j]!);
        i++;
        j++;
      } else if (i < n && (j === m || lcs[(i + 1) * (m + 1) + j]! >= lcs[i * (m + 1) + j + 1]!)) {
        push('-', a[start + i]!);
        i++;
      } else {
        push('+', b[start + j]!);
        j++;
      }
    }
  }
  for (let j = endB; j < b.length; j++) push('=', b[j]!);
  return parts;
}
