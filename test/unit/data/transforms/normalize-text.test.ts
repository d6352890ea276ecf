import {describe, expect, it} from 'vitest';
import {
  normalizedTextOf,
  normalizeText,
  stringLeaves,
} from '../../../../src/data/transforms/text/normalize-text.js';

describe('text normalization', () => {
  it('applies NFKC, lowercases, removes punctuation and symbols, collapses spaces', () => {
    expect(normalizeText('  Hello,   World!  ')).toBe('hello world');
    // Full-width letters and the fi ligature fold to ASCII under NFKC.
    expect(normalizeText('Ｈｅｌｌｏ ﬁne')).toBe('hello fine');
    // Symbols (\p{S}) and punctuation (\p{P}) go, letters and digits stay.
    expect(normalizeText('Price: $5 + 3€ = ~8 © «quoted» — done…')).toBe('price 5 3 8 quoted done');
    expect(normalizeText('tabs\tand\nnew\u00a0lines\u2003too')).toBe('tabs and new lines too');
    expect(normalizeText('don\u2019t stop')).toBe('dont stop');
    expect(normalizeText('ÀÉÎ Straße')).toBe('àéî straße');
    expect(normalizeText('!!! ...')).toBe('');
  });

  it('takes string leaves in canonical key order, skipping non-strings', () => {
    expect(
      stringLeaves({b: 'last', a: ['first', 1, null, {z: 'third', y: true, x: 'second'}]}),
    ).toEqual(['first', 'second', 'third', 'last']);
    expect(stringLeaves('alone')).toEqual(['alone']);
    expect(stringLeaves(42)).toEqual([]);
  });

  it('joins leaves with a newline, which normalizes to one space', () => {
    expect(normalizedTextOf({q: 'What?', a: 'This.'})).toBe('this what');
    expect(normalizedTextOf({a: 'This.', q: 'What?'})).toBe('this what');
  });

  it('sorts many keys the same way as few', () => {
    const record: Record<string, string> = {};
    for (let i = 30; i >= 0; i--) record[`k${String(i).padStart(2, '0')}`] = `v${i}`;
    expect(stringLeaves(record)).toEqual(Array.from({length: 31}, (_, i) => `v${i}`));
  });
});
