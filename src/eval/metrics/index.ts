/**
 * `finetune-build/metrics`: evaluation metrics that reproduce the reference implementations number for
 * number: sacreBLEU v2.6.0 (BLEU, chrF/chrF++, TER), Google's rouge-score 0.1.2 (ROUGE-N,
 * ROUGE-L, ROUGE-Lsum, with NLTK's Porter stemmer) and the official SQuAD v1.1 script (exact
 * match, token F1).
 */

export {
  type BleuOptions,
  type BleuScore,
  bleuTokenize,
  type ComputeBleuOptions,
  computeBleu,
  corpusBleu,
  type SmoothMethod,
  sentenceBleu,
} from './bleu.js';
export {
  type ChrfOptions,
  type ChrfScore,
  chrfFromStatistics,
  corpusChrf,
  sentenceChrf,
} from './chrf.js';
export {formatBleu, formatChrf, formatFixed, formatTer} from './format.js';
export {porterStem} from './porter-stemmer.js';
export type {ReferenceEntry} from './references.js';
export {type RougeOptions, type RougeScoreValue, rougeScore} from './rouge.js';
export {rougeTokenize} from './rouge-tokenizer.js';
export {exactMatch, normalizeAnswer, tokenF1} from './squad.js';
export {corpusTer, sentenceTer, type TerOptions, type TerScore, tercomTokenize} from './ter.js';
export {
  AVAILABLE_BLEU_TOKENIZERS,
  type BleuTokenizerName,
  UNAVAILABLE_BLEU_TOKENIZERS,
} from './tokenizers/index.js';
export {translationEditRate} from './translation-edit-rate.js';
