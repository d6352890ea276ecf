/**
 * sacreBLEU `TercomTokenizer` (`tokenizers/tokenizer_ter.py`), a re-implementation of TERCOM's
 * `Normalizer.java`. With the defaults it only lowercases and collapses whitespace, which is
 * what TERCOM does without `-N`/`-P`.
 */

import {pyLower, pySplit} from '../python-text.js';

/** TERCOM normalisation switches (sacreBLEU `TER(...)` arguments in camelCase). */
export interface TercomTokenizerOptions {
  /** Enable character normalization (tokenize punctuation, unescape XML entities). Default false. */
  normalized?: boolean;
  /** Remove punctuation. Default false. */
  noPunct?: boolean;
  /** Special treatment of CJK characters (only with `normalized` and/or `noPunct`). Default false. */
  asianSupport?: boolean;
  /** Do not lowercase. Default false (TERCOM is case-insensitive by default). */
  caseSensitive?: boolean;
}

const ASIAN_PUNCT = /([\u3001\u3002\u3008-\u3011\u3014-\u301f\uff61-\uff65\u30fb])/gu;
const FULL_WIDTH_PUNCT = /([\uff0e\uff0c\uff1f\uff1a\uff1b\uff01\uff02\uff08\uff09])/gu;

function normalizeGeneralAndWestern(input: string): string {
  // language-independent (general) part
  let sent = input.replaceAll('\n-', ''); // strip end-of-line hyphenation and join lines
  sent = sent.replaceAll('\n', ' '); // join lines
  // handle XML escaped symbols
  sent = sent.replaceAll('&quot;', '"');
  sent = sent.replaceAll('&amp;', '&');
  sent = sent.replaceAll('&lt;', '<');
  sent = sent.replaceAll('&gt;', '>');
  // language-dependent (Western) part
  sent = ` ${sent} `;
  // tokenize punctuation
  sent = sent.replace(/([{-~[-`\u0020-&(-+:-@/])/gu, ' $1 ');
  // handle possessives
  sent = sent.replaceAll("'s ", " 's ");
  sent = sent.replace(/'s$/u, " 's");
  // tokenize period and comma unless preceded by a digit
  sent = sent.replace(/([^0-9])([.,])/gu, '$1 $2 ');
  // tokenize period and comma unless followed by a digit
  sent = sent.replace(/([.,])([^0-9])/gu, ' $1 $2');
  // tokenize dash when preceded by a digit
  sent = sent.replace(/([0-9])(-)/gu, '$1 $2 ');
  return sent;
}

function normalizeAsian(input: string): string {
  // Split Chinese chars and Japanese kanji down to character level
  // 4E00-9FFF CJK Unified Ideographs, 3400-4DBF CJK Unified Ideographs Extension A
  let sent = input.replace(/([\u4e00-\u9fff\u3400-\u4dbf])/gu, ' $1 ');
  // 31C0-31EF CJK Strokes, 2E80-2EFF CJK Radicals Supplement
  sent = sent.replace(/([\u31c0-\u31ef\u2e80-\u2eff])/gu, ' $1 ');
  // 3300-33FF CJK Compatibility, F900-FAFF CJK Compatibility Ideographs, FE30-FE4F CJK Compatibility Forms
  sent = sent.replace(/([\u3300-\u33ff\uf900-\ufaff\ufe30-\ufe4f])/gu, ' $1 ');
  // 3200-32FF Enclosed CJK Letters and Months (upstream range runs to U+3F22)
  sent = sent.replace(/([\u3200-\u3f22])/gu, ' $1 ');
  // Split Hiragana, Katakana, and KatakanaPhoneticExtensions only when adjacent to something else
  // (the upstream patterns are anchored with `^`, so in practice they only fire at the start).
  sent = sent.replace(/(^|^[\u3040-\u309f])([\u3040-\u309f]+)(?=$|^[\u3040-\u309f])/gu, '$1 $2 ');
  sent = sent.replace(/(^|^[\u30a0-\u30ff])([\u30a0-\u30ff]+)(?=$|^[\u30a0-\u30ff])/gu, '$1 $2 ');
  sent = sent.replace(/(^|^[\u31f0-\u31ff])([\u31f0-\u31ff]+)(?=$|^[\u31f0-\u31ff])/gu, '$1 $2 ');
  sent = sent.replace(ASIAN_PUNCT, ' $1 ');
  sent = sent.replace(FULL_WIDTH_PUNCT, ' $1 ');
  return sent;
}

function removePunct(sent: string): string {
  return sent.replace(/[.,?:;!"()]/gu, '');
}

function removeAsianPunct(sent: string): string {
  return sent.replace(ASIAN_PUNCT, '').replace(FULL_WIDTH_PUNCT, '');
}

/** Tokenizes one segment exactly like sacreBLEU's `TercomTokenizer.__call__`. */
export function tokenizeTercom(input: string, options: TercomTokenizerOptions = {}): string {
  if (input.length === 0) {
    return '';
  }
  let sent = options.caseSensitive ? input : pyLower(input);
  if (options.normalized) {
    sent = normalizeGeneralAndWestern(sent);
    if (options.asianSupport) {
      sent = normalizeAsian(sent);
    }
  }
  if (options.noPunct) {
    sent = removePunct(sent);
    if (options.asianSupport) {
      sent = removeAsianPunct(sent);
    }
  }
  return pySplit(sent).join(' ');
}
