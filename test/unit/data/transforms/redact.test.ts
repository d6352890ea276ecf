import {describe, expect, it} from 'vitest';
import {type RedactOptions, redactTransform} from '../../../../src/data/transforms/redact.js';
import {luhnValid} from '../../../../src/data/transforms/text/luhn.js';
import {context, run} from './helpers.js';

function options(overrides: Partial<RedactOptions> = {}): RedactOptions {
  return {emails: true, phones: true, cards: true, patterns: [], fields: null, ...overrides};
}

const redact = (overrides: Partial<RedactOptions> = {}) =>
  redactTransform(options(overrides), context());

/** Redacts one text (as a plain record's field) and returns it. */
async function redacted(text: string, overrides: Partial<RedactOptions> = {}): Promise<string> {
  const [record] = await run(redact(overrides), [{text}]);
  return record!.text as string;
}

describe('redact: emails', () => {
  it.each([
    ['Write to john.doe@example.com today', 'Write to [EMAIL] today'],
    ['first.last+tag@sub.example.co.uk', '[EMAIL]'],
    ['a_b%c-d@x-y.org.', '[EMAIL].'],
    ['<UPPER@EXAMPLE.COM>', '<[EMAIL]>'],
    ['mailto:me@mail.example.io?subject=x', 'mailto:[EMAIL]?subject=x'],
    ['jürgen@example.de', '[EMAIL]'],
    ['a@b.co and c@d.info', '[EMAIL] and [EMAIL]'],
  ])('redacts %j', async (text, expected) => {
    expect(await redacted(text)).toBe(expected);
  });

  it.each([
    'a@b',
    'a@b.c',
    '@example.com',
    'user@',
    'user@-bad.com',
    'ping @team on slack',
    'x @ y.com',
    'jürgen@münchen.de',
  ])('leaves %j', async (text) => {
    expect(await redacted(text)).toBe(text);
  });
});

describe('redact: phones', () => {
  it.each([
    ['Call +44 20 7946 0958 now', 'Call [PHONE] now'],
    ['(555) 123-4567', '[PHONE]'],
    ['555-123-4567', '[PHONE]'],
    ['+1-202-555-0143', '[PHONE]'],
    ['+1 (555) 123-4567', '[PHONE]'],
    ['555.123.4567 or 555 123 4567', '[PHONE] or [PHONE]'],
    ['1-800-555-0199', '[PHONE]'],
    ['(555)123-4567', '[PHONE]'],
    ['+33 1 23 45 67 89', '[PHONE]'],
    ['+442079460958', '[PHONE]'],
    ['tel: +49 30 901820.', 'tel: [PHONE].'],
    ['+1 555 123 4567 2 apples', '[PHONE] 2 apples'],
  ])('redacts %j', async (text, expected) => {
    expect(await redacted(text)).toBe(expected);
  });

  it.each([
    'In 2024 we sold 1500 units',
    'It costs $1,234.56 or 1234.56 EUR',
    'id 20240101, order 1234567890, ref 5551234567',
    'on 2024-01-15 at 10:30',
    'SSN-like 123-45-6789',
    'ip 192.168.100.1',
    'isbn 978-0-306-40615-7',
    'score +1 2',
    'too long +1234567890123456',
    'call +1 800 FLOWERS',
    'pages 100-2000',
    'x1555-123-4567',
  ])('leaves %j', async (text) => {
    expect(await redacted(text)).toBe(text);
  });

  it('does not take card numbers for phones, even with card redaction off', async () => {
    for (const card of ['4111 1111 1111 1111', '5555-5555-5555-4444', '378282246310005']) {
      expect(await redacted(card, {cards: false})).toBe(card);
    }
  });
});

describe('redact: cards', () => {
  it.each([
    ['Visa 4111 1111 1111 1111.', 'Visa [CARD].'],
    ['MC 5555-5555-5555-4444', 'MC [CARD]'],
    ['Amex 378282246310005', 'Amex [CARD]'],
    ['4111111111111111', '[CARD]'],
    ['Discover 6011 1111 1111 1117 ok', 'Discover [CARD] ok'],
    ['13 digits 4222222222222', '13 digits [CARD]'],
    ['mixed 4111-1111 1111-1111', 'mixed [CARD]'],
  ])('redacts %j', async (text, expected) => {
    expect(await redacted(text)).toBe(expected);
  });

  it.each([
    '4111 1111 1111 1112',
    '1234 5678 9012 3456',
    '12345678901234567890123',
    'hash a4111111111111111b',
    '4111  1111  1111  1111',
    'short 4111 1111 111',
    '+4111111111111111',
  ])('leaves %j', async (text) => {
    expect(await redacted(text)).toBe(text);
  });

  it('checks Luhn', () => {
    for (const valid of [
      '4111111111111111',
      '5555555555554444',
      '378282246310005',
      '0',
      '79927398713',
    ]) {
      expect(luhnValid(valid)).toBe(true);
    }
    for (const invalid of ['4111111111111112', '79927398710', '', '12a4', '1']) {
      expect(luhnValid(invalid)).toBe(false);
    }
  });
});

