import {describe, expect, it} from 'vitest';
import {DataProblems} from '../../../../src/data/records/data-error.js';
import type {Example} from '../../../../src/data/records/example.js';
import {parseJson} from '../../../../src/data/records/parse-json.js';
import {lineTooLong, parseJsonl} from '../../../../src/data/records/parse-jsonl.js';
import {
  type LinePiece,
  maxTextBytes,
  STRING_LIMIT_BYTES,
  wholeLines,
} from '../../../../src/data/records/whole-lines.js';
import {random} from '../../../helpers/random.js';

async function* chunked(text: string | Buffer, sizes: () => number): AsyncGenerator<Buffer> {
  const bytes = Buffer.from(text);
  for (let at = 0; at < bytes.length; ) {
    const size = Math.max(1, sizes());
    yield bytes.subarray(at, at + size);
    at += size;
  }
}

/** What wholeLines yields, as text: lines pieces as they are, a too-long line as `<N>`. */
async function pieces(
  text: string,
  max: number,
  sizes: () => number,
  minBytes = 0,
): Promise<string[]> {
  const out: string[] = [];
  for await (const piece of wholeLines(chunked(text, sizes), {maxLineBytes: max, minBytes})) {
    out.push(piece.kind === 'lines' ? piece.bytes.toString() : `<${piece.bytes}>`);
  }
  return out;
}

/** The reference: every line in order, too-long ones as `<N>`. */
function expected(text: string, max: number): string[] {
  const lines = text.split('\n');
  const last = lines.pop()!;
  const all = [...lines.map((l) => ({l, nl: '\n'})), ...(last === '' ? [] : [{l: last, nl: ''}])];
  return all.map(({l, nl}) => (Buffer.byteLength(l) > max ? `<${Buffer.byteLength(l)}>` : l + nl));
}

/** Joins consecutive lines pieces, so that any cutting of the input compares equal. */
function merged(out: readonly string[]): string[] {
  const lines: string[] = [];
  for (const piece of out) {
    if (piece.startsWith('<')) lines.push(piece);
    else lines.push(...(piece.match(/[^\n]*\n|[^\n]+$/g) ?? []));
  }
  return lines;
}

describe('wholeLines', () => {
  it('yields whole lines and reports a line over the limit by its length, in input order', async () => {
    const text = 'a\nbb\n0123456789\nccc\n\nx';
    const out = await pieces(text, 5, () => 4);
    expect(merged(out)).toEqual(['a\n', 'bb\n', '<10>', 'ccc\n', '\n', 'x']);
    // Nothing of the long line is yielded, and no lines piece is cut inside a line.
    expect(out.join('')).not.toContain('0123');
    for (const piece of out.slice(0, -1)) if (!piece.startsWith('<')) expect(piece).toMatch(/\n$/);
  });

  it('reports a long first line, a long last line without a line end, and one read whole', async () => {
    expect(merged(await pieces('0123456789\nok\n', 5, () => 3))).toEqual(['<10>', 'ok\n']);
    expect(merged(await pieces('ok\n0123456789', 5, () => 3))).toEqual(['ok\n', '<10>']);
    expect(merged(await pieces('ok\n0123456789\nok\n', 5, () => 100))).toEqual([
      'ok\n',
      '<10>',
      'ok\n',
    ]);
    // At the limit exactly, a line is read.
    expect(merged(await pieces('01234\n', 5, () => 2))).toEqual(['01234\n']);
  });

  it('agrees with splitting the whole text, however the input is cut', async () => {
    const next = random(7);
    for (let round = 0; round < 300; round++) {
      const lines = Array.from({length: Math.floor(next() * 12)}, () =>
        'é'.repeat(Math.floor(next() * next() * 30)),
      );
      const text = lines.join('\n') + (next() < 0.5 ? '\n' : '');
      const max = 1 + Math.floor(next() * 40);
      const out = await pieces(text, max, () => 1 + Math.floor(next() * 50), next() < 0.5 ? 0 : 20);
      expect(merged(out), JSON.stringify({text, max})).toEqual(expected(text, max));
    }
  });

  it('with a reader that overwrites its one buffer (transient), yields the same lines', async () => {
    const next = random(11);
    for (let round = 0; round < 200; round++) {
      const lines = Array.from({length: Math.floor(next() * 12)}, () =>
        'é'.repeat(Math.floor(next() * next() * 30)),
      );
      const text = lines.join('\n') + (next() < 0.5 ? '\n' : '');
      const max = 1 + Math.floor(next() * 40);
      const bytes = Buffer.from(text);
      const shared = Buffer.alloc(64);
      // Each read lands in the same buffer, scribbled over once the next read is asked for.
      async function* reused(): AsyncGenerator<Buffer> {
        for (let at = 0; at < bytes.length; ) {
          const size = Math.min(1 + Math.floor(next() * 50), bytes.length - at);
          shared.fill(0x3f);
          bytes.copy(shared, 0, at, at + size);
          yield shared.subarray(0, size);
          at += size;
        }
        shared.fill(0x3f);
      }
      const given: Buffer[] = [];
      const alloc = (n: number) => {
        const b = Buffer.from(new ArrayBuffer(n + 8), 0, n);
        given.push(b);
        return b;
      };
      const out: string[] = [];
      const options = {maxLineBytes: max, minBytes: next() < 0.5 ? 0 : 20, own: true, alloc};
      for await (const piece of wholeLines(reused(), {...options, transient: true})) {
        if (piece.kind === 'lines') expect(given).toContain(piece.bytes);
        out.push(piece.kind === 'lines' ? piece.bytes.toString() : `<${piece.bytes}>`);
      }
      expect(merged(out), JSON.stringify({text, max})).toEqual(expected(text, max));
    }
  });

  it('counts a long line to its end, across many reads, and yields none of it', async () => {
    // 64 MiB of one line in 1 MiB reads, under a 1 MiB limit.
    const read = Buffer.alloc(1 << 20, 0x61);
    async function* lines(): AsyncGenerator<Buffer> {
      for (let i = 0; i < 64; i++) yield read;
      yield Buffer.from('\nafter\n');
    }
    const out: LinePiece[] = [];
    for await (const piece of wholeLines(lines(), {maxLineBytes: 1 << 20})) out.push(piece);
    expect(out.map((p) => (p.kind === 'lines' ? p.bytes.toString() : p.bytes))).toEqual([
      64 << 20,
      'after\n',
    ]);
  });
});

