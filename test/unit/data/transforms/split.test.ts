import {execFileSync} from 'node:child_process';
import {describe, expect, it} from 'vitest';
import {canonicalJson} from '../../../../src/core/canonical-json.js';
import {groupOf, idOfCanonical} from '../../../../src/data/records/identity.js';
import {splitOf, splitPosition} from '../../../../src/data/transforms/split.js';

const records = Array.from({length: 2000}, (_, i) => ({
  question: `q${i} ✓ ünïcode`,
  answer: `a${i}`,
  customer: `c${i % 37}`,
}));
const idOf = (record: unknown) => idOfCanonical(canonicalJson(record));

describe('the split', () => {
  it('equals the documented definition, computed independently in Python', () => {
    const sample = records.slice(0, 50);
    // id = sha256(canonical JSON of the source record)[:32 hex]; k = sha256("split:<seed>")[:8];
    // u = splitmix64(int(id[:16], 16) ^ k) / 2^64; with `by`, the id is taken over the
    // canonical JSON of the list of the values.
    const script = `
import hashlib, json, sys
M = 2**64
def canonical(v):
    return json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
def ident(v):
    return hashlib.sha256(canonical(v).encode("utf-8")).hexdigest()[:32]
def splitmix64(z):
    z = (z + 0x9E3779B97F4A7C15) % M
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) % M
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) % M
    return z ^ (z >> 31)
k = int.from_bytes(hashlib.sha256(b"split:7").digest()[:8], "big")
def position(key):
    return splitmix64(int(key[:16], 16) ^ k) / 2**64
for line in sys.stdin:
    r = json.loads(line)
    print(ident(r), repr(position(ident(r))), repr(position(ident([r["customer"]]))))
`;
    const input = sample.map((r) => `${JSON.stringify(r)}\n`).join('');
    const python = execFileSync('python3', ['-c', script], {input, encoding: 'utf8'})
      .trim()
      .split('\n')
      .map((line) => line.split(' '));
    expect(
      sample.map((r) => [
        idOf(r),
        String(splitPosition(idOf(r), 7)),
        String(splitPosition(groupOf(r, ['customer']) as string, 7)),
      ]),
    ).toEqual(python.map(([id, u, g]) => [id, String(Number(u)), String(Number(g))]));
  });

  it('places each record by its own source, so adding one never moves another', () => {
    const options = {validation: 0.1, test: 0.1};
    const before = records.map((r) => splitOf(splitPosition(idOf(r), 0), options));
    const withExtra = [{question: 'new'}, ...records];
    const after = withExtra.slice(1).map((r) => splitOf(splitPosition(idOf(r), 0), options));
    expect(after).toEqual(before);
  });

  it('matches the fractions asked for, and depends on the seed', () => {
    const options = {validation: 0.2, test: 0.1};
    const counts = {train: 0, validation: 0, test: 0};
    for (const r of records) counts[splitOf(splitPosition(idOf(r), 0), options)]++;
    expect(counts.validation / records.length).toBeCloseTo(0.2, 1);
    expect(counts.test / records.length).toBeCloseTo(0.1, 1);
    const reseeded = records.filter(
      (r) =>
        splitOf(splitPosition(idOf(r), 1), options) !== splitOf(splitPosition(idOf(r), 0), options),
    );
    expect(reseeded.length).toBeGreaterThan(records.length / 5);
  });

  it('does not depend on key order', () => {
    expect(idOf({a: 1, b: 2})).toBe(idOf({b: 2, a: 1}));
  });

  it('groups: records with equal `by` values share a group; a missing field is named', () => {
    expect(groupOf({customer: 'x', q: 1}, ['customer'])).toBe(
      groupOf({customer: 'x', q: 2}, ['customer']),
    );
    expect(groupOf({customer: 'x'}, ['customer'])).not.toBe(groupOf({customer: 'y'}, ['customer']));
    expect(groupOf({customer: null}, ['customer'])).toMatch(/^[0-9a-f]{32}$/);
    expect(groupOf({q: 1}, ['customer', 'q'])).toEqual({missing: 'customer', names: ['q']});
  });
});

describe('positions', () => {
  /** splitmix64 with BigInt, the plain reading of the definition. */
  const splitmix64 = (x: bigint): bigint => {
    const M = (1n << 64n) - 1n;
    let z = (x + 0x9e3779b97f4a7c15n) & M;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M;
    return z ^ (z >> 31n);
  };

  it('equal splitmix64 of the id XOR the key, read as Python reads it, over 2^64', async () => {
    const {createHash} = await import('node:crypto');
    const {positionKey, positionOf} = await import('../../../../src/data/transforms/position.js');
    for (const [step, seed] of [
      ['split', 0],
      ['sample', 7],
      ['shuffle', 123456],
    ] as const) {
      const key = positionKey(step, seed);
      const k = createHash('sha256').update(`${step}:${seed}`).digest().readBigUInt64BE(0);
      expect(BigInt(key.hi) * 2n ** 32n + BigInt(key.lo)).toBe(k);
      const ids = [
        '0'.repeat(32),
        'f'.repeat(32),
        ...Array.from({length: 3000}, (_, i) =>
          createHash('sha256').update(String(i)).digest('hex').slice(0, 32),
        ),
      ];
      for (const id of ids) {
        const z = splitmix64(BigInt(`0x${id.slice(0, 16)}`) ^ k);
        expect(positionOf(id, key), id).toBe(Number(z) / 2 ** 64);
      }
    }
  });
});
