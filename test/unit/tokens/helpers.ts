import {readFileSync} from 'node:fs';
import type {EncodingName} from '../../../src/tokens/index.js';

/** One entry of test/fixtures/vectors/tokens.json. */
export interface TokenVector {
  encoding: string;
  input?: string;
  input_utf16_code_units?: number[];
  mode: string;
  expected_ids?: number[];
  reference_ids: number[];
  expected_decode_offsets?: number[];
  expected_relation?: string;
}

export interface VectorsFile {
  pat_str: Record<string, string>;
  special_tokens: Record<string, Record<string, number>>;
  vocab_verification: Record<string, {'sha256_expected_by_openai_public.py': string}>;
  vectors: TokenVector[];
}

export const vectorsFile: VectorsFile = JSON.parse(
  readFileSync(new URL('../../fixtures/vectors/tokens.json', import.meta.url), 'utf8'),
);

export const ENCODINGS: readonly EncodingName[] = ['cl100k_base', 'o200k_base'];

export function isSupported(encoding: string): encoding is EncodingName {
  return (ENCODINGS as readonly string[]).includes(encoding);
}

/** The input string of a vector (some are given as UTF-16 code units, e.g. a lone surrogate). */
export function vectorInput(v: TokenVector): string {
  if (v.input !== undefined) return v.input;
  return String.fromCharCode(...(v.input_utf16_code_units ?? []));
}

/** Whether the vector was computed with allowed_special='all'. */
export function allowsAllSpecial(v: TokenVector): boolean {
  return v.mode.includes("allowed_special='all'");
}

/** String#toWellFormed (ES2024; the project's lib setting is ES2023). */
export function wellFormed(text: string): string {
  return (String.prototype as unknown as {toWellFormed(this: string): string}).toWellFormed.call(
    text,
  );
}

/** Deterministic random numbers, so every run tests the same strings. */
export {random as prng} from '../../helpers/random.js';

/**
 * Building blocks for random text, chosen to hit every branch of both split patterns: all kinds
 * of whitespace (incl. U+0085 which is \s in tiktoken, U+FEFF which is not), letters of each case
 * category (Lu, Ll, Lt, Lm, Lo), marks, numbers of each kind, contractions (incl. U+017F), '/',
 * astral letters/digits/emoji, special-token text and lone surrogates.
 */
const ATOMS = [
  ' ',
  ' ',
  ' ',
  '  ',
  '\n',
  '\n',
  '\r\n',
  '\r',
  '\t',
  '\u000b',
  '\u000c',
  '\u0085',
  '\u00a0',
  '\u1680',
  '\u2000',
  '\u200a',
  '\u2028',
  '\u2029',
  '\u202f',
  '\u205f',
  '\u3000',
  '\ufeff',
  '\u200b',
  '\u180e',
  '\u001c',
  '\u0000',
  "'",
  "'s",
  "'S",
  "'\u017f",
  "'t",
  "'re",
  "'RE",
  "'rE",
  "'ve",
  "'m",
  "'ll",
  "'LL",
  "'d",
  "'D",
  "'x",
  '\u2019s',
  'hello',
  'World',
  'HELLO',
  '\u01c5emal',
  '\u01c8',
  '\u02b0',
  '\u02c8',
  'a',
  'B',
  'z',
  '\u03a9',
  '\u00df',
  '\u0130',
  '\u017f',
  'K',
  '\u212a',
  '\u0627',
  '\u0644\u0639\u0631\u0628\u064a\u0629',
  '\u0939\u093f\u0928\u094d\u0926\u0940',
  '\u0301',
  '\u0308',
  'e\u0301',
  '\u20dd',
  '\u0903',
  '\u0e44\u0e17\u0e22',
  '\u4e2d',
  '\u6587\u5b57',
  '\u3053\u3093\u306b\u3061\u306f',
  '\ud55c\uad6d\uc5b4',
  '\u041f\u0440\u0438\u0432\u0435\u0442',
  '0',
  '1',
  '12',
  '123',
  '1234',
  '\u0663',
  '\u00b2',
  '\u00bd',
  '\u216b',
  '\ud835\udfd8',
  '\u2460',
  '!',
  '.',
  ',',
  '?',
  '/',
  '//',
  '...',
  '(',
  ')',
  '{',
  '}',
  '<',
  '>',
  '|',
  '_',
  '-',
  '+',
  '=',
  '"',
  '#',
  '$',
  '%',
  '@',
  '\\',
  '`',
  '^',
  '&',
  '*',
  ';',
  ':',
  '[',
  ']',
  '\ud83d\udc4d',
  '\ud83c\udf0d',
  '\ud83d\udc68\u200d\ud83d\udc69\u200d\ud83d\udc67',
  '\ud83c\uddfa\ud83c\uddf8',
  '\u200d',
  '\ufe0f',
  '\ud835\udd18',
  '\ud835\udd1e',
  '\ud800\udf48',
  '<|endoftext|>',
  '<|endofprompt|>',
  '<|fim_prefix|>',
  '<|fim_middle|>',
  '<|fim_suffix|>',
  '<|im_start|>',
  '<|endoftext',
  '\ud83d',
  '\udc4d',
  '\u0120',
  '\u00ff',
  '\u0100',
  '\u007f',
  '\u0080',
  '\u07ff',
  '\u0800',
  '\uffff',
  '\udbff\udfff',
  '\ue000',
];

/** A random string of 1..maxAtoms building blocks, with occasional runs and random code points. */
export function randomText(rnd: () => number, maxAtoms = 40): string {
  const pick = () => ATOMS[Math.floor(rnd() * ATOMS.length)]!;
  const atoms = 1 + Math.floor(rnd() ** 2 * maxAtoms);
  let text = '';
  for (let k = 0; k < atoms; k++) {
    const r = rnd();
    if (r < 0.04) text += String.fromCodePoint(Math.floor(rnd() * 0x30000));
    else if (r < 0.06) text += String.fromCharCode(Math.floor(rnd() * 0x10000));
    else if (r < 0.09) text += pick().repeat(1 + Math.floor(rnd() * 20));
    else text += pick();
  }
  return text;
}
