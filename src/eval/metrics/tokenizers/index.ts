/**
 * The BLEU tokenizers of sacreBLEU v2.6.0 (`metrics/bleu.py`, `_TOKENIZERS`), by name.
 *
 * `none`, `13a`, `intl`, `char` and `zh` are pure string rules and are reimplemented exactly.
 * `ja-mecab`, `ko-mecab`, `spm`, `flores101` and `flores200` need MeCab dictionaries or
 * SentencePiece models that ft does not ship; asking for them throws instead of silently
 * producing numbers that would not match sacreBLEU.
 */

import {tokenize13a} from './tokenizer-13a.js';
import {tokenizeChar} from './tokenizer-char.js';
import {tokenizeIntl} from './tokenizer-intl.js';
import {tokenizeZh} from './tokenizer-zh.js';

export {tokenize13a} from './tokenizer-13a.js';
export {tokenizeChar} from './tokenizer-char.js';
export {tokenizeIntl} from './tokenizer-intl.js';
export {tokenizeRegexp} from './tokenizer-regexp.js';
export {isChineseChar, tokenizeZh} from './tokenizer-zh.js';

/** A sacreBLEU tokenizer: maps one (already lowercased, right-stripped) segment to tokens joined by spaces. */
export type BleuTokenizer = (line: string) => string;

/** Tokenizer names ft implements. */
export const AVAILABLE_BLEU_TOKENIZERS = ['none', 'zh', '13a', 'intl', 'char'] as const;

/** sacreBLEU tokenizer names that need external models or libraries and are rejected. */
export const UNAVAILABLE_BLEU_TOKENIZERS = [
  'ja-mecab',
  'ko-mecab',
  'spm',
  'flores101',
  'flores200',
] as const;

export type BleuTokenizerName = (typeof AVAILABLE_BLEU_TOKENIZERS)[number];

const UNAVAILABLE_REASONS: Record<(typeof UNAVAILABLE_BLEU_TOKENIZERS)[number], string> = {
  'ja-mecab': 'it needs MeCab with the ipadic dictionary (mecab-python3)',
  'ko-mecab': 'it needs MeCab with the mecab-ko-dic dictionary (mecab-ko)',
  spm: 'it needs the FLORES-101 SentencePiece model (sentencepiece)',
  flores101: 'it needs the FLORES-101 SentencePiece model (sentencepiece)',
  flores200: 'it needs the FLORES-200 SentencePiece model (sentencepiece)',
};

const TOKENIZERS: Record<BleuTokenizerName, BleuTokenizer> = {
  none: (line) => line,
  zh: tokenizeZh,
  '13a': tokenize13a,
  intl: tokenizeIntl,
  char: tokenizeChar,
};

/**
 * Returns the sacreBLEU tokenizer called `name`.
 * @throws Error for tokenizers that need external models ("not available") and unknown names.
 */
export function getBleuTokenizer(name: string): BleuTokenizer {
  if (Object.hasOwn(TOKENIZERS, name)) {
    return TOKENIZERS[name as BleuTokenizerName];
  }
  if (Object.hasOwn(UNAVAILABLE_REASONS, name)) {
    const reason = UNAVAILABLE_REASONS[name as keyof typeof UNAVAILABLE_REASONS];
    throw new Error(
      `BLEU tokenizer '${name}' is not available in ft: ${reason}. ` +
        `Available tokenizers: ${AVAILABLE_BLEU_TOKENIZERS.join(', ')}.`,
    );
  }
  throw new Error(
    `Unknown BLEU tokenizer '${name}'. Available tokenizers: ${AVAILABLE_BLEU_TOKENIZERS.join(', ')} ` +
      `(sacreBLEU's ${UNAVAILABLE_BLEU_TOKENIZERS.join(', ')} need external models and are not available).`,
  );
}
