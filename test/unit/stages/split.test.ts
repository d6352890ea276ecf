import {execFileSync} from 'node:child_process';
import {describe, expect, it} from 'vitest';
import {canonicalJson} from '../../../src/core/canonical-json.js';
import {splitOf, splitPosition} from '../../../src/stages/transforms/split.js';

const examples = Array.from({length: 2000}, (_, i) => ({
  messages: [
    {role: 'user', content: `q${i} ✓ ünïcode`},
    {role: 'assistant', content: `a${i}`},
  ],
}));

describe('the split', () => {
  it('equals the documented definition, computed independently in Python', () => {
    const sample = examples.slice(0, 50);
    const script = `
import hashlib, json, sys
for line in sys.stdin:
    h = hashlib.sha256(("7:" + line.rstrip("\\n")).encode("utf-8")).digest()
    print(repr(int.from_bytes(h[:8], "big") / 2**64))
`;
    const input = sample.map((e) => `${canonicalJson(e)}\n`).join('');
    const python = execFileSync('python3', ['-c', script], {input, encoding: 'utf8'})
      .trim()
      .split('\n')
      .map(Number);
    expect(sample.map((e) => splitPosition(e, 7))).toEqual(python);
  });

  it('puts each example by its own content, so adding one never moves another', () => {
    const options = {validation: 0.1, test: 0.1, seed: 0};
    const before = examples.map((e) => splitOf(splitPosition(e, 0), options));
    const withExtra = [{messages: [{role: 'user', content: 'new'}]}, ...examples];
    const after = withExtra.slice(1).map((e) => splitOf(splitPosition(e, 0), options));
    expect(after).toEqual(before);
  });

  it('matches the fractions asked for, and depends on the seed', () => {
    const options = {validation: 0.2, test: 0.1, seed: 0};
    const counts = {train: 0, validation: 0, test: 0};
    for (const e of examples) counts[splitOf(splitPosition(e, 0), options)]++;
    expect(counts.validation / examples.length).toBeCloseTo(0.2, 1);
    expect(counts.test / examples.length).toBeCloseTo(0.1, 1);
    const reseeded = examples.filter(
      (e) => splitOf(splitPosition(e, 1), options) !== splitOf(splitPosition(e, 0), options),
    );
    expect(reseeded.length).toBeGreaterThan(examples.length / 5);
  });

  it('does not depend on key order', () => {
    expect(splitPosition({a: 1, b: 2}, 0)).toBe(splitPosition({b: 2, a: 1}, 0));
  });
});

describe('positions', () => {
  it('equal the exact 64-bit reading of the digest, rounded as Python rounds', async () => {
    const {createHash} = await import('node:crypto');
    const {positionOf} = await import('../../../src/stages/transforms/position.js');
    for (let i = 0; i < 2000; i++) {
      const text = `{"i":${i}}`;
      const digest = createHash('sha256').update(`9:${text}`).digest();
      expect(positionOf(text, '9:')).toBe(Number(digest.readBigUInt64BE(0)) / 2 ** 64);
    }
  });
});