describe('redact: order, kinds and counts', () => {
  it('redacts every kind in one text and counts each replacement', async () => {
    const step = redact();
    await run(step, [
      {text: 'Mail a.b@example.com or call (555) 123-4567, card 4111 1111 1111 1111.'},
      {text: 'Also x@y.org, z@w.net and +1-202-555-0143.'},
      {text: 'nothing here'},
    ]);
    expect(step.summary()).toEqual({in: 3, out: 3, redacted: {card: 1, email: 3, phone: 2}});
  });

  it('runs emails before phones, so digits in an address stay part of it', async () => {
    expect(await redacted('john.555-123-4567@example.com')).toBe('[EMAIL]');
    expect(await redacted('+1-202-555-0143@example.com')).toBe('[EMAIL]');
  });

  it('turns each kind off on its own', async () => {
    const text = 'a@b.com, (555) 123-4567, card 4111 1111 1111 1111';
    expect(await redacted(text, {emails: false})).toBe('a@b.com, [PHONE], card [CARD]');
    expect(await redacted(text, {phones: false})).toBe('[EMAIL], (555) 123-4567, card [CARD]');
    expect(await redacted(text, {cards: false})).toBe('[EMAIL], [PHONE], card 4111 1111 1111 1111');
    const step = redact({emails: false, phones: false, cards: false});
    const [record] = await run(step, [{text}]);
    expect(record!.text).toBe(text);
    expect(step.summary()).toEqual({in: 1, out: 1, redacted: {}});
  });
});

