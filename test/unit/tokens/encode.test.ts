import {describe, expect, it} from 'vitest';
import type {EncodingName} from '../../../src/tokens/index.js';
import {countTokens, decode, decodeBytes, encode} from '../../../src/tokens/index.js';
import {vectorsFile} from './helpers.js';

const EOT = {cl100k_base: 100257, o200k_base: 199999} as const;

describe('special tokens', () => {
  it('uses the special-token ids of the vectors file', () => {
    for (const encoding of ['cl100k_base', 'o200k_base'] as const) {
      for (const [text, id] of Object.entries(vectorsFile.special_tokens[encoding]!)) {
        expect(encode(text, encoding, {allowedSpecial: 'all'})).toEqual([id]);
        expect(encode(text, encoding, {allowedSpecial: [text]})).toEqual([id]);
        expect(decode([id], encoding)).toBe(text);
      }
    }
  });

  it.each(['cl100k_base', 'o200k_base'] as const)(
    '%s: special-token text is plain text unless allowed',
    (encoding) => {
      const text = 'a<|endoftext|>b';
      const ordinary = encode(text, encoding);
      expect(ordinary).not.toContain(EOT[encoding]);
      expect(ordinary.length).toBeGreaterThan(3);
      expect(encode(text, encoding, {allowedSpecial: []})).toEqual(ordinary);
      expect(decode(ordinary, encoding)).toBe(text);
      expect(encode(text, encoding, {allowedSpecial: 'all'})).toEqual([
        ...encode('a', encoding),
        EOT[encoding],
        ...encode('b', encoding),
      ]);
      expect(countTokens(text, encoding, {allowedSpecial: 'all'})).toBe(3);
      expect(countTokens(text, encoding)).toBe(ordinary.length);
    },
  );

  it('allows only the listed special tokens; the rest stay ordinary text', () => {
    const text = '<|fim_prefix|>x<|endoftext|>';
    const ids = encode(text, 'cl100k_base', {allowedSpecial: ['<|endoftext|>']});
    expect(ids).toEqual([...encode('<|fim_prefix|>x', 'cl100k_base'), 100257]);
    expect(encode(text, 'cl100k_base', {allowedSpecial: 'all'})).toEqual([
      100258,
      ...encode('x', 'cl100k_base'),
      100257,
    ]);
  });

  it('ignores names that are not special tokens of the encoding (like tiktoken)', () => {
    // <|fim_prefix|> is special in cl100k_base only; <|im_start|> in neither base encoding.
    const text = '<|fim_prefix|><|im_start|>';
    expect(encode(text, 'o200k_base', {allowedSpecial: 'all'})).toEqual(encode(text, 'o200k_base'));
    expect(encode(text, 'o200k_base', {allowedSpecial: ['<|fim_prefix|>', 'hello']})).toEqual(
      encode(text, 'o200k_base'),
    );
  });

  it.each(['cl100k_base', 'o200k_base'] as const)(
    '%s: text before a special token is split as a string of its own',
    (encoding) => {
      // Trailing spaces before the token form `\s+$` / `\s+(?!\S)` pieces at the segment end.
      for (const before of ['a  ', 'x \n ', 'y\t\t', '', ' ']) {
        for (const after of ['b', '  c', '\n', '']) {
          const text = `${before}<|endoftext|>${after}`;
          const expected = [...encode(before, encoding), EOT[encoding], ...encode(after, encoding)];
          expect(encode(text, encoding, {allowedSpecial: 'all'}), JSON.stringify(text)).toEqual(
            expected,
          );
          expect(countTokens(text, encoding, {allowedSpecial: 'all'})).toBe(expected.length);
        }
      }
      expect(encode('<|endoftext|><|endoftext|>', encoding, {allowedSpecial: 'all'})).toEqual([
        EOT[encoding],
        EOT[encoding],
      ]);
    },
  );
});

describe('decode', () => {
  it('round-trips text and keeps a leading U+FEFF', () => {
    for (const encoding of ['cl100k_base', 'o200k_base'] as const) {
      for (const text of ['\ufeffhello', 'na\u00efve \ud83d\udc4d\n\t', '\u0085 \u2028x', '']) {
        expect(decode(encode(text, encoding), encoding)).toBe(text);
      }
    }
  });

  it('replaces UTF-8 broken across tokens with U+FFFD, and exposes the raw bytes', () => {
    // The thumbs-up emoji is three tokens in cl100k_base (vectors file).
    const ids = encode('\ud83d\udc4d', 'cl100k_base');
    expect(ids).toEqual([9468, 239, 235]);
    expect(Array.from(decodeBytes(ids, 'cl100k_base'))).toEqual([0xf0, 0x9f, 0x91, 0x8d]);
    expect(decode(ids.slice(0, 2), 'cl100k_base')).toBe('\ufffd');
  });

  it('rejects ids outside the encoding', () => {
    expect(() => decode([100256], 'cl100k_base')).toThrow(RangeError);
    expect(() => decode([-1], 'o200k_base')).toThrow(RangeError);
    expect(() => decode([1.5], 'o200k_base')).toThrow(RangeError);
    expect(decode([100276], 'cl100k_base')).toBe('<|endofprompt|>');
  });
});

describe('arguments', () => {
  it('rejects unknown encodings, non-string text and malformed options', () => {
    expect(() => encode('x', 'r50k_base' as EncodingName)).toThrow(RangeError);
    expect(() => countTokens(42 as unknown as string, 'cl100k_base')).toThrow(TypeError);
    expect(() =>
      encode('x', 'cl100k_base', {allowedSpecial: '<|endoftext|>' as unknown as 'all'}),
    ).toThrow(TypeError);
  });

  it('counts exactly what it encodes, including cached and uncached pieces', () => {
    const text =
      'Tokenizers tokenize tokenized tokens; \u0442\u043e\u043a\u0435\u043d\u044b 1234567!';
    for (const encoding of ['cl100k_base', 'o200k_base'] as const) {
      for (let round = 0; round < 3; round++) {
        expect(countTokens(text, encoding)).toBe(encode(text, encoding).length);
      }
      const long = 'x'.repeat(5000);
      expect(countTokens(long, encoding)).toBe(encode(long, encoding).length);
    }
  });

  it('encodes very long single pieces losslessly', () => {
    // 200k-byte pieces: a quadratic merge would hang here (vitest's timeout is the guard).
    for (const encoding of ['cl100k_base', 'o200k_base'] as const) {
      for (const text of ['a'.repeat(200_000), '!'.repeat(200_000), `${' '.repeat(200_000)}x`]) {
        const ids = encode(text, encoding);
        expect(decode(ids, encoding)).toBe(text);
        expect(countTokens(text, encoding)).toBe(ids.length);
        expect(ids.length).toBeLessThan(text.length / 4);
      }
    }
  });
});
