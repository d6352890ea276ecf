import {describe, expect, it} from 'vitest';
import {
  DEFAULT_JUDGE_PROMPT,
  judgeMessages,
  normalizedScore,
  parseScore,
} from '../../../src/eval/judge.js';

const TEN = {min: 1, max: 10};

describe("reading a judge's score", () => {
  it.each([
    ['Score: 7', 7],
    ['The answer is right.\nScore: 9', 9],
    ['7/10', 7],
    ['**8**', 8],
    ['8.', 8],
    ['{"score": 6}', 6],
    ['```json\n{"score": 6, "reason": "close"}\n```', 6],
    ['{"score": "5"}', 5],
    ['Reasoning: it misses 2 of 3 points.\n{"reasoning": "x", "score": 4}', 4],
    ['**Score:** 8', 8],
    ['Final score (1-10): 8', 8],
    ['Rating: 4 out of 10', 4],
    ['score = 3.5', 3.5],
    ['It mentions 3 facts; I would say 6/10 overall.', 6],
    ['At first I thought Score: 2, but on reflection Score: 5', 5],
    ['The score is 10', 10],
  ])('%j -> %d', (reply, score) => {
    expect(parseScore(reply, TEN)).toEqual({score});
  });

  it('reads `N out of M` on the scale of the judge', () => {
    expect(parseScore('Rating: 4 out of 5', {min: 1, max: 5})).toEqual({score: 4});
    expect(parseScore('Rating: 4 out of 5', TEN)).toEqual({
      error: 'it scores out of 5, and the scale is 1..10',
    });
  });

  it('refuses what is no score, or one off the scale', () => {
    expect(parseScore('Looks good to me.', TEN)).toEqual({error: 'it has no score'});
    expect(parseScore('It has 3 errors in 4 lines.', TEN)).toEqual({
      error: 'it has 2 numbers and no "Score: N" to say which is the score',
    });
    expect(parseScore('Score: 12', TEN)).toEqual({
      error: 'its score 12 is outside the scale 1..10',
    });
    expect(parseScore('{"score": 0}', TEN)).toEqual({
      error: 'its score 0 is outside the scale 1..10',
    });
    expect(parseScore('0.5', {min: 0, max: 1})).toEqual({score: 0.5});
  });

  it('normalizes a score to 0-1', () => {
    expect(normalizedScore(1, TEN)).toBe(0);
    expect(normalizedScore(10, TEN)).toBe(1);
    expect(normalizedScore(4, {min: 0, max: 8})).toBe(0.5);
  });
});

describe("a judge's prompt", () => {
  it('fills the placeholders in one pass', () => {
    const [message] = judgeMessages(
      'R={{rubric}} I={{ input }} A={{answer}} F={{reference}} {{min}}-{{max}}',
      {
        rubric: 'be right',
        input: [
          {role: 'system', content: 'terse'},
          {role: 'user', content: 'q?'},
        ],
        answer: 'an answer with {{rubric}} in it',
        reference: 'ref',
        scale: TEN,
      },
    );
    expect(message).toEqual({
      role: 'user',
      content: 'R=be right I=system: terse\nuser: q? A=an answer with {{rubric}} in it F=ref 1-10',
    });
  });

  it('by default asks for a last line "Score: N" on the scale', () => {
    const [message] = judgeMessages(DEFAULT_JUDGE_PROMPT, {
      rubric: 'r',
      input: [{role: 'user', content: 'q'}],
      answer: 'a',
      reference: 'b',
      scale: {min: 0, max: 5},
    });
    expect(message!.content).toContain('"Score: N", where N is a number from 0 to 5');
  });
});
