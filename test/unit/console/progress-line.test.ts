import {describe, expect, it} from 'vitest';
import {clock, ProgressLines} from '../../../src/console/progress-line.js';

const at = (id: string, done: number, total: number) => ({
  event: 'progress' as const,
  id,
  message: `step ${done}/${total}`,
  done,
  total,
});

describe('progress lines', () => {
  it('shows elapsed time from the stage start and an ETA from this run’s rate', () => {
    let now = 0;
    const lines = new ProgressLines(() => now);
    lines.start('train:a');
    now = 5_000; // loading the model
    expect(lines.line(at('train:a', 400, 500))).toBe('step 400/500, 0:05 elapsed');
    now = 15_000; // 10 steps in 10 s: a resumed run's first 400 steps are not counted
    expect(lines.line(at('train:a', 410, 500))).toBe('step 410/500, 0:15 elapsed, ETA 1:30');
    now = 105_000;
    expect(lines.line(at('train:a', 500, 500))).toBe('step 500/500, 1:45 elapsed');
  });

  it('passes messages without counts through', () => {
    const lines = new ProgressLines(() => 0);
    expect(lines.line({event: 'progress', id: 'dataset', message: 'read a: 3 records'})).toBe(
      'read a: 3 records',
    );
  });

  it('gives a log that cannot redraw the first event, each tenth and the last', () => {
    const lines = new ProgressLines(() => 0);
    const printed = [];
    for (let step = 1; step <= 1000; step++) {
      if (lines.worthALine(at('train:a', step, 1000))) printed.push(step);
    }
    expect(printed).toEqual([1, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
    // Each stage counts on its own.
    expect(lines.worthALine(at('train:b', 3, 1000))).toBe(true);
  });

  it('formats durations as a clock', () => {
    expect(clock(7_000)).toBe('0:07');
    expect(clock(760_000)).toBe('12:40');
    expect(clock(3_723_000)).toBe('1:02:03');
    expect(clock(-5)).toBe('0:00');
  });
});
