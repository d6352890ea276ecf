import {describe, expect, it} from 'vitest';
import {
  type BleuOptions,
  corpusBleu,
  corpusChrf,
  corpusTer,
  rougeScore,
  sentenceBleu,
  sentenceChrf,
  sentenceTer,
  UNAVAILABLE_BLEU_TOKENIZERS,
} from '../../../src/eval/metrics/index.js';

const hyps = ['a b c'];
const refs = [['a b c']];

describe('BLEU option validation', () => {
  for (const tokenize of UNAVAILABLE_BLEU_TOKENIZERS) {
    it(`tokenize '${tokenize}' throws a clear "not available" error`, () => {
      expect(() => corpusBleu(hyps, refs, {tokenize})).toThrow(
        new RegExp(`BLEU tokenizer '${tokenize}' is not available in ft`),
      );
      expect(() => sentenceBleu('a', ['a'], {tokenize})).toThrow(/not available/);
    });
  }

  it('trgLang picks the sacreBLEU default tokenizer (ja -> ja-mecab is not available)', () => {
    expect(() => corpusBleu(hyps, refs, {trgLang: 'ja'})).toThrow(/'ja-mecab' is not available/);
    expect(corpusBleu(['我爱你'], [['我爱你']], {trgLang: 'zh'}).sysLen).toBe(3);
    expect(corpusBleu(['我爱你'], [['我爱你']]).sysLen).toBe(1);
  });

  it.each<[string, BleuOptions, RegExp]>([
    ['unknown tokenizer', {tokenize: 'moses'}, /Unknown BLEU tokenizer 'moses'/],
    ['unknown smoothing', {smoothMethod: 'add-one' as never}, /unknown smoothMethod 'add-one'/],
    ['negative smoothValue', {smoothValue: -1}, /smoothValue/],
    ['NaN smoothValue', {smoothValue: Number.NaN}, /smoothValue/],
    ['zero maxNgramOrder', {maxNgramOrder: 0}, /maxNgramOrder/],
    ['fractional maxNgramOrder', {maxNgramOrder: 2.5}, /maxNgramOrder/],
    ['non-boolean lowercase', {lowercase: 'yes' as never}, /lowercase/],
    ['non-boolean force', {force: 1 as never}, /force/],
    ['snake_case option', {smooth_method: 'exp'} as never, /unknown option 'smooth_method'/],
  ])('rejects %s', (_name, options, error) => {
    expect(() => corpusBleu(hyps, refs, options)).toThrow(error);
  });

  it('accepts smoothValue null (default) and force', () => {
    expect(corpusBleu(hyps, refs, {smoothValue: null, force: true}).score).toBeCloseTo(0, 12);
    expect(sentenceBleu('a b c', ['a b c'], {smoothValue: null}).score).toBeCloseTo(100, 10);
  });
});

describe('chrF option validation', () => {
  it.each<[string, object, RegExp]>([
    ['negative charOrder', {charOrder: -1}, /charOrder/],
    ['fractional wordOrder', {wordOrder: 1.5}, /wordOrder/],
    ['zero total order', {charOrder: 0, wordOrder: 0}, /at least 1/],
    ['negative beta', {beta: -2}, /beta/],
    ['non-boolean whitespace', {whitespace: 'no'}, /whitespace/],
    ['unknown option', {order: 6}, /unknown option 'order'/],
  ])('rejects %s', (_name, options, error) => {
    expect(() => corpusChrf(hyps, refs, options)).toThrow(error);
    expect(() => sentenceChrf('a', ['a'], options)).toThrow(error);
  });
});

describe('TER option validation', () => {
  it.each<[string, object, RegExp]>([
    ['non-boolean normalized', {normalized: 1}, /normalized/],
    ['snake_case option', {no_punct: true}, /unknown option 'no_punct'/],
  ])('rejects %s', (_name, options, error) => {
    expect(() => corpusTer(hyps, refs, options)).toThrow(error);
    expect(() => sentenceTer('a', ['a'], options)).toThrow(error);
  });
});

describe('ROUGE option validation', () => {
  it.each(['rougen', 'rouge0', 'rouge10', 'rougeLSum', 'rouge-1', ''])(
    'rejects type %j',
    (type) => {
      expect(() => rougeScore('a', 'a', {types: [type]})).toThrow(/rouge/);
    },
  );

  it('rejects splitSummaries: true as not available (needs NLTK punkt)', () => {
    expect(() =>
      rougeScore('a. b.', 'a. b.', {types: ['rougeLsum'], splitSummaries: true}),
    ).toThrow(/splitSummaries is not available/);
  });

  it('rejects unknown options and non-array types', () => {
    expect(() => rougeScore('a', 'a', {types: ['rouge1'], stemmer: true} as never)).toThrow(
      /unknown option 'stemmer'/,
    );
    expect(() => rougeScore('a', 'a', {types: 'rouge1'} as never)).toThrow(/types/);
  });
});
