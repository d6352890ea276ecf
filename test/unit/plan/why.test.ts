import {describe, expect, it} from 'vitest';
import type {Sha256} from '../../../src/core/hash.js';
import {type FileEntry, type FileSet, fileSetOf} from '../../../src/plan/fingerprint.js';
import {diffFingerprints, NAMED_FILES} from '../../../src/plan/why.js';

describe('diffFingerprints', () => {
  it('lists every leaf that differs, with old and new values, in a stable order', () => {
    const before = {
      kind: 'dataset',
      sources: {qa: 'sha256:aa', extra: 'sha256:cc'},
      transforms: [{template: {user: '{{q}}'}}, {split: {validation: 0.2, seed: 0}}],
    };
    const after = {
      kind: 'dataset',
      sources: {qa: 'sha256:bb'},
      transforms: [{template: {user: '{{q}}'}}, {split: {validation: 0.25, seed: 0}}, {x: 1}],
    };
    expect(diffFingerprints(before, after)).toEqual([
      {what: 'sources.extra', from: 'sha256:cc', to: null},
      {what: 'sources.qa', from: 'sha256:aa', to: 'sha256:bb'},
      {what: 'transforms[1].split.validation', from: 0.2, to: 0.25},
      {what: 'transforms[2]', from: null, to: {x: 1}},
    ]);
  });

  it('finds nothing between equal fingerprints whatever their key order', () => {
    expect(diffFingerprints({a: 1, b: {c: [1, 2]}}, {b: {c: [1, 2]}, a: 1})).toEqual([]);
  });

  it('reports a change of type at the node that changed', () => {
    expect(diffFingerprints({a: {b: 1}}, {a: [1]})).toEqual([{what: 'a', from: {b: 1}, to: [1]}]);
  });
});

describe('diffFingerprints on file sets', () => {
  const h = (c: string) => `sha256:${c.repeat(64)}` as Sha256;
  const list = (n: number, changed: ReadonlySet<number> = new Set()): FileEntry[] =>
    Array.from({length: n}, (_, i) => [
      `d/${String(i).padStart(4, '0')}`,
      h(changed.has(i) ? 'b' : 'a'),
    ]);
  const setOf = (files: FileEntry[]) => fileSetOf(files).set;
  const fp = (set: FileSet) => ({sources: {many: {path: 'd/*', file_set: set}}});

  it('is one entry with both sets when the lists cannot be read', () => {
    const [a, b] = [setOf(list(3)), setOf(list(4))];
    expect(diffFingerprints(fp(a), fp(b))).toEqual([
      {what: 'sources.many.file_set', from: a, to: b},
    ]);
  });

  it('counts and names what changed when the lists can be read, as per-file entries', () => {
    const before = list(5);
    const after = [
      ...list(5, new Set([2])).filter(([p]) => p !== 'd/0000'),
      ['d/9999', h('c')],
    ] as FileEntry[];
    const lists = new Map([before, after].map((l) => [setOf(l).sha256, l]));
    const why = diffFingerprints(fp(setOf(before)), fp(setOf(after)), {
      fileList: (x) => lists.get(x),
    });
    expect(why).toEqual([
      {
        what: 'sources.many.file_set',
        from: setOf(before),
        to: setOf(after),
        files: {added: 1, removed: 1, changed: 1},
      },
      {what: 'sources.many.files["d/0000"]', from: h('a'), to: null},
      {what: 'sources.many.files["d/0002"]', from: h('a'), to: h('b')},
      {what: 'sources.many.files["d/9999"]', from: null, to: h('c')},
    ]);
  });

  it(`names at most ${NAMED_FILES} files, and counts them all`, () => {
    const before = list(2000);
    const after = list(2000, new Set(Array.from({length: 1500}, (_, i) => i)));
    const lists = new Map([before, after].map((l) => [setOf(l).sha256, l]));
    const why = diffFingerprints(fp(setOf(before)), fp(setOf(after)), {
      fileList: (x) => lists.get(x),
    });
    expect(why[0]?.files).toEqual({added: 0, removed: 0, changed: 1500});
    expect(why).toHaveLength(1 + NAMED_FILES);
  });

  it('finds nothing between equal sets', () => {
    const set = setOf(list(3));
    expect(diffFingerprints(fp(set), fp({...set}))).toEqual([]);
  });
});
