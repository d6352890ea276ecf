import {describe, expect, it} from 'vitest';
import {canonicalJson} from '../../../../src/core/canonical-json.js';
import {CanonicalWriter} from '../../../../src/data/records/canonical-bytes.js';
import {fieldReader, getPath} from '../../../../src/data/records/fields.js';
import {templateTransform} from '../../../../src/data/transforms/template.js';
import {TemplateSplicer} from '../../../../src/data/transforms/template-splice.js';
import {context, examples} from './helpers.js';

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
    // Lone halves of one pair, side by side in '{{q}}{{a}}': one character in the template step.
    '{"q":"half \\ud83d","a":"\\ude00 half"}',
    '  {"q" : "spaced" , "a":"x" }\r',
    '{"q":"first","a":"x","q":"last"}',
  ];
  const templates = [
    {user: '{{q}}', assistant: '{{a}}'},
    {user: '{{q}}{{a}}', assistant: 'x'},
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
      const source = new CanonicalWriter(splicer.fields);
      let taken = 0;
      for (const line of lines) {
        const record = JSON.parse(line);
        const expected = templateTransform(options, context()).process(examples([record]));
        const bytes = Buffer.from(`${line}\n`);
        splicer.reuse();
        // Repeated keys are left to JSON.parse (the last wins): not taken.
        if (!source.write(bytes, 0, bytes.length - 1)) continue;
        const example = splicer.line(source, {file: 't.jsonl', line: 1});
        if (!example) continue;
        taken++;
        const [want] = expected as {record: Record<string, unknown>}[];
        expect(want, line).toBeDefined();
        // A field read alone, before the record is made, is the record's.
        const paths = [
          ...[0, 1, 2, 3].flatMap((m) =>
            ['content', 'role', 'weight', 'other'].map((f) => `messages.${m}.${f}`),
          ),
          'messages.01.content',
          'messages.length',
          'messages',
          'other',
        ];
        for (const path of paths) {
          expect(fieldReader(path)(example), `${line} ${path}`).toEqual(
            getPath(want!.record, path),
          );
        }
        expect(example.record).toEqual(want!.record);
        expect(Buffer.from(example.canonicalBytes!).toString('utf8')).toBe(
          canonicalJson(want!.record),
        );
      }
      // Lines with every field a string are taken (other escapes are written again); the rest
      // (a field missing, a number, null, a repeated key, a lone surrogate at a field's edge)
      // are not.
      expect(taken).toBe(6);
    });
  }

  it('leaves templates it cannot splice to the template step', () => {
    expect(TemplateSplicer.for({turns: 'turns', user: '{{q}}'})).toBeUndefined();
    expect(TemplateSplicer.for({user: '{{meta.q}}'})).toBeUndefined();
    expect(TemplateSplicer.for({user: '\ud800{{q}}'})).toBeUndefined();
  });
});