describe('the text limit', () => {
  it("is the engine's longest string unless FT_MAX_TEXT_BYTES lowers it", () => {
    const saved = process.env.FT_MAX_TEXT_BYTES;
    try {
      delete process.env.FT_MAX_TEXT_BYTES;
      expect(maxTextBytes()).toBe(STRING_LIMIT_BYTES);
      expect(STRING_LIMIT_BYTES).toBe(0x1fffffe8); // V8 on 64-bit: 2^29 - 24
      process.env.FT_MAX_TEXT_BYTES = '1000';
      expect(maxTextBytes()).toBe(1000);
      process.env.FT_MAX_TEXT_BYTES = String(2 ** 40);
      expect(maxTextBytes()).toBe(STRING_LIMIT_BYTES);
    } finally {
      if (saved === undefined) delete process.env.FT_MAX_TEXT_BYTES;
      else process.env.FT_MAX_TEXT_BYTES = saved;
    }
  });
});

describe('parsers at the text limit', () => {
  const where = {file: 'data/qa.jsonl', source: 'qa'};
  const collect = async (records: AsyncGenerator<Example[]>) => {
    const out: unknown[] = [];
    for await (const batch of records) for (const e of batch) out.push([e.origin.line, e.record]);
    return out;
  };

  it('JSONL: a line over the limit is a problem at its line; the lines around it are read', async () => {
    const long = JSON.stringify({prompt: 'x'.repeat(100)});
    const text = `{"a":1}\n${long}\n{"a":3}\n`;
    const problems = new DataProblems();
    const records = await collect(
      parseJsonl(
        chunked(text, () => 16),
        where,
        problems,
        64,
      ),
    );
    expect(records).toEqual([
      [1, {a: 1}],
      [3, {a: 3}],
    ]);
    expect(problems.errors().map((d) => [d.location?.line, d.message])).toEqual([
      [
        2,
        `the line is ${long.length} bytes, longer than FT_MAX_TEXT_BYTES (64 bytes), so ft cannot read it as one record; split it into smaller records, or leave it out (on_error: skip)`,
      ],
    ]);
  });

  it("names the engine's string limit when that is the one hit (a 600 MB line)", () => {
    expect(lineTooLong(629_145_628, STRING_LIMIT_BYTES)).toBe(
      'the line is 629,145,628 bytes, longer than the longest string JavaScript can hold (536,870,888 bytes), so ft cannot read it as one record; split it into smaller records, or leave it out (on_error: skip)',
    );
  });

  it('JSON: a file over the limit is a problem at its line 1, found before it is read whole', async () => {
    let reads = 0;
    async function* endless(): AsyncGenerator<Buffer> {
      yield Buffer.from('[{"a":"');
      for (;;) {
        reads++;
        yield Buffer.alloc(1000, 0x61);
      }
    }
    const problems = new DataProblems();
    const records = await collect(parseJson(endless(), where, problems, 10_000));
    expect(records).toEqual([]);
    expect(reads).toBeLessThanOrEqual(11);
    expect(problems.errors().map((d) => [d.location?.line, d.message])).toEqual([
      [
        1,
        'the file is larger than FT_MAX_TEXT_BYTES (10,000 bytes), and a .json source is read as one string; write it as JSONL (one record per line), which ft reads line by line',
      ],
    ]);
  });
});
