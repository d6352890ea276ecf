import {execFileSync} from 'node:child_process';
import {describe, expect, it} from 'vitest';
import {canonicalJson} from '../../../src/core/canonical-json.js';
import {groupOf, idOfCanonical} from '../../../src/stages/records/identity.js';
import {splitOf, splitPosition} from '../../../src/stages/transforms/split.js';

const records = Array.from({length: 2000}, (_, i) => ({
  question: `q${i} ✓ ünïcode`,
  answer: `a${i}`,
  customer: `c${i % 37}`,
}));
const idOf = (record: unknown) => idOfCanonical(canonicalJson(record));

describe('the split', () => {
  it('equals the documented definition, computed independently in Python', () => {
    const sample = records.slice(0, 50);
    // id = sha256(canonical JSON of the source record)[:32 hex]; u = sha256("<seed>:" + id)[:8]
    // / 2^64; with `by`, the id is taken over the canonical JSON of the list of the values.
    const script = `
import hashlib, json, sys
def canonical(v):
    return json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
def ident(v):
    return hashlib.sha256(canonical(v).encode("utf-8")).hexdigest()[:32]
def position(key):
    h = hashlib.sha256(("7:" + key).encode("utf-8")).digest()
    return int.from_bytes(h[:8], "big") / 2**64
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
  it('equal the exact 64-bit reading of the digest, rounded as Python rounds', async () => {
    const {createHash} = await import('node:crypto');
    const {positionOf} = await import('../../../src/stages/transforms/position.js');
    // Every length around one SHA-256 block (55 characters hashed in-house, longer ones and
    // non-ASCII ones by the crypto library), and many ids.
    const texts = [
      ...Array.from({length: 2000}, (_, i) => createHash('md5').update(String(i)).digest('hex')),
      ...Array.from({length: 90}, (_, n) => 'x'.repeat(n)),
      ...Array.from({length: 10}, (_, n) => `é${'y'.repeat(n * 7)}`),
    ];
    for (const text of texts) {
      const digest = createHash('sha256').update(`9:${text}`).digest();
      expect(positionOf(text, '9:'), text).toBe(Number(digest.readBigUInt64BE(0)) / 2 ** 64);
    }
  });
});
