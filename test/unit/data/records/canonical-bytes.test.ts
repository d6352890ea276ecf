import {describe, expect, it} from 'vitest';
import {canonicalJson} from '../../../../src/core/canonical-json.js';
import {
  ABSENT,
  CanonicalWriter,
  ESCAPED,
  OTHER,
  PLAIN,
} from '../../../../src/data/records/canonical-bytes.js';
import {FastCanonicalWriter} from '../../../../src/data/records/fast-canonical-writer.js';
import {random} from '../../../helpers/random.js';

/**
 * canonicalJson(JSON.parse(line)) as UTF-8, or undefined when JSON.parse refuses the line or
 * canonical JSON has no form for it (1e400 parses to Infinity).
 */
function expected(line: string): Buffer | undefined {
  try {
    return Buffer.from(canonicalJson(JSON.parse(line)));
  } catch {
    return undefined;
  }
}

/** Random JSON texts and near-JSON ones: nested values, every kind of escape and number. */
function texts(count: number, seed: number): string[] {
  const next = random(seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
  const strings = [
    '"plain"',
    '"caf\u00e9 \u6771\u4eac \u2028"',
    '"caf\\u00e9"',
    '"\\u6771\\u4EAC"',
    '"tab\\there \\"q\\" \\\\ \\n \\r \\b \\f"',
    '"\\u001f"',
    '"\\u001F"',
    '"\\u0041"',
    '"a\\/b"',
    '"\\ud83d\\ude00"',
    '"\\ud800"',
    '"\\udc00x"',
    '"bad \\x"',
    '"raw\ttab"',
    '""',
    '"unterminated',
  ];
  const numbers = [
    '0',
    '-0',
    '7',
    '-42',
    '123456789012345',
    '1234567890123456',
    '12345678901234567890',
    '1.5',
    '1.50',
    '-0.0',
    '1e2',
    '1E-7',
    '2.5e+30',
    '0.1000000000000000055511151231257827',
    '1e400',
    '01',
    '1.',
    '-',
    '.5',
  ];
  const keys = [
    '"a"',
    '"b"',
    '"q"',
    '"ab"',
    '"B"',
    '"__proto__"',
    '"7"',
    '"10"',
    '"a\\u0062"',
    '"é"',
  ];
  const space = ['', ' ', '  ', '\t', '\r\n'];
  const value = (depth: number): string => {
    const r = next();
    if (depth < 4 && r < 0.15) {
      const members = Array.from({length: Math.floor(next() * 5)}, () => {
        return `${pick(space)}${pick(keys)}${pick(space)}:${pick(space)}${value(depth + 1)}`;
      });
      return `{${members.join(next() < 0.97 ? ', ' : ' ')}}`;
    }
    if (depth < 4 && r < 0.25) {
      const items = Array.from({length: Math.floor(next() * 4)}, () => value(depth + 1));
      return `[${items.join(next() < 0.97 ? `,${pick(space)}` : '')}]`;
    }
    if (r < 0.55) return pick(strings);
    if (r < 0.85) return pick(numbers);
    return pick(['true', 'false', 'null', 'nul', 'tru']);
  };
  return Array.from({length: count}, () => {
    const members = Array.from({length: Math.floor(next() * 6)}, () => {
      return `${pick(keys)}: ${value(1)}`;
    });
    let text = `${pick(space)}{${members.join(', ')}}${pick(space)}`;
    if (next() < 0.03) text = text.slice(0, Math.floor(next() * text.length));
    return text;
  });
}

// FastCanonicalWriter (WebAssembly, with CanonicalWriter for what it leaves) must behave exactly
// as CanonicalWriter: every test runs on both.
describe.each([
  ['CanonicalWriter', CanonicalWriter],
  ['FastCanonicalWriter', FastCanonicalWriter],
])('canonical JSON from bytes (%s)', (_name, CanonicalWriter) => {
  it('writes exactly canonicalJson(JSON.parse(text)) for every text it takes, and takes no invalid one', () => {
    const writer = new CanonicalWriter();
    let taken = 0;
    let valid = 0;
    for (const text of texts(30_000, 11)) {
      const bytes = Buffer.from(text);
      const want = expected(text);
      if (want) valid++;
      if (!writer.write(bytes, 0, bytes.length)) continue;
      taken++;
      expect(want, text).toBeDefined();
      expect(writer.buffer.subarray(0, writer.length).toString(), text).toBe(want!.toString());
    }
    // It takes most valid texts; what it leaves (escaped or non-ASCII keys, repeated keys) is
    // parsed the ordinary way.
    expect(valid).toBeGreaterThan(5_000);
    expect(taken).toBeGreaterThan(valid / 2);
  });

  it('locates the wanted top-level fields in its output, as JSON.parse reads them', () => {
    const writer = new CanonicalWriter(['a', 'q', '__proto__']);
    let located = 0;
    for (const text of texts(10_000, 12)) {
      const bytes = Buffer.from(text);
      if (!writer.write(bytes, 0, bytes.length)) continue;
      const value = JSON.parse(text) as Record<string, unknown>;
      for (const [k, name] of ['a', 'q', '__proto__'].entries()) {
        const field = Object.hasOwn(value, name) ? value[name] : undefined;
        const state = writer.state[k];
        if (state === ABSENT) {
          expect(field, text).toBeUndefined();
          continue;
        }
        located++;
        const out = writer.buffer.toString('utf8', writer.start[k], writer.end[k]);
        expect(out, text).toBe(canonicalJson(field));
        if (state === OTHER) expect(typeof field, text).not.toBe('string');
        else {
          expect(typeof field, text).toBe('string');
          expect(state === ESCAPED, text).toBe(out.includes('\\'));
          expect(state === PLAIN || state === ESCAPED).toBe(true);
        }
      }
    }
    expect(located).toBeGreaterThan(800);
  });

  it('takes what Python json.dumps writes, and refuses repeated and escaped keys', () => {
    const writer = new CanonicalWriter();
    const python =
      '{"id": "t-1", "question": "caf\\u00e9?", "n": 1.50, "tags": ["a", {"z": 1, "b": -0}]}';
    const bytes = Buffer.from(python);
    expect(writer.write(bytes, 0, bytes.length)).toBe(true);
    expect(writer.buffer.toString('utf8', 0, writer.length)).toBe(
      '{"id":"t-1","n":1.5,"question":"café?","tags":["a",{"b":0,"z":1}]}',
    );
    for (const refused of ['{"a": 1, "a": 2}', '{"\\u0061": 1}', '{"é": 1}', '{"a": 1}x']) {
      const b = Buffer.from(refused);
      expect(writer.write(b, 0, b.length), refused).toBe(false);
    }
  });

  it('sorts lines with the same keys in the same order as the first of them', () => {
    const writer = new CanonicalWriter(['a', 'c']);
    const lines = [
      '{"b": 1, "a": 2}',
      '{"b": 3, "a": "x"}',
      '{"a": 5, "b": 6}',
      '{"b": 7, "a": 8, "c": 9}',
      '{"b": 7, "a": 8, "c": 9}',
      '{"bb": 1, "a": 2}',
      '{"b": 1, "a": {"d": 1, "c": 2}}',
      '{"b": 1, "b": 2}',
      '{"b": 1, "a": 2}',
    ];
    const out = lines.map((line) => {
      const bytes = Buffer.from(line);
      return writer.write(bytes, 0, bytes.length)
        ? [writer.buffer.toString('utf8', 0, writer.length), writer.state[0], writer.state[1]]
        : false;
    });
    expect(out).toEqual([
      ['{"a":2,"b":1}', OTHER, ABSENT],
      ['{"a":"x","b":3}', PLAIN, ABSENT],
      ['{"a":5,"b":6}', OTHER, ABSENT],
      ['{"a":8,"b":7,"c":9}', OTHER, OTHER],
      ['{"a":8,"b":7,"c":9}', OTHER, OTHER],
      ['{"a":2,"bb":1}', OTHER, ABSENT],
      ['{"a":{"c":2,"d":1},"b":1}', OTHER, ABSENT],
      false,
      ['{"a":2,"b":1}', OTHER, ABSENT],
    ]);
  });

  it('copies a number only when JSON.stringify writes it the same way', () => {
    const writer = new CanonicalWriter();
    const next = random(3);
    const digits = (n: number) => Array.from({length: n}, () => Math.floor(next() * 10)).join('');
    const numbers = ['0.000001', '0.0000001', '0.0000010', '-0.5', '-0.0', '100000000000000.5'];
    for (let k = 0; k < 20_000; k++) {
      const int =
        next() < 0.4 ? '0' : `${1 + Math.floor(next() * 9)}${digits(Math.floor(next() * 18))}`;
      const frac = next() < 0.2 ? '' : `.${digits(1 + Math.floor(next() * 18))}`;
      const exp = next() < 0.1 ? `e${next() < 0.5 ? '-' : ''}${Math.floor(next() * 30)}` : '';
      numbers.push(`${next() < 0.3 ? '-' : ''}${int}${frac}${exp}`);
    }
    for (const text of numbers) {
      const bytes = Buffer.from(`[${text}]`);
      expect(writer.write(bytes, 0, bytes.length), text).toBe(true);
      expect(writer.buffer.toString('utf8', 0, writer.length), text).toBe(
        `[${JSON.stringify(Number(text))}]`,
      );
    }
  });

  it('keeps a field named __proto__, as JSON.parse does (canonicalJson too)', () => {
    const text = '{"b": 1, "__proto__": {"x": 1}, "a": 2}';
    expect(canonicalJson(JSON.parse(text))).toBe('{"__proto__":{"x":1},"a":2,"b":1}');
    const writer = new CanonicalWriter();
    const bytes = Buffer.from(text);
    expect(writer.write(bytes, 0, bytes.length)).toBe(true);
    expect(writer.buffer.toString('utf8', 0, writer.length)).toBe(
      '{"__proto__":{"x":1},"a":2,"b":1}',
    );
  });
});

describe('the WebAssembly canonical writer', () => {
  it('writes, refuses and locates exactly what CanonicalWriter does, and writes most lines itself', () => {
    const fields = ['a', 'q', 'B', '__proto__'];
    const fast = new FastCanonicalWriter(fields);
    const js = new CanonicalWriter(fields);
    let taken = 0;
    const all = texts(30_000, 21);
    // Lines of one buffer, as a worker's chunk holds them.
    const chunk = Buffer.from(all.join('\n'));
    let from = 0;
    for (const text of all) {
      const to = from + Buffer.byteLength(text);
      const want = js.write(chunk, from, to);
      expect(fast.write(chunk, from, to), text).toBe(want);
      from = to + 1;
      if (!want) continue;
      taken++;
      expect(fast.buffer.toString('utf8', 0, fast.length), text).toBe(
        js.buffer.toString('utf8', 0, js.length),
      );
      for (let k = 0; k < fields.length; k++) {
        expect(fast.state[k], `${text} ${fields[k]}`).toBe(js.state[k]);
        if (js.state[k] === ABSENT) continue;
        expect(fast.buffer.toString('utf8', fast.start[k], fast.end[k])).toBe(
          js.buffer.toString('utf8', js.start[k], js.end[k]),
        );
      }
    }
    expect(taken).toBeGreaterThan(5_000);
    // The module wrote most of them; numbers JSON.stringify writes otherwise went to JavaScript.
    expect(fast.taken).toBeGreaterThan(taken / 2);
    expect(fast.taken).toBeLessThan(taken);
  });

  it('writes long lines and large chunks, growing its memory', () => {
    const fast = new FastCanonicalWriter(['text']);
    const long = 'x'.repeat(3_000_000);
    const lines = [
      JSON.stringify({text: long, b: 1}),
      `{"z": [${Array.from({length: 20_000}, (_, i) => `{"k${i % 7}": ${i}}`).join(', ')}], "text": "caf\\u00e9"}`,
      JSON.stringify({text: 'short'}),
    ];
    for (const line of lines) {
      const bytes = Buffer.from(line);
      expect(fast.write(bytes, 0, bytes.length)).toBe(true);
      expect(fast.buffer.toString('utf8', 0, fast.length)).toBe(canonicalJson(JSON.parse(line)));
      expect(fast.buffer.toString('utf8', fast.start[0], fast.end[0])).toBe(
        JSON.stringify(JSON.parse(line).text),
      );
    }
    expect(fast.taken).toBe(3);
  });
});
