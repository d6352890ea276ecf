import {describe, expect, it} from 'vitest';
import {exactMatch, normalizeAnswer, tokenF1} from '../../../src/eval/metrics/index.js';
import {expectCloseToComputed, loadVectors} from './vectors.js';

interface SquadCase {
  name: string;
  prediction: string;
  prediction_normalized: string;
  ground_truths: string[];
  per_ground_truth: {ground_truth: string; normalized: string; exact_match: boolean; f1: number}[];
  exact_match: number;
  f1: number;
}

const vectors = loadVectors<{cases: SquadCase[]}>('squad.json');

describe('SQuAD v1.1 vectors', () => {
  it('has cases', () => {
    expect(vectors.cases.length).toBeGreaterThan(0);
  });

  for (const c of vectors.cases) {
    it(c.name, () => {
      expect(normalizeAnswer(c.prediction)).toBe(c.prediction_normalized);
      expect(exactMatch(c.prediction, c.ground_truths)).toBe(c.exact_match);
      expectCloseToComputed(tokenF1(c.prediction, c.ground_truths), c.f1, `${c.name} f1`);
      for (const gt of c.per_ground_truth) {
        expect(normalizeAnswer(gt.ground_truth)).toBe(gt.normalized);
        expect(exactMatch(c.prediction, [gt.ground_truth])).toBe(gt.exact_match ? 1 : 0);
        expectCloseToComputed(tokenF1(c.prediction, [gt.ground_truth]), gt.f1, `${c.name} f1`);
      }
    });
  }
});

describe('SQuAD v1.1 rules', () => {
  it('removes only ASCII punctuation, without inserting spaces', () => {
    expect(normalizeAnswer('“Hello”—world… (a-b)')).toBe('“hello”—world… ab');
  });

  it('removes articles as whole words only, after punctuation removal', () => {
    expect(normalizeAnswer('The theory of an anthem, a band')).toBe('theory of anthem band');
    expect(normalizeAnswer('the-end')).toBe('theend');
    // Unicode-aware \b: 'é' and '1' are word characters, so 'aé' and 'a1' keep their 'a'
    expect(normalizeAnswer('a é aé a1')).toBe('é aé a1');
    // '_' is in string.punctuation, so it is deleted before articles are matched
    expect(normalizeAnswer('the_x a_')).toBe('thex');
  });

  it('lowercases with full Unicode case mapping and splits on Unicode whitespace', () => {
    expect(normalizeAnswer('ÉCOLE\u00a0Normale\u3000Supérieure')).toBe('école normale supérieure');
  });

  it('v1.1 quirk: two empty answers have EM 1 but F1 0', () => {
    expect(exactMatch('the', ['a'])).toBe(1);
    expect(tokenF1('the', ['a'])).toBe(0);
  });

  it('takes EM and F1 maxima over ground truths independently', () => {
    expect(exactMatch('red car', ['blue car', 'the red car'])).toBe(1);
    expect(tokenF1('big red car', ['red car', 'big red car park'])).toBeCloseTo(6 / 7, 15);
    expect(() => exactMatch('x', [])).toThrow(/at least one ground truth/);
  });

  it('counts repeated tokens as a multiset', () => {
    // Counter(pred) & Counter(gold) = {x: 1, y: 1}
    expect(tokenF1('x x y', ['x y y'])).toBeCloseTo(2 / 3, 15);
  });
});