describe('redact: custom patterns', () => {
  it('replaces with [REDACTED] or the given replacement, counted per pattern', async () => {
    const step = redact({
      patterns: [
        {regex: 'EMP-\\d{6}'},
        {regex: 'secret', flags: 'i', replacement: '<hidden>'},
        {regex: 'never-matches'},
      ],
    });
    const [record] = await run(step, [{text: 'EMP-123456 said SECRET and Secret, not EMP-12'}]);
    expect(record!.text).toBe('[REDACTED] said <hidden> and <hidden>, not EMP-12');
    expect(step.summary()).toEqual({
      in: 1,
      out: 1,
      redacted: {'patterns[0]': 1, 'patterns[1]': 2},
    });
  });

  it('run before the built-in kinds', async () => {
    // The custom pattern takes the domain first, so the email pattern no longer sees an address.
    const step = redact({patterns: [{regex: '@example\\.com', replacement: '@corp'}]});
    const [record] = await run(step, [{text: 'me@example.com and you@other.org'}]);
    expect(record!.text).toBe('me@corp and [EMAIL]');
    expect(step.summary()).toEqual({in: 1, out: 1, redacted: {'patterns[0]': 1, email: 1}});
  });

  it('use Unicode mode, plus the flags given', async () => {
    expect(await redacted('Ünïcode Name and ascii', {patterns: [{regex: '\\p{Lu}\\p{Ll}+'}]})).toBe(
      '[REDACTED] [REDACTED] and ascii',
    );
    // '.' is one code point, an astral emoji included.
    expect(await redacted('x😀y', {patterns: [{regex: 'x.y', replacement: 'ok'}]})).toBe('ok');
    expect(
      await redacted('a\nb', {patterns: [{regex: 'a.b', flags: 's', replacement: 'ok'}]}),
    ).toBe('ok');
    expect(
      await redacted('one\ntwo', {patterns: [{regex: '^t', flags: 'm', replacement: 'T'}]}),
    ).toBe('one\nTwo');
  });

  it('keep replacements literal', async () => {
    expect(await redacted('id 42', {patterns: [{regex: '(\\d+)', replacement: '$1-$&'}]})).toBe(
      'id $1-$&',
    );
  });

  it('ignore empty matches', async () => {
    const step = redact({patterns: [{regex: 'z*'}], emails: false, phones: false, cards: false});
    const [record] = await run(step, [{text: 'abc'}]);
    expect(record!.text).toBe('abc');
    expect(step.summary()).toEqual({in: 1, out: 1, redacted: {}});
  });

  it('throw a clear error for an invalid regex', () => {
    expect(() => redact({patterns: [{regex: 'ok'}, {regex: '(unclosed'}]})).toThrow(
      /patterns\[1\].*invalid regular expression.*\(unclosed/,
    );
    // Valid without the u flag, not with it.
    expect(() => redact({patterns: [{regex: '\\-'}]})).toThrow(/patterns\[0\]/);
    expect(() => redact({patterns: [{regex: 'a', flags: 'q'}]})).toThrow(/patterns\[0\]/);
  });
});

describe('redact: which strings', () => {
  it('in chat records, only message contents', async () => {
    const record = {
      messages: [
        {role: 'system', content: 'Reach ops at ops@example.com'},
        {role: 'user', name: 'bob@example.com', content: 'My number is (555) 123-4567'},
        {
          role: 'user',
          content: [
            {type: 'text', text: 'card 4111 1111 1111 1111'},
            {type: 'image_url', image_url: {url: 'https://x.test/a@b.com'}},
          ],
        },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{id: 'c1@x.com', function: {arguments: '{"e":"t@x.com"}'}}],
        },
      ],
      meta: {owner: 'alice@example.com'},
    };
    const step = redact();
    const [out] = await run(step, [record]);
    expect(out).toEqual({
      messages: [
        {role: 'system', content: 'Reach ops at [EMAIL]'},
        {role: 'user', name: 'bob@example.com', content: 'My number is [PHONE]'},
        {
          role: 'user',
          content: [
            {type: 'text', text: 'card [CARD]'},
            {type: 'image_url', image_url: {url: 'https://x.test/a@b.com'}},
          ],
        },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{id: 'c1@x.com', function: {arguments: '{"e":"t@x.com"}'}}],
        },
      ],
      meta: {owner: 'alice@example.com'},
    });
    expect(step.summary()).toEqual({in: 1, out: 1, redacted: {card: 1, email: 1, phone: 1}});
  });

  it('in preference records, the contents of all their messages', async () => {
    const [out] = await run(redact(), [
      {
        input: {messages: [{role: 'user', content: 'I am x@y.com'}], tools: [{name: 'a@b.com'}]},
        preferred_output: [{role: 'assistant', content: 'Hi x@y.com'}],
        non_preferred_output: [{role: 'assistant', content: 'Call 555-123-4567'}],
        id: 'z@y.com',
      },
    ]);
    expect(out).toEqual({
      input: {messages: [{role: 'user', content: 'I am [EMAIL]'}], tools: [{name: 'a@b.com'}]},
      preferred_output: [{role: 'assistant', content: 'Hi [EMAIL]'}],
      non_preferred_output: [{role: 'assistant', content: 'Call [PHONE]'}],
      id: 'z@y.com',
    });
  });

  it('in other records, every string leaf', async () => {
    const [out] = await run(redact(), [
      {
        input: 'from a@b.com',
        output: 'ok',
        nested: {list: ['x@y.org', 5551234567, {deep: '555-123-4567'}], n: 4111111111111111},
      },
    ]);
    expect(out).toEqual({
      input: 'from [EMAIL]',
      output: 'ok',
      nested: {list: ['[EMAIL]', 5551234567, {deep: '[PHONE]'}], n: 4111111111111111},
    });
  });

  it('with `fields`, every string under those paths and nothing else', async () => {
    const record = () => ({
      prompt: 'me@x.com',
      meta: {contact: {email: 'a@b.com', phones: ['555-123-4567']}, note: 'c@d.com'},
      messages: [
        {role: 'user@x.com', content: 'e@f.com'},
        {role: 'user', content: 'g@h.com'},
      ],
      other: 'i@j.com',
    });
    const [out] = await run(redact({fields: ['prompt', 'meta.contact', 'messages.content']}), [
      record(),
    ]);
    expect(out).toEqual({
      prompt: '[EMAIL]',
      meta: {contact: {email: '[EMAIL]', phones: ['[PHONE]']}, note: 'c@d.com'},
      messages: [
        {role: 'user@x.com', content: '[EMAIL]'},
        {role: 'user', content: '[EMAIL]'},
      ],
      other: 'i@j.com',
    });
    const [indexed] = await run(redact({fields: ['messages.1', 'missing.path', 'prompt.x']}), [
      record(),
    ]);
    expect(indexed!.messages).toEqual([
      {role: 'user@x.com', content: 'e@f.com'},
      {role: 'user', content: '[EMAIL]'},
    ]);
    expect(indexed!.prompt).toBe('me@x.com');
  });

  it('with overlapping `fields`, redacts each string once', async () => {
    const step = redact({
      fields: ['meta', 'meta.note', 'meta'],
      patterns: [{regex: 'REDACTED|EMAIL', replacement: 'X'}],
    });
    const [out] = await run(step, [{meta: {note: 'a@b.com'}}]);
    expect(out).toEqual({meta: {note: '[EMAIL]'}});
    expect(step.summary()).toEqual({in: 1, out: 1, redacted: {email: 1}});
  });

  it('never drops records', async () => {
    const step = redact();
    const out = await run(step, [{a: 1}, {}, {messages: []}, {text: 'a@b.com'}]);
    expect(out).toHaveLength(4);
    expect(step.summary()).toEqual({in: 4, out: 4, redacted: {email: 1}});
  });
});
