import {describe, expect, it} from 'vitest';
import {
  type BleuOptions,
  type BleuScore,
  bleuTokenize,
  computeBleu,
  corpusBleu,
  formatBleu,
  formatFixed,
  type SmoothMethod,
  sentenceBleu,
  UNAVAILABLE_BLEU_TOKENIZERS,
} from '../../../src/eval/metrics/index.js';
import {expectCloseToComputed, expectOnlyKnownKeys, expectWithin, loadVectors} from './vectors.js';

interface BleuSettings {
  tokenize: string;
  smooth_method: SmoothMethod;
  smooth_value: number | null;
  lowercase: boolean;
  use_effective_order: boolean;
  force: boolean;
  max_ngram_order: number;
}

interface BleuExpected {
  score?: number;
  score_fraction?: number;
  tolerance?: number;
  tolerance_on_fraction?: number;
  assertion?: string;
  counts?: number[];
  totals?: number[];
  score_formatted_2dp?: string;
  formatted?: string;
  notes?: string;
}

interface BleuComputed {
  sys_len?: number;
  ref_len?: number;
  counts?: number[];
  totals?: number[];
  score: number;
  precisions: number[];
  bp: number;
  formatted?: string;
  signature?: string;
}

interface BleuCase {
  id: string;
  api: string;
  hypotheses?: string[];
  references_streams?: (string | null)[][];
  references_per_hypothesis?: (string | null)[][];
  hypothesis?: string;
  references?: (string | null)[];
  settings: BleuSettings;
  expected: BleuExpected;
  computed: BleuComputed;
}

interface StatisticsCase {
  id: string;
  api: string;
  correct: number[];
  total: number[];
  sys_len: number;
  ref_len: number;
  smooth_method: SmoothMethod;
  smooth_value: number | null;
  effective_order: boolean;
  expected: BleuExpected;
  computed: BleuComputed;
}

interface BleuVectors {
  cases: BleuCase[];
  sufficient_statistics_cases: StatisticsCase[];
}

const vectors = loadVectors<BleuVectors>('bleu.json');

const EXPECTED_KEYS = [
  'score',
  'score_fraction',
  'tolerance',
  'tolerance_on_fraction',
  'assertion',
  'counts',
  'totals',
  'score_formatted_2dp',
  'formatted',
  'notes',
];

function toOptions(settings: BleuSettings): BleuOptions {
  return {
    tokenize: settings.tokenize,
    smoothMethod: settings.smooth_method,
    smoothValue: settings.smooth_value,
    lowercase: settings.lowercase,
    useEffectiveOrder: settings.use_effective_order,
    force: settings.force,
    maxNgramOrder: settings.max_ngram_order,
  };
}

function run(c: BleuCase): BleuScore {
  const options = toOptions(c.settings);
  if (c.api.startsWith('sentence_bleu')) {
    return sentenceBleu(c.hypothesis!, c.references!, options);
  }
  return corpusBleu(c.hypotheses!, c.references_streams!, options);
}

/** Checks every field of `expected` (the value stated upstream) against `result`. */
function checkExpected(result: BleuScore, expected: BleuExpected, id: string): void {
  expectOnlyKnownKeys(expected, EXPECTED_KEYS, id);
  const exact = expected.assertion?.includes('(exact)') ?? false;
  if (expected.score_fraction !== undefined) {
    if (exact) {
      expect(result.score / 100).toBe(expected.score_fraction);
    } else {
      expectWithin(
        result.score / 100,
        expected.score_fraction,
        expected.tolerance_on_fraction!,
        id,
      );
    }
  } else if (expected.score !== undefined) {
    if (exact) {
      expect(result.score / 100).toBe(expected.score);
    } else if (expected.tolerance !== undefined) {
      expectWithin(result.score, expected.score, expected.tolerance, id);
    } else {
      expectWithin(result.score / 100, expected.score / 100, expected.tolerance_on_fraction!, id);
    }
  }
  if (expected.counts !== undefined) {
    expect(result.counts).toEqual(expected.counts);
  }
  if (expected.totals !== undefined) {
    expect(result.totals).toEqual(expected.totals);
  }
  if (expected.score_formatted_2dp !== undefined) {
    expect(formatFixed(result.score, 2)).toBe(expected.score_formatted_2dp);
  }
  if (expected.formatted !== undefined) {
    expect(formatBleu(result)).toBe(expected.formatted);
  }
}

