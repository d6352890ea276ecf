import {describe, expect, it} from 'vitest';
import {canonicalJson} from '../../../src/core/canonical-json.js';
import {
  ABSENT,
  ESCAPED,
  JsonFieldScanner,
  OTHER,
  PLAIN,
} from '../../../src/stages/records/json-field-scanner.js';
import {templateTransform} from '../../../src/stages/transforms/template.js';
import {TemplateSplicer} from '../../../src/stages/transforms/template-splice.js';
import {context, examples, random} from '../transforms/helpers.js';

/** What JSON.parse makes of a line: the object, or undefined when it throws or is no object. */
function parsed(line: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(line);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Random lines near JSON: fragments glued together, so many are valid and many are not. */
function nearJsonLines(count: number): string[] {
  const next = random(7);
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
  const strings = [
    '"a"',
    '"q"',
    '"plain text"',
    '"caf\u00e9 \u6771\u4eac"',
    '"tab\\there"',
    '"\\u001f"',
    '"\\u001F"',
    '"\\u0041"',
    '"\\/"',
    '"\\ud83d\\ude00"',
    '"\\ud800"',
    '"bad \\x escape"',
    '"raw\ttab"',
    '"\\"quoted\\""',
    '"unterminated',
    '""',
  ];
  const values = [
    ...strings,
    '0',
    '-0',
    '01',
    '1.5e+3',
    '1.',
    '.5',
    '-',
    '1e',
    'true',
    'false',
    'null',
    'nul',
    '[]',
    '[1,2]',
    '[1,]',
    '{}',
    '{"x":{"y":[null]}}',
    '{"x":1,}',
  ];
  const space = ['', ' ', '\t', '\r', ' \r'];
  const lines: string[] = [];
  for (let n = 0; n < count; n++) {
    const members: string[] = [];
    const size = Math.floor(next() * 4);
    for (let m = 0; m < size; m++) {
      const key = next() < 0.8 ? pick(['"a"', '"q"', '"b"', '"a\\u0062"']) : pick(values);
      members.push(`${pick(space)}${key}${pick(space)}:${pick(space)}${pick(values)}`);
    }
    let line = `${pick(space)}{${members.join(next() < 0.95 ? ',' : ' ')}}${pick(space)}`;
    if (next() < 0.05) line = line.slice(0, Math.floor(next() * line.length));
    if (next() < 0.03) line = `[${line}]`;
    lines.push(line);
  }
  return lines;
}

describe('the JSON field scanner', () => {
  it('accepts a line only when JSON.parse does, and reads the fields as JSON.parse does', () => {
    const scanner = new JsonFieldScanner(['a', 'q']);
    let accepted = 0;
    let rejectedValid = 0;
    for (const line of nearJsonLines(20000)) {
      const bytes = Buffer.from(line);
      const value = parsed(line);
      if (!scanner.scan(bytes, 0, bytes.length)) {
        if (value) rejectedValid++;
        continue;
      }
      accepted++;
      expect(value, line).toBeDefined();
      ['a', 'q'].forEach((name, k) => {
        const state = scanner.state[k];
        const field = value![name];
        if (state === ABSENT) expect(field, line).toBeUndefined();
        else if (state === OTHER) {
          if (typeof field === 'string') expect(JSON.stringify(field)).not.toBe(rawOf(k));
        } else {
          expect(typeof field, line).toBe('string');
          // PLAIN and ESCAPED text is exactly what JSON.stringify writes for the value.
          expect(rawOf(k), line).toBe(JSON.stringify(field).slice(1, -1));
          expect(state === PLAIN, line).toBe(!rawOf(k).includes('\\'));
        }
      });
      function rawOf(k: number) {
        return bytes.toString('utf8', scanner.start[k], scanner.end[k]);
      }
    }
    // The generator makes both kinds, and the scanner takes most valid lines.
    expect(accepted).toBeGreaterThan(2000);
    expect(rejectedValid).toBeLessThan(accepted);
  });

  it('lets the last of repeated keys win, like JSON.parse', () => {
    const scanner = new JsonFieldScanner(['a']);
    const line = Buffer.from('{"a": "first", "a": "second"}');
    expect(scanner.scan(line, 0, line.length)).toBe(true);
    expect(line.toString('utf8', scanner.start[0], scanner.end[0])).toBe('second');
    const other = Buffer.from('{"a": "first", "a": 2}');
    expect(scanner.scan(other, 0, other.length)).toBe(true);
    expect(scanner.state[0]).toBe(OTHER);
  });

  it('marks canonical escapes ESCAPED and refuses keys with escapes', () => {
    const scanner = new JsonFieldScanner(['a']);
    const escapedLine = Buffer.from('{"a":"x\\ny\\u0001\\"z"}');
    expect(scanner.scan(escapedLine, 0, escapedLine.length)).toBe(true);
    expect(scanner.state[0]).toBe(ESCAPED);
    const escapedKey = Buffer.from('{"\\u0061":"x"}');
    expect(scanner.scan(escapedKey, 0, escapedKey.length)).toBe(false);
  });
});

describe('the template splicer', () => {
  const cases: Record<string, unknown>[] = [
    {q: 'plain', a: 'answer'},
    {q: 'caf\u00e9 \u6771\u4eac \u{1f600}', a: 'quote " backslash \\ slash /'},
    {q: 'control \u0001\u001f\b\f\n\r\t', a: '\u2028\u2029\u007f'},
    {a: 'only a'},
    {q: 7, a: 'number'},
    {q: null, a: 'null'},
    {q: 'nested', a: 'x', meta: {deep: [1, {k: 'v'}]}},
  ];
  const lines = [
    ...cases.map((c) => JSON.stringify(c)),
    '{"q":"\\u0041 spelled out","a":"\\/"}',
    '{"q":"pair \\ud83d\\ude00","a":"lone \\ud800"}',
    '  {"q" : "spaced" , "a":"x" }\r',
    '{"q":"first","a":"x","q":"last"}',
  ];
  const templates = [
    {user: '{{q}}', assistant: '{{a}}'},
    {system: 'Say "hi" \u00e9 {{a}}', user: 'Q: {{q}}\n', assistant: '{{a}}{{a}}'},
    {
      messages: [
        {role: 'developer' as const, content: 'fixed'},
        {role: 'user' as const, content: '{{q}}'},
        {role: 'assistant' as const, content: '{{a}}', weight: 0 as const},
      ],
    },
  ];

  for (const options of templates) {
    it(`builds what the template step builds, byte for byte (${Object.keys(options).join(', ')})`, () => {
      const splicer = TemplateSplicer.for(options)!;
      expect(splicer).toBeDefined();
      let taken = 0;
      for (const line of lines) {
        const record = JSON.parse(line);
        const expected = templateTransform(options, context()).process(examples([record]));
        const bytes = Buffer.from(`${line}\n`);
        splicer.reuse();
        const example = splicer.line(bytes, 0, bytes.length - 1, {file: 't.jsonl', line: 1});
        if (!example) continue;
        taken++;
        const [want] = expected as {record: Record<string, unknown>}[];
        expect(want, line).toBeDefined();
        expect(example.record).toEqual(want!.record);
        expect(Buffer.from(example.canonicalBytes!).toString('utf8')).toBe(
          canonicalJson(want!.record),
        );
      }
      // Lines with every field a string and only canonical escapes are taken; the rest are not.
      expect(taken).toBe(6);
    });
  }

  it('leaves templates it cannot splice to the template step', () => {
    expect(TemplateSplicer.for({turns: 'turns', user: '{{q}}'})).toBeUndefined();
    expect(TemplateSplicer.for({user: '{{meta.q}}'})).toBeUndefined();
    expect(TemplateSplicer.for({user: '\ud800{{q}}'})).toBeUndefined();
  });
});
