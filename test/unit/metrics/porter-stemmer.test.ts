import {describe, expect, it} from 'vitest';
import {porterStem} from '../../../src/eval/metrics/index.js';

/** Outputs of NLTK's `PorterStemmer().stem(word)` (NLTK_EXTENSIONS mode). */
const NLTK_STEMS: ReadonlyArray<readonly [string, string]> = [
  // irregular forms pool
  ['dying', 'die'],
  ['lying', 'lie'],
  ['tying', 'tie'],
  ['skies', 'sky'],
  ['sky', 'sky'],
  ['news', 'news'],
  ['innings', 'inning'],
  ['outings', 'outing'],
  ['cannings', 'canning'],
  ['proceed', 'proceed'],
  ['exceed', 'exceed'],
  ['succeed', 'succeed'],
  // step 1a / 1b (including NLTK's 4-letter 'ies'/'ied' rules)
  ['caresses', 'caress'],
  ['ponies', 'poni'],
  ['flies', 'fli'],
  ['dies', 'die'],
  ['died', 'die'],
  ['spied', 'spi'],
  ['cats', 'cat'],
  ['was', 'wa'],
  ['feed', 'feed'],
  ['agreed', 'agre'],
  ['plastered', 'plaster'],
  ['motoring', 'motor'],
  ['sing', 'sing'],
  ['running', 'run'],
  ['hopping', 'hop'],
  ['meeting', 'meet'],
  ['friends', 'friend'],
  ['conflated', 'conflat'],
  // step 1c: (*c and not c) Y -> I
  ['happy', 'happi'],
  ['enjoy', 'enjoy'],
  ['fairly', 'fairli'],
  // steps 2-5
  ['generously', 'gener'],
  ['relational', 'relat'],
  ['conditional', 'condit'],
  ['sensitivity', 'sensit'],
  ['generalizations', 'gener'],
  ['oscillators', 'oscil'],
  ['electrical', 'electr'],
  ['hopeful', 'hope'],
  ['goodness', 'good'],
  ['adjustment', 'adjust'],
  ['controll', 'control'],
  ['roll', 'roll'],
  ['cease', 'ceas'],
  ['rate', 'rate'],
  ['the', 'the'],
  // NLTK's 'logi' -> 'log' keeps the l with the stem
  ['geology', 'geolog'],
  ['archaeology', 'archaeolog'],
  // words of 1-2 characters are returned lowercased, unstemmed
  ['is', 'is'],
  ['As', 'as'],
];

describe('porterStem (NLTK PorterStemmer, NLTK_EXTENSIONS)', () => {
  for (const [word, stem] of NLTK_STEMS) {
    it(`${word} -> ${stem}`, () => {
      expect(porterStem(word)).toBe(stem);
    });
  }

  it('lowercases its input like stem(word, to_lowercase=True)', () => {
    expect(porterStem('Running')).toBe('run');
    // nltk/test/unit/test_stem.py test_lowercase_option
    expect(porterStem('On')).toBe('on');
    expect(porterStem('I')).toBe('i');
    expect(porterStem('Github')).toBe('github');
  });

  it("stems 'oed' without error (nltk/test/unit/test_stem.py test_oed_bug)", () => {
    expect(porterStem('oed')).toBe('o');
  });

  it('matches the NLTK stem.doctest plurals example', () => {
    const plurals = [
      'caresses',
      'flies',
      'dies',
      'mules',
      'denied',
      'died',
      'agreed',
      'owned',
      'humbled',
      'sized',
      'meeting',
      'stating',
      'siezing',
      'itemization',
      'sensational',
      'traditional',
      'reference',
      'colonizer',
      'plotted',
    ];
    expect(plurals.map(porterStem).join(' ')).toBe(
      'caress fli die mule deni die agre own humbl size meet ' +
        'state siez item sensat tradit refer colon plot',
    );
  });
});
