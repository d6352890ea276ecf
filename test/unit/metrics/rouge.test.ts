import {existsSync, readFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {type RougeScoreValue, rougeScore, rougeTokenize} from '../../../src/eval/metrics/index.js';
import {expectAlmostEqualPlaces, expectCloseToComputed, loadVectors} from './vectors.js';

type Scores = Record<string, Partial<RougeScoreValue>>;

interface TextFile {
  repo: string;
  path: string;
  commit: string;
}

interface RougeCase {
  id: string;
  rouge_types: string[];
  use_stemmer: boolean;
  split_summaries?: boolean;
  target?: string;
  targets?: string[];
  prediction?: string;
  text_files?: {target: TextFile; prediction: TextFile};
  expected: Scores & {keys?: string[]};
  assert_almost_equal_places?: number;
  computed: Record<string, RougeScoreValue> | null;
  notes?: string;
}

interface RougeVectors {
  cases: RougeCase[];
  invalid_rouge_types: {rouge_type: string; expected: string}[];
  tokenizer_vectors: {fn: string; input: string; expected: string[]; computed: string[]}[];
}

const vectors = loadVectors<RougeVectors>('rouge.json');

/** Local copies of upstream test files that the vectors reference but do not inline. */
function localTestdata(file: TextFile): string | null {
  const name = file.path.split('/').pop()!;
  const url = new URL(`./testdata/${name}`, import.meta.url);
  return existsSync(url) ? readFileSync(url, 'utf8') : null;
}

/** Places for `assertAlmostEqual`; the notes override the case default for single metrics. */
function placesFor(c: RougeCase, metric: string): number {
  const override = c.notes?.match(new RegExp(`${metric} places=(\\d+)`));
  if (override) {
    return Number(override[1]);
  }
  return c.assert_almost_equal_places ?? 7;
}

describe('ROUGE vectors (rouge-score 0.1.2)', () => {
  it('has cases', () => {
    expect(vectors.cases.length).toBeGreaterThan(0);
  });

  /** Cases whose texts live in upstream files that rouge.json does not inline. */
  const needsFiles = (c: RougeCase): boolean =>
    c.text_files !== undefined && c.target === undefined && c.targets === undefined;

  it('only testRougeLsumLarge needs texts that are not inlined', () => {
    expect(vectors.cases.filter(needsFiles).map((c) => c.id)).toEqual(['testRougeLsumLarge']);
  });

  for (const c of vectors.cases) {
    const target = needsFiles(c) ? localTestdata(c.text_files!.target) : (c.targets ?? c.target!);
    const prediction = needsFiles(c) ? localTestdata(c.text_files!.prediction) : c.prediction!;
    const missing = target === null || prediction === null;
    // Explicit, reported skip: the 231 KB upstream texts (rouge/testdata/target_large.txt and
    // prediction_large.txt) are not in rouge.json; drop them into test/unit/metrics/testdata/ to run it.
    const title = missing ? `${c.id} (skipped: upstream texts not inlined in rouge.json)` : c.id;
    it.skipIf(missing)(title, () => {
      const options = {
        types: c.rouge_types,
        useStemmer: c.use_stemmer,
        splitSummaries: c.split_summaries ?? false,
      };
      if (options.splitSummaries) {
        // needs NLTK's punkt model, which ft does not ship
        expect(() => rougeScore(target!, prediction!, options)).toThrow(/not available/);
        return;
      }

      const result = rougeScore(target!, prediction!, options);
      expect(Object.keys(result)).toEqual(c.rouge_types);
      for (const [type, expected] of Object.entries(c.expected)) {
        if (type === 'keys') {
          expect(Object.keys(result)).toEqual(expected);
          continue;
        }
        for (const [metric, value] of Object.entries(expected as Partial<RougeScoreValue>)) {
          expectAlmostEqualPlaces(
            result[type]![metric as keyof RougeScoreValue],
            value,
            placesFor(c, metric),
            `${c.id} ${type}.${metric}`,
          );
        }
      }
      if (c.computed !== null) {
        for (const [type, computed] of Object.entries(c.computed)) {
          for (const metric of ['precision', 'recall', 'fmeasure'] as const) {
            expectCloseToComputed(
              result[type]![metric],
              computed[metric],
              `${c.id} ${type}.${metric}`,
            );
          }
        }
      }
    });
  }

  for (const invalid of vectors.invalid_rouge_types) {
    it(`rejects rouge type ${invalid.rouge_type}`, () => {
      expect(invalid.expected).toBe('ValueError');
      expect(() => rougeScore('a', 'a', {types: [invalid.rouge_type]})).toThrow(/rouge/);
    });
  }

  vectors.tokenizer_vectors.forEach((v, index) => {
    it(`tokenizer #${index} ${v.fn} ${JSON.stringify(v.input)}`, () => {
      const useStemmer = v.fn.includes('use_stemmer=True');
      expect(rougeTokenize(v.input, {useStemmer})).toEqual(v.expected);
      expect(rougeTokenize(v.input, {useStemmer})).toEqual(v.computed);
    });
  });
});

describe('ROUGE behaviour', () => {
  it('tokenizes like rouge-score: lowercase, non-[a-z0-9] runs become spaces', () => {
    expect(rougeTokenize("Café déjà-vu, it's 2024!")).toEqual([
      'caf',
      'd',
      'j',
      'vu',
      'it',
      's',
      '2024',
    ]);
  });

  it('stems only tokens longer than 3 characters', () => {
    expect(rougeTokenize('was cats running flies', {useStemmer: true})).toEqual([
      'was',
      'cat',
      'run',
      'fli',
    ]);
  });

  it('takes, per type, the target with the best F-measure (first on ties)', () => {
    const result = rougeScore(['a b c d', 'a b'], 'a b', {types: ['rouge1', 'rouge2']});
    expect(result.rouge1).toEqual({precision: 1, recall: 1, fmeasure: 1});
    const tie = rougeScore(['a x', 'x a'], 'a', {types: ['rougeL']});
    expect(tie.rougeL).toEqual({precision: 1, recall: 0.5, fmeasure: 2 / 3});
    expect(() => rougeScore([], 'a', {types: ['rouge1']})).toThrow(/at least one target/);
  });

  it('clips n-gram counts by the target counts', () => {
    const result = rougeScore('the cat', 'the the the', {types: ['rouge1']});
    expect(result.rouge1!.precision).toBeCloseTo(1 / 3, 15);
    expect(result.rouge1!.recall).toBeCloseTo(1 / 2, 15);
  });

  it('rougeLsum splits sentences on newlines and avoids double counting', () => {
    const result = rougeScore('a b\nc d', 'a b c d\na b', {types: ['rougeLsum', 'rougeL']});
    // union LCS hits a b (sentence 1) and c d (sentence 2), each token counted once
    expect(result.rougeLsum!.precision).toBe(4 / 6);
    expect(result.rougeLsum!.recall).toBe(1);
    expect(result.rougeLsum!.fmeasure).toBeCloseTo(0.8, 15);
    // plain rougeL sees one sequence: LCS(a b c d, a b c d a b) = 4
    expect(result.rougeL).toEqual({
      precision: 4 / 6,
      recall: 1,
      fmeasure: result.rougeLsum!.fmeasure,
    });
  });
});
