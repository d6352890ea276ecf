import {describe, expect, it} from 'vitest';
import {
  type ChrfOptions,
  type ChrfScore,
  corpusChrf,
  formatChrf,
  sentenceChrf,
} from '../../../src/eval/metrics/index.js';
import {expectCloseToComputed, expectOnlyKnownKeys, expectWithin, loadVectors} from './vectors.js';

interface ChrfSettings {
  char_order: number;
  word_order: number;
  beta: number;
  lowercase: boolean;
  whitespace: boolean;
  eps_smoothing: boolean;
}

interface ChrfCase {
  id: string;
  api: string;
  hypotheses?: string[];
  references_streams?: (string | null)[][];
  hypothesis?: string;
  references?: (string | null)[];
  settings: ChrfSettings;
  expected: {score?: number; tolerance?: number; formatted?: string};
  computed: {score: number; formatted: string; summed_statistics: number[]};
}

const vectors = loadVectors<{cases: ChrfCase[]}>('chrf.json');

function toOptions(settings: ChrfSettings): ChrfOptions {
  return {
    charOrder: settings.char_order,
    wordOrder: settings.word_order,
    beta: settings.beta,
    lowercase: settings.lowercase,
    whitespace: settings.whitespace,
    epsSmoothing: settings.eps_smoothing,
  };
}

function run(c: ChrfCase): ChrfScore {
  const options = toOptions(c.settings);
  if (c.api.startsWith('sentence_chrf')) {
    return sentenceChrf(c.hypothesis!, c.references!, options);
  }
  return corpusChrf(c.hypotheses!, c.references_streams!, options);
}

describe('chrF vectors (sacreBLEU v2.6.0)', () => {
  it('has cases', () => {
    expect(vectors.cases.length).toBeGreaterThan(0);
  });

  for (const c of vectors.cases) {
    it(c.id, () => {
      const result = run(c);
      expectOnlyKnownKeys(c.expected, ['score', 'tolerance', 'formatted'], c.id);
      if (c.expected.score !== undefined) {
        expectWithin(result.score, c.expected.score, c.expected.tolerance!, c.id);
      }
      if (c.expected.formatted !== undefined) {
        expect(formatChrf(result)).toBe(c.expected.formatted);
      }
      expect(result.statistics).toEqual(c.computed.summed_statistics);
      expectCloseToComputed(result.score, c.computed.score, `${c.id} score`);
      expect(formatChrf(result)).toBe(c.computed.formatted);
    });
  }
});

describe('chrF behaviour', () => {
  it('chrF++ adds word unigrams and bigrams with punctuation split off', () => {
    const plain = sentenceChrf('Hello, world!', ['Hello world!']);
    const plusPlus = sentenceChrf('Hello, world!', ['Hello world!'], {wordOrder: 2});
    expect(plusPlus.statistics).toHaveLength(3 * 8);
    // words: hyp [Hello, ',', world, '!'] vs ref [Hello, world, '!']
    expect(plusPlus.statistics.slice(18)).toEqual([4, 3, 3, 3, 2, 1]);
    expect(plusPlus.score).not.toBe(plain.score);
    expect(formatChrf(plusPlus)).toMatch(/^chrF2\+\+ = /);
  });

  it('splits only one trailing punctuation character, like sacreBLEU (issue #124)', () => {
    // '(hi)' -> '(hi', ')' so the word unigram '(hi' does not match 'hi'
    const result = sentenceChrf('(hi)', ['hi'], {charOrder: 0, wordOrder: 1});
    expect(result.statistics).toEqual([2, 1, 0]);
  });

  it('does not count hypothesis n-grams of orders the reference lacks', () => {
    const result = sentenceChrf('abc', ['a']);
    expect(result.statistics.slice(0, 6)).toEqual([3, 1, 1, 0, 0, 0]);
  });

  it('picks the reference with the best sentence F-score', () => {
    const result = sentenceChrf('the cat sat', ['a dog ran', 'the cat sat']);
    expect(result.score).toBe(100);
  });

  it('lowercase makes the comparison case-insensitive', () => {
    expect(sentenceChrf('ÉTÉ', ['été'], {lowercase: true}).score).toBe(100);
    expect(sentenceChrf('ÉTÉ', ['été']).score).toBe(0);
  });
});
