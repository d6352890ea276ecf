import {describe, expect, it} from 'vitest';
import {formatDiagnostic} from '../../../src/console/diagnostic-printer.js';
import {locationInText} from '../../../src/core/diagnostic.js';

describe('formatDiagnostic', () => {
  it('draws file:line:col, the source line and carets under the span', () => {
    const text = 'version: 1\nsources:\n\tqa: {path: x}\n';
    const start = text.indexOf('qa');
    const d = {
      code: 'unknown-key' as const,
      severity: 'error' as const,
      message: "unknown key 'qa'",
      location: locationInText('f.yaml', text, start, start + 2),
      hint: 'did you mean q?',
    };
    expect(formatDiagnostic(d)).toBe(
      [
        "f.yaml:3:2: error: unknown key 'qa'",
        '  3 |     qa: {path: x}',
        '    |     ^^',
        '    = hint: did you mean q?',
      ].join('\n'),
    );
  });

  it('prints a message without a location, and colors only when asked', () => {
    const d = {code: 'usage' as const, severity: 'error' as const, message: 'no recipe'};
    expect(formatDiagnostic(d)).toBe('ft: error: no recipe');
    expect(formatDiagnostic(d, {color: true})).toBe('ft: \u001b[1;31merror\u001b[0m: no recipe');
  });

  it('locates spans on the last line of a file without a trailing newline', () => {
    const loc = locationInText('f', 'a\nbcd', 3, 4);
    expect(loc).toEqual({file: 'f', line: 2, col: 2, endCol: 3, sourceLine: 'bcd'});
  });
});
