import {luhnValid} from './luhn.js';

/**
 * The built-in personal-data patterns of `redact`. Each is a global regex plus a check of the
 * match that the regex alone cannot express (a checksum, a digit count); a match that fails the
 * check is left as it is. The regexes are written so that backtracking stays linear: digit runs
 * are separated by mandatory separators, and matches start only where a token starts.
 */
export interface PiiPattern {
  readonly regex: RegExp;
  /** The replacement for a match, or undefined to keep it. */
  readonly check: (match: string) => string | undefined;
  /** A cheap test that the text may hold a match at all. */
  readonly mayMatch: (text: string) => boolean;
}

const DIGIT = /\d/;
const hasDigit = (text: string) => DIGIT.test(text);

/**
 * Card numbers: 13 to 19 digits, optionally grouped by single spaces or hyphens, Luhn-valid.
 * Not inside a longer run of digits or digit groups, not glued to letters (hex ids, hashes), not
 * after '+' (an international phone number).
 */
export const CARD: PiiPattern = {
  regex: /(?<![\p{L}\p{N}_+])(?<!\d[ -])\d(?:[ -]?\d){12,18}(?![ -]?\d)(?![\p{L}\p{N}_])/gu,
  check: (match) => (luhnValid(match.replace(/[ -]/g, '')) ? '[CARD]' : undefined),
  mayMatch: hasDigit,
};

/**
 * Email addresses: local@domain.tld. The local part may use letters, digits and . _ % + -; the
 * domain is ASCII (no IDN), dot-separated labels of letters, digits and hyphens, ending in a TLD
 * of two or more letters, so `a@b` and `a@b.c` are not addresses. Starts only where the local
 * part's run of characters starts.
 */
export const EMAIL: PiiPattern = {
  regex:
    /(?<![\p{L}\p{N}._%+-])[\p{L}\p{N}._%+-]+@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,}(?![\p{L}\p{N}_-])/gu,
  check: () => '[EMAIL]',
  mayMatch: (text) => text.includes('@'),
};

/**
 * Phone numbers, in two forms; never a bare run of digits (years, prices, ids, dates):
 * - international: '+', then digit groups separated by single spaces, dots or hyphens, or
 *   bracketed (`+44 20 7946 0958`, `+1-202-555-0143`, `+1 (555) 123-4567`, `+442079460958`,
 *   `+33 1 23 45 67 89`), 7 to 15 digits in all (E.164). Groups after the first two have two
 *   digits or more, so a number that follows (`+1 555 123 4567 2 apples`) is not swallowed;
 * - North American: `(555) 123-4567`, `555-123-4567`, `555.123.4567`, `555 123 4567`,
 *   optionally after `1-`.
 */
export const PHONE: PiiPattern = {
  regex: new RegExp(
    [
      String.raw`(?<![\p{L}\p{N}_+])\+\d+(?:[ .\-]\d(?!\d))?(?:[ .\-]?\(\d{1,4}\)[ .\-]?\d+|[ .\-]\d{2,})*`,
      String.raw`(?<![\p{L}\p{N}_+]|\d[ .\-]?)(?:1[ .\-])?(?:\(\d{3}\) ?|\d{3}[ .\-])\d{3}[ .\-]\d{4}(?![ .\-]?\d)(?![\p{L}\p{N}_])`,
    ].join('|'),
    'gu',
  ),
  check: (match) => {
    if (match[0] !== '+') return '[PHONE]';
    let digits = 0;
    for (let i = 0; i < match.length; i++) {
      const c = match.charCodeAt(i);
      if (c >= 48 && c <= 57) digits++;
    }
    return digits >= 7 && digits <= 15 ? '[PHONE]' : undefined;
  },
  mayMatch: hasDigit,
};
