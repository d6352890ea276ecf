/**
 * NLTK's `PorterStemmer()` in its default `NLTK_EXTENSIONS` mode (`nltk/stem/porter.py`, NLTK
 * 3.8.1), which rouge-score uses for `use_stemmer=True`. Ported rule for rule, including NLTK's
 * departures from Porter (1980): the irregular-forms pool, no stemming of words of 1-2
 * characters, 'ies'/'ied' on 4-letter words, the 2-letter *o condition, the (*c and not c) Y->I
 * rule, ALLI handled before (a)bli and re-run, 'bli'->'ble', 'fulli'->'ful' and 'logi'->'log'.
 *
 * Words are handled as arrays of code points, like Python strings.
 */

/** NLTK's table of irregular forms, inverted (form -> stem). */
const POOL: ReadonlyMap<string, string> = new Map(
  Object.entries({
    sky: ['sky', 'skies'],
    die: ['dying'],
    lie: ['lying'],
    tie: ['tying'],
    news: ['news'],
    inning: ['innings', 'inning'],
    outing: ['outings', 'outing'],
    canning: ['cannings', 'canning'],
    howe: ['howe'],
    proceed: ['proceed'],
    exceed: ['exceed'],
    succeed: ['succeed'],
  }).flatMap(([stem, forms]) => forms.map((form): [string, string] => [form, stem])),
);

const VOWELS = new Set(['a', 'e', 'i', 'o', 'u']);

type Word = readonly string[];
type Condition = (stem: Word) => boolean;
/** A suffix rule: suffix to remove ('*d' = double consonant), replacement, condition. */
type Rule = readonly [suffix: string, replacement: string, condition: Condition | null];

function isConsonant(word: Word, i: number): boolean {
  const ch = word[i]!;
  if (VOWELS.has(ch)) {
    return false;
  }
  if (ch === 'y') {
    return i === 0 ? true : !isConsonant(word, i - 1);
  }
  return true;
}

/** Porter's m: the number of VC sequences in [C](VC){m}[V]. */
function measure(stem: Word): number {
  let m = 0;
  let previousIsVowel = false;
  for (let i = 0; i < stem.length; i++) {
    const consonant = isConsonant(stem, i);
    if (consonant && previousIsVowel) {
      m += 1;
    }
    previousIsVowel = !consonant;
  }
  return m;
}

function hasPositiveMeasure(stem: Word): boolean {
  return measure(stem) > 0;
}

function containsVowel(stem: Word): boolean {
  for (let i = 0; i < stem.length; i++) {
    if (!isConsonant(stem, i)) {
      return true;
    }
  }
  return false;
}

/** Condition *d: ends with a double consonant. */
function endsDoubleConsonant(word: Word): boolean {
  const n = word.length;
  return n >= 2 && word[n - 1] === word[n - 2] && isConsonant(word, n - 1);
}

/** Condition *o: ends cvc with the last c not w, x or y; NLTK also accepts a 2-letter vc word. */
function endsCvc(word: Word): boolean {
  const n = word.length;
  return (
    (n >= 3 &&
      isConsonant(word, n - 3) &&
      !isConsonant(word, n - 2) &&
      isConsonant(word, n - 1) &&
      !['w', 'x', 'y'].includes(word[n - 1]!)) ||
    (n === 2 && !isConsonant(word, 0) && isConsonant(word, 1))
  );
}

function endsWith(word: Word, suffix: string): boolean {
  const suffixChars = Array.from(suffix);
  if (suffixChars.length > word.length) {
    return false;
  }
  const offset = word.length - suffixChars.length;
  return suffixChars.every((ch, k) => word[offset + k] === ch);
}

/** `word` without its last `count` characters (count may be 0). */
function dropLast(word: Word, count: number): string[] {
  return word.slice(0, word.length - count);
}

function replaceSuffix(word: Word, suffix: string, replacement: string): string[] {
  return [...dropLast(word, Array.from(suffix).length), ...Array.from(replacement)];
}

/** NLTK `_apply_rule_list`: the first rule whose suffix matches decides (applied or not). */
function applyRuleList(word: Word, rules: readonly Rule[]): string[] {
  for (const [suffix, replacement, condition] of rules) {
    if (suffix === '*d' && endsDoubleConsonant(word)) {
      const stem = dropLast(word, 2);
      if (condition === null || condition(stem)) {
        return [...stem, ...Array.from(replacement)];
      }
      return [...word];
    }
    if (endsWith(word, suffix)) {
      const stem = dropLast(word, Array.from(suffix).length);
      if (condition === null || condition(stem)) {
        return [...stem, ...Array.from(replacement)];
      }
      return [...word];
    }
  }
  return [...word];
}

function step1a(word: Word): string[] {
  // NLTK: 'flies' -> 'fli' but 'dies' -> 'die'
  if (endsWith(word, 'ies') && word.length === 4) {
    return replaceSuffix(word, 'ies', 'ie');
  }
  return applyRuleList(word, [
    ['sses', 'ss', null],
    ['ies', 'i', null],
    ['ss', 'ss', null],
    ['s', '', null],
  ]);
}