/** Checks `result` against the upstream code's full-precision output. */
function checkComputed(result: BleuScore, computed: BleuComputed, id: string): void {
  if (computed.sys_len !== undefined) {
    expect(result.sysLen).toBe(computed.sys_len);
    expect(result.refLen).toBe(computed.ref_len);
    expect(result.counts).toEqual(computed.counts);
    expect(result.totals).toEqual(computed.totals);
  }
  expectCloseToComputed(result.score, computed.score, `${id} score`);
  expectCloseToComputed(result.bp, computed.bp, `${id} bp`);
  expect(result.precisions).toHaveLength(computed.precisions.length);
  computed.precisions.forEach((p, n) => {
    expectCloseToComputed(result.precisions[n]!, p, `${id} precision ${n + 1}`);
  });
  if (computed.formatted !== undefined) {
    expect(formatBleu(result)).toBe(computed.formatted);
  }
}

describe('BLEU vectors (sacreBLEU v2.6.0)', () => {
  it('has cases', () => {
    expect(vectors.cases.length).toBeGreaterThan(0);
    expect(vectors.sufficient_statistics_cases.length).toBeGreaterThan(0);
  });

  for (const c of vectors.cases) {
    it(c.id, () => {
      if ((UNAVAILABLE_BLEU_TOKENIZERS as readonly string[]).includes(c.settings.tokenize)) {
        expect(() => run(c)).toThrow(/not available/);
        return;
      }
      const result = run(c);
      checkExpected(result, c.expected, c.id);
      checkComputed(result, c.computed, c.id);
    });
  }

  for (const c of vectors.sufficient_statistics_cases) {
    it(c.id, () => {
      const result = computeBleu(c.correct, c.total, c.sys_len, c.ref_len, {
        smoothMethod: c.smooth_method,
        smoothValue: c.smooth_value,
        effectiveOrder: c.effective_order,
      });
      checkExpected(result, c.expected, c.id);
      checkComputed(result, c.computed, c.id);
    });
  }
});

describe('formatFixed (Python float formatting)', () => {
  it('rounds exact ties to even like Python, not away from zero like toFixed', () => {
    expect(formatFixed(0.125, 2)).toBe('0.12');
    expect((0.125).toFixed(2)).toBe('0.13');
    expect(formatFixed(0.375, 2)).toBe('0.38');
    expect(formatFixed(2.5, 0)).toBe('2');
    expect(formatFixed(-0, 2)).toBe('-0.00');
    expect(formatFixed(100.00000000000004, 2)).toBe('100.00');
    expect(formatFixed(1e21, 2)).toBe('1000000000000000000000.00');
  });
});

describe('BLEU bit-exactness', () => {
  it('reproduces every vector score to the last bit (correctly rounded exp/log, as glibc)', () => {
    const inexact = vectors.cases
      .filter(
        (c) => !(UNAVAILABLE_BLEU_TOKENIZERS as readonly string[]).includes(c.settings.tokenize),
      )
      .filter((c) => run(c).score !== c.computed.score)
      .map((c) => c.id);
    expect(inexact).toEqual([]);
  });
});

