/**
 * rouge-score's default tokenizer (`rouge_score/tokenize.py` via `tokenizers.DefaultTokenizer`,
 * rouge-score 0.1.2), which replicates Chin-Yew Lin's ROUGE-1.5.5 preprocessing.
 */

import {porterStem} from './porter-stemmer.js';

const NON_ALPHANUM = /[^a-z0-9]+/gu;
const SPACES = /\s+/u;
const VALID_TOKEN = /^[a-z0-9]+$/u;

/**
 * Tokenizes like rouge-score: lowercase (Python `str.lower()`), replace every run of characters
 * outside [a-z0-9] by a space (so non-ASCII letters are dropped), split on whitespace, optionally
 * Porter-stem tokens longer than 3 characters, and keep only non-empty [a-z0-9] tokens.
 */
export function rougeTokenize(text: string, options: {useStemmer?: boolean} = {}): string[] {
  const cleaned = text.toLowerCase().replace(NON_ALPHANUM, ' ');
  let tokens = cleaned.split(SPACES);
  if (options.useStemmer) {
    // Only stem words more than 3 characters in length.
    tokens = tokens.map((token) => (token.length > 3 ? porterStem(token) : token));
  }
  // One final check to drop any empty or invalid tokens.
  return tokens.filter((token) => VALID_TOKEN.test(token));
}
