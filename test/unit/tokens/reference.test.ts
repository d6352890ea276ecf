import {readFileSync} from 'node:fs';
import {createRequire} from 'node:module';
import {describe, expect, it} from 'vitest';
import type {EncodingName} from '../../../src/tokens/index.js';
import {countTokens, encode} from '../../../src/tokens/index.js';
import {piecePattern} from '../../../src/tokens/pretokenize.js';
import {ENCODINGS, prng, randomText, wellFormed} from './helpers.js';

/**
 * A deliberately naive tiktoken: its own vocabulary parsing (Buffer base64), the documented regex
 * translation for splitting, and the merge loop of tiktoken's _educational.py. It shares nothing
 * with the optimised encoder (scanners, hash tables, heap merge, cache), so agreement on random
 * and pathological text checks all of those.
 */
class NaiveTokenizer {
  private readonly ranks = new Map<string, number>();

  constructor(private readonly encoding: EncodingName) {
    const path = createRequire(import.meta.url).resolve(`gpt-tokenizer/data/${encoding}.tiktoken`);
    for (const line of readFileSync(path, 'latin1').split('\n')) {
      if (line === '') continue;
      const [token, rank] = line.split(' ');
      this.ranks.set(Buffer.from(token!, 'base64').toString('latin1'), Number(rank));
    }
  }

  encode(text: string): number[] {
    const ids: number[] = [];
    for (const piece of wellFormed(text).match(piecePattern(this.encoding)) ?? []) {
      ids.push(...this.merge(Buffer.from(piece, 'utf8').toString('latin1')));
    }
    return ids;
  }

  /** Repeatedly merge the adjacent pair with the lowest rank (leftmost on ties). */
  merge(bytes: string): number[] {
    const parts = [...bytes];
    for (;;) {
      let best = -1;
      let bestRank = Number.POSITIVE_INFINITY;
      for (let i = 0; i < parts.length - 1; i++) {
        const rank = this.ranks.get(parts[i]! + parts[i + 1]!);
        if (rank !== undefined && rank < bestRank) {
          bestRank = rank;
          best = i;
        }
      }
      if (best < 0) break;
      parts.splice(best, 2, parts[best]! + parts[best + 1]!);
    }
    return parts.map((p) => this.ranks.get(p)!);
  }
}

describe.each(ENCODINGS)('%s matches a naive reference implementation', (encoding) => {
  const naive = new NaiveTokenizer(encoding);

  it('on 1500 random strings full of Unicode edge cases', () => {
    const rnd = prng(encoding === 'cl100k_base' ? 1 : 2);
    for (let n = 0; n < 1500; n++) {
      const text = randomText(rnd);
      const ids = encode(text, encoding);
      expect(ids, JSON.stringify(text)).toEqual(naive.encode(text));
      expect(countTokens(text, encoding)).toBe(ids.length);
    }
  });

  it('on long single pieces (the heap-based merge path)', () => {
    const rnd = prng(3);
    const alphabets = [
      'abcdefghijklmnopqrstuvwxyz',
      'aaaaab',
      '!@#$%^&*()-=+[]{};:,.<>?',
      '\u4e2d\u6587\u5b57\u65e5\u672c\u8a9e\ud55c\uad6d\uc5b4',
      '\u0430\u0431\u0432\u0433\u0434\u0435\u0436\u0437\u0438',
      '\ud83d\udc4d\ud83c\udf0d\ud83d\ude00',
    ];
    for (const alphabet of alphabets) {
      const chars = [...alphabet];
      for (const length of [97, 300, 1200]) {
        let text = '';
        for (let i = 0; i < length; i++) text += chars[Math.floor(rnd() * chars.length)];
        expect(encode(text, encoding), `${alphabet} x ${length}`).toEqual(naive.encode(text));
      }
      const run = chars[0]!.repeat(700);
      expect(encode(run, encoding)).toEqual(naive.encode(run));
    }
  });

  it('on a mixed document, whole and in parts', () => {
    const rnd = prng(4);
    const parts = Array.from({length: 200}, () => randomText(rnd, 10));
    const text = parts.join('');
    expect(encode(text, encoding)).toEqual(naive.encode(text));
  });
});
