import type {Diagnostic} from '../core/diagnostic.js';

/**
 * Renders a diagnostic the way compilers do, so editors and CI problem matchers pick it up:
 *
 *   finetune.yaml:9:5: error: unknown key 'bogus' in sources.qa
 *      9 |     bogus: 1
 *        |     ^^^^^
 *        = hint: did you mean 'path'?
 */
export function formatDiagnostic(d: Diagnostic, options: {color?: boolean} = {}): string {
  const paint = (code: string, text: string) =>
    options.color ? `\u001b[${code}m${text}\u001b[0m` : text;
  const label = d.severity === 'error' ? paint('1;31', 'error') : paint('1;33', 'warning');
  const loc = d.location;
  const head = loc ? `${loc.file}:${loc.line}:${loc.col}: ` : 'ft: ';
  const lines = [`${head}${label}: ${d.message}`];
  if (loc?.sourceLine !== undefined) {
    const gutter = String(loc.line).length;
    const pad = ' '.repeat(gutter);
    const visible = expandTabs(loc.sourceLine);
    const caretStart = expandTabs(loc.sourceLine.slice(0, loc.col - 1)).length;
    const width = Math.max(1, (loc.endCol ?? loc.col + 1) - loc.col);
    lines.push(`  ${loc.line} | ${visible}`);
    lines.push(`  ${pad} | ${' '.repeat(caretStart)}${paint('1;31', '^'.repeat(width))}`);
    if (d.hint) lines.push(`  ${pad} = hint: ${d.hint}`);
  } else if (d.hint) {
    lines.push(`  = hint: ${d.hint}`);
  }
  return lines.join('\n');
}

function expandTabs(text: string): string {
  return text.replaceAll('\t', '    ');
}