describe('corpusBleu / sentenceBleu behaviour', () => {
  const hyps = ['The dog bit the man.', "It wasn't surprising.", 'The man had just bitten him.'];
  const refs = [
    ['The dog bit the man.', 'It was not unexpected.', 'The man bit him first.'],
    ['The dog had bit the man.', 'No one was surprised.', 'The man had bitten the dog.'],
  ];

  it('drops null/undefined references per segment like sacreBLEU None', () => {
    const options: BleuOptions = {tokenize: 'none'};
    const withNull = corpusBleu(
      ['a b c', 'd e f'],
      [
        ['a b c', 'x'],
        [null, 'd e f'],
      ],
      options,
    );
    const duplicated = corpusBleu(
      ['a b c', 'd e f'],
      [
        ['a b c', 'x'],
        ['a b c', 'd e f'],
      ],
      options,
    );
    const firstStreamOnly = corpusBleu(['a b c', 'd e f'], [['a b c', 'x']], options);
    expect(withNull).toEqual(duplicated);
    expect(withNull.counts).not.toEqual(firstStreamOnly.counts);
    expect(sentenceBleu(hyps[0]!, [refs[0]![0]!, undefined])).toEqual(
      sentenceBleu(hyps[0]!, [refs[0]![0]!]),
    );
  });

  it('keeps empty-string references (length 0 counts for the closest length)', () => {
    // hypothesis of 1 token: '' (0 tokens) is closer than 'a b c' (3 tokens)
    const result = sentenceBleu('x', ['', 'a b c'], {tokenize: 'none'});
    expect(result.refLen).toBe(0);
    expect(result.sysLen).toBe(1);
  });

  it('breaks closest-reference-length ties towards the shorter reference', () => {
    const result = sentenceBleu('a b c', ['a b', 'a b c d'], {tokenize: 'none'});
    expect(result.refLen).toBe(2);
  });

  it('sentenceBleu defaults to effective order and corpusBleu does not', () => {
    const sentence = sentenceBleu('a test', ['a test'], {tokenize: 'none'});
    const corpus = corpusBleu(['a test'], [['a test']], {tokenize: 'none'});
    expect(sentence.score).toBeCloseTo(100, 10);
    expect(corpus.score).toBe(0);
  });

  it('counts are the raw statistics even with add-k smoothing', () => {
    const result = sentenceBleu('a b c d', ['a b x d'], {smoothMethod: 'add-k', tokenize: 'none'});
    expect(result.counts).toEqual([3, 1, 0, 0]);
    expect(result.totals).toEqual([4, 3, 2, 1]);
    expect(result.precisions[1]).toBeCloseTo((100 * 2) / 4, 12);
  });

  it('throws on stream length mismatches instead of truncating', () => {
    expect(() => corpusBleu(['a', 'b'], [['a']])).toThrow(/reference stream 0 has 1 segments/);
    expect(() => corpusBleu(['a'], [[null]])).toThrow(/no reference/);
    expect(() => corpusBleu([], [[]])).toThrow(/at least one hypothesis/);
    expect(() => sentenceBleu('a', [])).toThrow(/non-empty/);
  });
});

describe('BLEU tokenizers', () => {
  it('13a unescapes entities in sacreBLEU order and splits punctuation', () => {
    expect(bleuTokenize('a &amp;lt; b &quot;c&quot;')).toBe('a < b " c "');
    expect(bleuTokenize("It wasn't 3.5-4, ok.")).toBe("It wasn't 3.5 - 4 , ok .");
    expect(bleuTokenize('<skipped>hyphen-\nated line\nbreak ')).toBe('hyphenated line break');
  });

  it('intl separates Unicode punctuation and symbols but keeps 1,000.5', () => {
    expect(bleuTokenize('«Bonjour», dit-il: 1,000.5€', {tokenize: 'intl'})).toBe(
      '« Bonjour » , dit - il : 1,000.5 €',
    );
  });

  it('char joins code points with spaces (BLEU then splits on whitespace)', () => {
    expect(bleuTokenize('ab 😀c', {tokenize: 'char'})).toBe('a b   😀 c');
    expect(sentenceBleu('ab 😀c', ['ab 😀c'], {tokenize: 'char'}).sysLen).toBe(4);
  });

  it('zh splits CJK characters (and sacreBLEU range quirks such as U+2014)', () => {
    expect(bleuTokenize('我爱北京天安门。Hello, world', {tokenize: 'zh'})).toBe(
      '我 爱 北 京 天 安 门 。 Hello , world',
    );
    // upstream '\u20000'..'\u2a6d6' is the BMP range U+2001..U+2A6D under Python comparison
    expect(bleuTokenize('a—b', {tokenize: 'zh'})).toBe('a — b');
  });

  it('none only right-strips', () => {
    expect(bleuTokenize('a,b  c \n', {tokenize: 'none'})).toBe('a,b  c');
  });

  it('lowercase uses full Unicode lowercasing', () => {
    expect(bleuTokenize('ÄB Σ', {lowercase: true, tokenize: 'none'})).toBe('äb σ');
  });
});
