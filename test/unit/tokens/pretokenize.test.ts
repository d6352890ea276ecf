import {describe, expect, it} from 'vitest';
import {piecePattern, splitPieces} from '../../../src/tokens/pretokenize.js';
import {ENCODINGS, prng, randomText, vectorInput, vectorsFile, wellFormed} from './helpers.js';

/** The regex translation applied directly: the specification the scanners must match. */
const regexSplit = (encoding: (typeof ENCODINGS)[number], text: string) =>
  wellFormed(text).match(piecePattern(encoding)) ?? [];

/**
 * Splits computed with Python's `regex` module running the exact pat_str from tiktoken (the
 * engine tiktoken's reference implementation uses; its \s is Unicode White_Space, like Rust's).
 * Each one separates tiktoken's semantics from a naive JS translation.
 */
const HAND_CHECKED: Record<(typeof ENCODINGS)[number], Array<[string, string[]]>> = {
  cl100k_base: [
    ["'\u017fa", ["'\u017f", 'a']], // (?i:s) also matches U+017F LONG S
    ["x'\u017fa", ['x', "'\u017f", 'a']],
    ['!\ufeff', ['!\ufeff']], // U+FEFF is not \s in tiktoken (it is in JS)
    ['\u0085!', ['\u0085', '!']], // U+0085 is \s in tiktoken (not in JS)
    ['x\u0085y', ['x', '\u0085y']],
    ['today\n \n', ['today', '\n \n']],
    ['a  \n  ', ['a', '  \n  ']], // \s++$ first
    ['a  \n  b', ['a', '  \n', ' ', ' b']],
    ['Hello  world', ['Hello', ' ', ' world']],
    ["\u01c5emal's", ['\u01c5emal', "'s"]],
    ['\u4e2dA', ['\u4e2dA']],
    ['A\u0301b', ['A', '\u0301b']],
    ["don'T", ['don', "'T"]],
    ["HELLO'S", ['HELLO', "'S"]],
    ['12345', ['123', '45']],
    ['a\r\n\r\nb', ['a', '\r\n\r\n', 'b']],
    ['// a/\n/b', ['//', ' a', '/\n', '/b']],
    ['\u3000x', ['\u3000x']],
  ],
  o200k_base: [
    ["'\u017fa", ["'\u017fa"]],
    ["x'\u017fa", ["x'\u017f", 'a']],
    ['!\ufeff', ['!\ufeff']],
    ['\u0085!', ['\u0085', '!']],
    ['x\u0085y', ['x', '\u0085y']],
    ['today\n \n', ['today', '\n \n']],
    ['a  \n  ', ['a', '  \n', '  ']], // \s*[\r\n]+ comes first here
    ['a  \n  b', ['a', '  \n', ' ', ' b']],
    ['Hello  world', ['Hello', ' ', ' world']],
    ["\u01c5emal's", ["\u01c5emal's"]],
    ["ABC's", ["ABC's"]],
    ['\u4e2dA', ['\u4e2d', 'A']], // U* gives the Lo char back so that W+ can match
    ['A\u0301b', ['A\u0301b']],
    ["don'T", ["don'T"]],
    ["he'LL", ["he'LL"]],
    ['12345', ['123', '45']],
    ['a\r\n\r\nb', ['a', '\r\n\r\n', 'b']],
    ['// a/\n/b', ['//', ' a', '/\n/', 'b']],
    ['\u3000x', ['\u3000x']],
  ],
};

describe.each(ENCODINGS)('%s pre-tokenization', (encoding) => {
  it.each(HAND_CHECKED[encoding])('splits %j like tiktoken', (text, pieces) => {
    expect(splitPieces(encoding, text)).toEqual(pieces);
    expect(regexSplit(encoding, text)).toEqual(pieces);
  });

  it('scanner agrees with the regex on every vector input', () => {
    for (const v of vectorsFile.vectors) {
      const text = vectorInput(v);
      expect(splitPieces(encoding, text), JSON.stringify(text)).toEqual(regexSplit(encoding, text));
    }
  });

  it('scanner agrees with the regex on 20000 random strings', () => {
    const rnd = prng(encoding === 'cl100k_base' ? 11 : 12);
    for (let n = 0; n < 20000; n++) {
      const text = randomText(rnd, 12);
      expect(splitPieces(encoding, text), JSON.stringify(text)).toEqual(regexSplit(encoding, text));
    }
  });

  it('scanner agrees with the regex on every BMP code point between letters and spaces', () => {
    for (let cp = 0; cp < 0x10000; cp++) {
      const c = String.fromCharCode(cp);
      for (const text of [`a${c}b`, ` ${c}${c}`, `${c}'s `, `A${c}`]) {
        const want = regexSplit(encoding, text);
        const got = splitPieces(encoding, text);
        if (got.length !== want.length || got.some((p, i) => p !== want[i])) {
          expect(got, `U+${cp.toString(16)} in ${JSON.stringify(text)}`).toEqual(want);
        }
      }
    }
  });
});
