import {describe, expect, it} from 'vitest';
import {formatPath, parsePath} from '../../../src/core/path-syntax.js';

describe('the path syntax of --set, why and explain', () => {
  it('formats and parses back', () => {
    const cases: [string, (string | number)[]][] = [
      ['transforms[1].split.validation', ['transforms', 1, 'split', 'validation']],
      ['sources.qa', ['sources', 'qa']],
      ['sources.qa.files["data/qa.jsonl"]', ['sources', 'qa', 'files', 'data/qa.jsonl']],
      ['targets.my-target.backend', ['targets', 'my-target', 'backend']],
      ['a["with \\"quote\\""]', ['a', 'with "quote"']],
    ];
    for (const [text, segments] of cases) {
      expect(formatPath(segments)).toBe(text);
      expect(parsePath(text)).toEqual(segments);
    }
  });

  it('rejects malformed paths', () => {
    for (const bad of ['', 'a.', 'a[x]', 'a[1', '.a', 'a..b', 'a["x"', '1a', 'a b']) {
      expect(parsePath(bad)).toBeUndefined();
    }
  });
});
