import {describe, expect, it} from 'vitest';
import {
  explainJsonError,
  jsonSyntaxErrorOffset,
} from '../../../../src/data/records/json-syntax-error.js';
import {random} from '../../../helpers/random.js';

/** What JSON.parse threw for `text`, or undefined when it parsed. */
function parseError(text: string): Error | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch (e) {
    return e as Error;
  }
}

/** explainJsonError for `text`, which must be invalid JSON. */
function explain(text: string) {
  const e = parseError(text);
  if (!e) throw new Error(`valid JSON: ${text}`);
  return explainJsonError(e, text);
}

describe('the column of a JSON syntax error', () => {
  it('is where parsing failed even when V8 gives no position', () => {
    // V8: `Unexpected token '}', "{"a": tru}" is not valid JSON`: no position.
    expect(explain('{"a": tru}')).toEqual({message: "Unexpected token '}'", offset: 9});
    expect(explain('{"a": nul, "b": 1}')).toEqual({message: "Unexpected token ','", offset: 9});
    expect(explain('{"a": NaN}')).toEqual({message: "Unexpected token 'N'", offset: 6});
    expect(explain('[1,]')).toEqual({message: "Unexpected token ']'", offset: 3});
    expect(explain('{"a": [1, 2], "b": {"c": fals}}')).toMatchObject({offset: 29});
    // A character outside the BMP is two UTF-16 units: the offset counts both, as V8's do,
    // and the message names the whole character where V8 names half of it.
    expect(explain('{"😀": x}')).toEqual({message: "Unexpected token 'x'", offset: 7});
    expect(explain('{"a": 😀}')).toEqual({message: "Unexpected token '😀'", offset: 6});
    // Invisible characters are named as escapes.
    expect(explain('\ufeff{}')).toEqual({message: "Unexpected token '\\ufeff'", offset: 0});
    expect(explain('{"a": \u0001}')).toEqual({message: "Unexpected token '\\u0001'", offset: 6});
    // The text ends too early: the offset is its length.
    expect(explain('{"a": tr')).toEqual({message: 'Unexpected end of JSON input', offset: 8});
  });

  it("is V8's where V8 gives one, with the position left out of the message", () => {
    expect(explain('{"a": 1,}')).toEqual({
      message: 'Expected double-quoted property name',
      offset: 8,
    });
    expect(explain('{"a": 1} x')).toEqual({
      message: 'Unexpected non-whitespace character after JSON',
      offset: 9,
    });
    expect(explain('{"a": "\\q"}')).toEqual({message: 'Bad escaped character', offset: 8});
  });

  it('is relative to the start of the slice that was parsed', () => {
    const text = 'xx{"a": tru}yy';
    expect(jsonSyntaxErrorOffset(text, 2, 12)).toBe(11);
    const e = parseError(text.slice(2, 12));
    expect(explainJsonError(e, text, 2, 12)).toEqual({message: "Unexpected token '}'", offset: 9});
  });

  it('is -1 for valid JSON, however deeply nested', () => {
    for (const valid of [
      '{}',
      ' [ ] ',
      '0',
      '-0.5e+10',
      '"\\u00e9\\n"',
      '{"a":[true,false,null]}',
    ]) {
      expect(jsonSyntaxErrorOffset(valid)).toBe(-1);
    }
    const depth = 200_000;
    expect(jsonSyntaxErrorOffset(`${'['.repeat(depth)}${']'.repeat(depth)}`)).toBe(-1);
    expect(jsonSyntaxErrorOffset(`${'[{"a":'.repeat(depth)}1`)).toBe(depth * 6 + 1);
  });

  it("agrees with V8 on every mutation of valid JSON: V8's position, the token it names, or the end", () => {
    const next = random(20260406);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
    const pieces = [
      ...'{}[]":, \t\\u019-+.eEtrueflsn',
      'x',
      '\u0001',
      '😀',
      '\ud83d',
      'é',
      '\ufeff',
      'true',
      '"k"',
      '\\u00e9',
    ];
    const seeds = [
      '{"a": true, "b": [1, 2.5e-3, {"c": null}], "d": "x\\"y\\u00e9"}',
      '{"prompt": "hi 😀", "response": "there", "n": -0.25E+2}',
      '[1, [2, [3, []]], {}, false]',
    ];
    const seen = {valid: 0, position: 0, token: 0, end: 0};
    for (let n = 0; n < 20_000; n++) {
      let text = pick(seeds);
      for (let edits = 1 + Math.floor(next() * 3); edits > 0; edits--) {
        const at = Math.floor(next() * (text.length + 1));
        // Delete, insert or replace at `at`.
        const kind = next();
        const cut = kind < 0.4 || kind >= 0.7 ? 1 : 0;
        const put = kind < 0.4 ? '' : pick(pieces);
        text = text.slice(0, at) + put + text.slice(at + cut);
      }
      // Some texts end early (a truncated line).
      if (next() < 0.1) text = text.slice(0, Math.floor(next() * text.length));
      const offset = jsonSyntaxErrorOffset(text);
      const e = parseError(text);
      if (!e) {
        seen.valid++;
        expect(offset, text).toBe(-1);
        continue;
      }
      const position = / at position (\d+)/.exec(e.message);
      const token = /^Unexpected token '(.)', /s.exec(e.message);
      if (position) {
        seen.position++;
        expect(offset, `${text}: ${e.message}`).toBe(Number(position[1]));
      } else if (token) {
        seen.token++;
        expect(text[offset], `${text}: ${e.message}`).toBe(token[1]);
      } else {
        seen.end++;
        expect(e.message).toBe('Unexpected end of JSON input');
        expect(offset, text).toBe(text.length);
      }
      expect(explainJsonError(e, text).offset).toBe(offset);
    }
    // Every kind of answer was met many times.
    for (const count of Object.values(seen)) expect(count).toBeGreaterThan(100);
  });
});
