import {describe, expect, it} from 'vitest';
import {
  corpusTer,
  formatTer,
  sentenceTer,
  type TerOptions,
  tercomTokenize,
  translationEditRate,
} from '../../../src/eval/metrics/index.js';
import {expectCloseToComputed, expectOnlyKnownKeys, expectWithin, loadVectors} from './vectors.js';

interface TerSettings {
  normalized?: boolean;
  no_punct?: boolean;
  asian_support?: boolean;
  case_sensitive?: boolean;
}

interface TerCase {
  id: string;
  api: string;
  hypotheses: string[];
  references_streams: (string | null)[][];
  settings: TerSettings;
  expected: {
    ter_fraction?: number;
    score?: number;
    tolerance_on_score?: number;
    assertion?: string;
  };
  computed: {score: number; num_edits: number; ref_length: number; formatted: string};
}

interface TokenizerVector {
  tokenizer_kwargs: TerSettings;
  input: string;
  expected: string;
}

const vectors = loadVectors<{cases: TerCase[]; tercom_tokenizer_vectors: TokenizerVector[]}>(
  'ter.json',
);

function toOptions(settings: TerSettings): TerOptions {
  const options: TerOptions = {};
  if (settings.normalized !== undefined) options.normalized = settings.normalized;
  if (settings.no_punct !== undefined) options.noPunct = settings.no_punct;
  if (settings.asian_support !== undefined) options.asianSupport = settings.asian_support;
  if (settings.case_sensitive !== undefined) options.caseSensitive = settings.case_sensitive;
  return options;
}

describe('TER vectors (sacreBLEU v2.6.0)', () => {
  it('has cases', () => {
    expect(vectors.cases.length).toBeGreaterThan(0);
    expect(vectors.tercom_tokenizer_vectors.length).toBeGreaterThan(0);
  });

  for (const c of vectors.cases) {
    it(c.id, () => {
      expect(c.api).toContain('corpus_score');
      const result = corpusTer(c.hypotheses, c.references_streams, toOptions(c.settings));
      expectOnlyKnownKeys(
        c.expected,
        ['ter_fraction', 'score', 'tolerance_on_score', 'assertion'],
        c.id,
      );
      expectWithin(
        result.score,
        100 * c.expected.ter_fraction!,
        c.expected.tolerance_on_score!,
        c.id,
      );
      expectWithin(result.score, c.expected.score!, c.expected.tolerance_on_score!, c.id);
      expect(result.numEdits).toBe(c.computed.num_edits);
      expectCloseToComputed(result.refLength, c.computed.ref_length, `${c.id} ref_length`);
      expectCloseToComputed(result.score, c.computed.score, `${c.id} score`);
      expect(formatTer(result)).toBe(c.computed.formatted);
    });
  }

  vectors.tercom_tokenizer_vectors.forEach((v, index) => {
    it(`tercom tokenizer #${index} ${JSON.stringify(v.tokenizer_kwargs)} ${JSON.stringify(v.input)}`, () => {
      expect(tercomTokenize(v.input, toOptions(v.tokenizer_kwargs))).toBe(v.expected);
    });
  });
});

/** ['w0', 'w1', ..., 'w{period-1}', 'w0', ...] of the given length. */
function periodic(length: number, period: number): string[] {
  return Array.from({length}, (_, i) => `w${i % period}`);
}

function rotate(words: string[], by: number): string[] {
  return [...words.slice(by), ...words.slice(0, by)];
}

describe('TER behaviour', () => {
  it('counts a block shift as one edit (TERCOM shifts)', () => {
    expect(translationEditRate('d e f g h a b c'.split(' '), 'a b c d e f g h'.split(' '))).toEqual(
      {numEdits: 1, refLength: 8},
    );
    // without a shift this would be 6 edits (3 deletions + 3 insertions)
    expect(translationEditRate(['b', 'a'], ['a', 'b'])).toEqual({numEdits: 1, refLength: 2});
  });

  // Regression values from a line-by-line Python transcription of sacreBLEU's lib_ter.py; the
  // last two stop at the 1000 shift candidates limit (sacreBLEU discards the pending shift then).
  it.each<[string, string[], string[], number]>([
    ['rotated halves', rotate(periodic(60, 7), 30), periodic(60, 7), 3],
    [
      'stride permutation (candidate limit)',
      periodic(60, 7).map((_, i, ref) => ref[(i * 7) % 60]!),
      periodic(60, 7),
      50,
    ],
    [
      'reversed repeats (candidate limit)',
      'a b c d e f g h i j '.repeat(8).trim().split(' ').reverse(),
      'a b c d e f g h i j '.repeat(8).trim().split(' '),
      66,
    ],
  ])('%s', (_name, hyp, ref, numEdits) => {
    expect(translationEditRate(hyp, ref)).toEqual({numEdits, refLength: ref.length});
  });

  it('picks the reference with the fewest edits and averages reference lengths', () => {
    const result = sentenceTer('a b c', ['a b c d e', 'x b c']);
    expect(result.numEdits).toBe(1);
    expect(result.refLength).toBe(4);
    expect(result.score).toBe(25);
  });

  it('is case-insensitive by default', () => {
    expect(sentenceTer('A B', ['a b']).score).toBe(0);
    expect(sentenceTer('A B', ['a b'], {caseSensitive: true}).score).toBe(100);
  });

  it('tokenizes references twice, like sacreBLEU', () => {
    // one normalization pass leaves "a's ." (the 's is followed by '.'); a second pass splits it
    expect(tercomTokenize("a's.", {normalized: true})).toBe("a's .");
    expect(tercomTokenize("a's .", {normalized: true})).toBe("a 's .");
    // so sacreBLEU's TER of a sentence against itself is not 0 here: the hypothesis is tokenized
    // once (a's .) and the reference twice (a 's .): one substitution and one insertion
    expect(sentenceTer("a's.", ["a's."], {normalized: true})).toEqual({
      score: 100 * (2 / 3), // sacreBLEU: 100 * (edits / ref_length)
      numEdits: 2,
      refLength: 3,
    });
  });

  it('handles empty hypotheses and references like sacreBLEU', () => {
    expect(corpusTer([''], [['a b']])).toEqual({score: 100, numEdits: 2, refLength: 2});
    expect(corpusTer(['a b'], [['']])).toEqual({score: 100, numEdits: 2, refLength: 0});
    expect(corpusTer([''], [['']])).toEqual({score: 0, numEdits: 0, refLength: 0});
  });
});
