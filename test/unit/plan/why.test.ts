import {describe, expect, it} from 'vitest';
import {diffFingerprints} from '../../../src/plan/why.js';

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
