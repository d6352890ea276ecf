import {describe, expect, it} from 'vitest';
import {suggest} from '../../../src/core/suggest.js';

describe('did you mean', () => {
  it('suggests the nearest name for typos, swapped neighbours counting as one', () => {
    const fields = ['question', 'answer', 'label', 'meta.lang'];
    expect(suggest('lable', fields)).toBe('label');
    expect(suggest('questoin', fields)).toBe('question');
    expect(suggest('answr', fields)).toBe('answer');
    expect(suggest('meta.lnag', fields)).toBe('meta.lang');
    expect(suggest('Label', fields)).toBe('label');
  });

  it('suggests nothing for names that are not near any', () => {
    expect(suggest('difficulty', ['question', 'answer', 'label'])).toBeUndefined();
    expect(suggest('x', [])).toBeUndefined();
    expect(suggest('ab', ['ba', 'cd'])).toBe('ba');
  });
});
