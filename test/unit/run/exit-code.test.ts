import {describe, expect, it} from 'vitest';
import {EXIT, exitCodeOf} from '../../../src/run/exit-code.js';

describe('exit codes', () => {
  it('picks the most urgent: 130 > 2 > 1 > 3 > 0', () => {
    expect(exitCodeOf([])).toBe(EXIT.ok);
    expect(exitCodeOf([0, 3])).toBe(3);
    expect(exitCodeOf([3, 1])).toBe(1);
    expect(exitCodeOf([1, 2, 3])).toBe(2);
    expect(exitCodeOf([2, 130, 1])).toBe(130);
  });
});