function step1b(word: Word): string[] {
  // NLTK: 'spied' -> 'spi' but 'died' -> 'die'
  if (endsWith(word, 'ied')) {
    return word.length === 4 ? replaceSuffix(word, 'ied', 'ie') : replaceSuffix(word, 'ied', 'i');
  }
  // (m>0) EED -> EE
  if (endsWith(word, 'eed')) {
    const stem = dropLast(word, 3);
    return measure(stem) > 0 ? [...stem, 'e', 'e'] : [...word];
  }
  let intermediateStem: string[] | null = null;
  for (const suffix of ['ed', 'ing']) {
    if (endsWith(word, suffix)) {
      const candidate = dropLast(word, suffix.length);
      if (containsVowel(candidate)) {
        intermediateStem = candidate;
        break;
      }
    }
  }
  if (intermediateStem === null) {
    return [...word];
  }
  const last = intermediateStem[intermediateStem.length - 1]!;
  return applyRuleList(intermediateStem, [
    ['at', 'ate', null],
    ['bl', 'ble', null],
    ['iz', 'ize', null],
    // (*d and not (*L or *S or *Z)) -> single letter
    ['*d', last, () => !['l', 's', 'z'].includes(last)],
    // (m=1 and *o) -> E
    ['', 'e', (stem) => measure(stem) === 1 && endsCvc(stem)],
  ]);
}

function step1c(word: Word): string[] {
  // NLTK: (*c and not c) Y -> I, so 'happy' -> 'happi' but 'enjoy' -> 'enjoy'
  return applyRuleList(word, [
    ['y', 'i', (stem) => stem.length > 1 && isConsonant(stem, stem.length - 1)],
  ]);
}

function step2(word: Word): string[] {
  // NLTK: ALLI -> AL is applied first and, if it succeeds, step 2 runs again
  if (endsWith(word, 'alli') && hasPositiveMeasure(dropLast(word, 4))) {
    return step2(replaceSuffix(word, 'alli', 'al'));
  }
  return applyRuleList(word, [
    ['ational', 'ate', hasPositiveMeasure],
    ['tional', 'tion', hasPositiveMeasure],
    ['enci', 'ence', hasPositiveMeasure],
    ['anci', 'ance', hasPositiveMeasure],
    ['izer', 'ize', hasPositiveMeasure],
    ['bli', 'ble', hasPositiveMeasure],
    ['alli', 'al', hasPositiveMeasure],
    ['entli', 'ent', hasPositiveMeasure],
    ['eli', 'e', hasPositiveMeasure],
    ['ousli', 'ous', hasPositiveMeasure],
    ['ization', 'ize', hasPositiveMeasure],
    ['ation', 'ate', hasPositiveMeasure],
    ['ator', 'ate', hasPositiveMeasure],
    ['alism', 'al', hasPositiveMeasure],
    ['iveness', 'ive', hasPositiveMeasure],
    ['fulness', 'ful', hasPositiveMeasure],
    ['ousness', 'ous', hasPositiveMeasure],
    ['aliti', 'al', hasPositiveMeasure],
    ['iviti', 'ive', hasPositiveMeasure],
    ['biliti', 'ble', hasPositiveMeasure],
    ['fulli', 'ful', hasPositiveMeasure],
    // the 'l' of 'logi' -> 'log' is put with the stem ('geo', 'theo' work like 'archaeo')
    ['logi', 'log', () => hasPositiveMeasure(dropLast(word, 3))],
  ]);
}

function step3(word: Word): string[] {
  return applyRuleList(word, [
    ['icate', 'ic', hasPositiveMeasure],
    ['ative', '', hasPositiveMeasure],
    ['alize', 'al', hasPositiveMeasure],
    ['iciti', 'ic', hasPositiveMeasure],
    ['ical', 'ic', hasPositiveMeasure],
    ['ful', '', hasPositiveMeasure],
    ['ness', '', hasPositiveMeasure],
  ]);
}

function step4(word: Word): string[] {
  const measureGt1: Condition = (stem) => measure(stem) > 1;
  return applyRuleList(word, [
    ['al', '', measureGt1],
    ['ance', '', measureGt1],
    ['ence', '', measureGt1],
    ['er', '', measureGt1],
    ['ic', '', measureGt1],
    ['able', '', measureGt1],
    ['ible', '', measureGt1],
    ['ant', '', measureGt1],
    ['ement', '', measureGt1],
    ['ment', '', measureGt1],
    ['ent', '', measureGt1],
    // (m>1 and (*S or *T)) ION ->
    ['ion', '', (stem) => measure(stem) > 1 && ['s', 't'].includes(stem[stem.length - 1]!)],
    ['ou', '', measureGt1],
    ['ism', '', measureGt1],
    ['ate', '', measureGt1],
    ['iti', '', measureGt1],
    ['ous', '', measureGt1],
    ['ive', '', measureGt1],
    ['ize', '', measureGt1],
  ]);
}

function step5a(word: Word): string[] {
  // (m>1) E -> ; (m=1 and not *o) E -> (both conditions are tried, unlike _apply_rule_list)
  if (endsWith(word, 'e')) {
    const stem = dropLast(word, 1);
    if (measure(stem) > 1) {
      return stem;
    }
    if (measure(stem) === 1 && !endsCvc(stem)) {
      return stem;
    }
  }
  return [...word];
}

function step5b(word: Word): string[] {
  // (m > 1 and *d and *L) -> single letter
  return applyRuleList(word, [['ll', 'l', () => measure(dropLast(word, 1)) > 1]]);
}

/**
 * Stems one word exactly like NLTK's `PorterStemmer().stem(word)` (NLTK_EXTENSIONS mode,
 * `to_lowercase=True`).
 */
export function porterStem(word: string): string {
  const lowered = word.toLowerCase();
  const pooled = POOL.get(word);
  if (pooled !== undefined) {
    return pooled;
  }
  if (Array.from(word).length <= 2) {
    // strings of length 1 or 2 don't go through the stemming process (NLTK departure)
    return lowered;
  }
  let stem: string[] = Array.from(lowered);
  stem = step1a(stem);
  stem = step1b(stem);
  stem = step1c(stem);
  stem = step2(stem);
  stem = step3(stem);
  stem = step4(stem);
  stem = step5a(stem);
  stem = step5b(stem);
  return stem.join('');
}
