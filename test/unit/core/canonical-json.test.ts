import {describe, expect, it} from 'vitest';
import {
  canonicalJson,
  JsonTooDeep,
  MAX_JSON_DEPTH,
  stableJson,
} from '../../../src/core/canonical-json.js';

describe('canonicalJson (RFC 8785)', () => {
  it('serializes the RFC 8785 section 3.2.2 example exactly', () => {
    const value = JSON.parse(
      '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001], "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/", "literals": [null, true, false]}',
    );
    expect(canonicalJson(value)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('sorts keys by UTF-16 code units (RFC 8785 section 3.2.3)', () => {
    const value = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    // Read the key order off the text: JS objects list integer-like keys first.
    const keys = [...canonicalJson(value).matchAll(/"([^"]*)":/g)].map((m) =>
      JSON.parse(`"${m[1]}"`),
    );
    expect(keys).toEqual(['\r', '1', '\u0080', '\u00f6', '\u20ac', '\ud83d\ude00', '\ufb33']);
  });

  it('writes numbers in their shortest round-trip form', () => {
    expect(canonicalJson([1e21, 1e-7, -0, 0.1 + 0.2, 100, 5e-324])).toBe(
      '[1e+21,1e-7,0,0.30000000000000004,100,5e-324]',
    );
  });

  it('drops undefined members, keeps nested order-independence, rejects what JSON cannot hold', () => {
    expect(canonicalJson({b: {d: 1, c: [2, {z: 1, a: 2}]}, a: undefined})).toBe(
      '{"b":{"c":[2,{"a":2,"z":1}],"d":1}}',
    );
    expect(() => canonicalJson({x: Number.NaN})).toThrow(/no form/);
    expect(() => canonicalJson({x: () => 1})).toThrow(/no form/);
  });

  it('stableJson is sorted, indented and ends with a newline', () => {
    expect(stableJson({b: 1, a: [{d: 2, c: 3}]})).toBe(
      '{\n  "a": [\n    {\n      "c": 3,\n      "d": 2\n    }\n  ],\n  "b": 1\n}\n',
    );
  });
});

describe('canonicalJson fast and hand-written paths agree', () => {
  it('on integer-like keys, nested unsorted objects and arrays with holes', () => {
    expect(canonicalJson({b: 1, '10': 2, '9': 3, ' x': 4, a: {d: [1, undefined], c: null}})).toBe(
      '{" x":4,"10":2,"9":3,"a":{"c":null,"d":[1,null]},"b":1}',
    );
    expect(canonicalJson([{b: 1, a: 2}, {'1': {z: 0, y: 1}}])).toBe(
      '[{"a":2,"b":1},{"1":{"y":1,"z":0}}]',
    );
    const sorted = {a: 1, b: {c: [2, 3]}};
    expect(canonicalJson(sorted)).toBe(JSON.stringify(sorted));
    expect(() => canonicalJson({a: [1, Number.POSITIVE_INFINITY]})).toThrow(/no form/);
    expect(() => canonicalJson({a: new Date(0)})).toThrow(/toJSON/);
  });
});

describe('canonicalJson depth', () => {
  const nested = (depth: number, open: string, close: string, inner = '1') =>
    JSON.parse(`${open.repeat(depth)}${inner}${close.repeat(depth)}`) as unknown;

  it(`writes values nested ${MAX_JSON_DEPTH} deep, objects and arrays alike`, () => {
    expect(canonicalJson(nested(MAX_JSON_DEPTH, '[', ']'))).toBe(
      `${'['.repeat(MAX_JSON_DEPTH)}1${']'.repeat(MAX_JSON_DEPTH)}`,
    );
    expect(canonicalJson(nested(MAX_JSON_DEPTH, '{"b":1,"a":', '}'))).toBe(
      `${'{"a":'.repeat(MAX_JSON_DEPTH)}1${',"b":1}'.repeat(MAX_JSON_DEPTH)}`,
    );
    expect(canonicalJson(nested(MAX_JSON_DEPTH, '{"7":', '}'))).toBe(
      `${'{"7":'.repeat(MAX_JSON_DEPTH)}1${'}'.repeat(MAX_JSON_DEPTH)}`,
    );
  });

  it('refuses one level more with JsonTooDeep, however deep, never a stack overflow', () => {
    for (const depth of [MAX_JSON_DEPTH + 1, 5_000, 100_000]) {
      for (const [open, close] of [
        ['[', ']'],
        ['{"a":', '}'],
        ['{"7":', '}'], // integer-like keys take the hand-written path
      ] as const) {
        const value = nested(depth, open, close);
        expect(() => canonicalJson(value)).toThrow(JsonTooDeep);
      }
    }
  });
});
