import {describe, expect, it} from 'vitest';
import {type DedupeOptions, dedupeTransform} from '../../../../src/data/transforms/dedupe.js';
import {context, examples, random, run} from './helpers.js';

function options(overrides: Partial<DedupeOptions> = {}): DedupeOptions {
  return {
    by: null,
    missing: 'error',
    mode: 'exact',
    threshold: 0.8,
    shingle_size: 5,
    num_perm: 128,
    seed: 0,
    ...overrides,
  };
}

const dedupe = (overrides: Partial<DedupeOptions> = {}) =>
  dedupeTransform(options(overrides), context());

const chat = (user: string, assistant: string) => ({
  messages: [
    {role: 'user', content: user},
    {role: 'assistant', content: assistant},
  ],
});

const VOCABULARY = Array.from({length: 5000}, (_, i) => `word${i.toString(36)}`);

function longText(seed: number, n = 400): string {
  const next = random(seed);
  return Array.from({length: n}, () => VOCABULARY[Math.floor(next() * VOCABULARY.length)]).join(
    ' ',
  );
}

describe('dedupe, exact', () => {
  it('keeps the first occurrence and drops later equal records, key order aside', async () => {
    const step = dedupe();
    const batch = examples([
      {id: 1, text: 'a'},
      {id: 2, text: 'b'},
      {text: 'a', id: 1},
      {id: 1, text: 'a', extra: undefined},
      {id: 1, text: 'A'},
      {id: 2, text: 'b'},
    ]);
    const out = await step.process(batch);
    expect(out.map((e) => e.origin.line)).toEqual([1, 2, 5]);
    // The batch itself is reused, compacted in place.
    expect(out).toBe(batch);
    expect(step.summary()).toEqual({in: 6, out: 3, dropped: {duplicate: 3}, mode: 'exact'});
  });

  it('finds duplicates across batches', async () => {
    const step = dedupe();
    const records = Array.from({length: 50}, (_, i) => ({n: i % 20}));
    const out = await run(step, records, 7);
    expect(out).toEqual(Array.from({length: 20}, (_, i) => ({n: i})));
    expect(step.summary()).toMatchObject({in: 50, out: 20, dropped: {duplicate: 30}});
  });

  it('compares the tuple of the `by` fields; `missing` decides about records without one', async () => {
    const records = [
      {prompt: 'p', meta: {lang: 'en'}, answer: 1},
      {prompt: 'p', meta: {lang: 'en'}, answer: 2},
      {prompt: 'p', meta: {lang: 'de'}, answer: 3},
      {prompt: 'q', meta: {lang: 'en'}, answer: 4},
      {prompt: 'p', answer: 5},
      {prompt: 'p', meta: {lang: null}, answer: 6},
      {prompt: 'p', meta: 'not an object', answer: 7},
    ];
    const byPrompt = await run(dedupe({by: ['prompt']}), records);
    expect(byPrompt.map((r) => r.answer)).toEqual([1, 4]);
    // error (the default): the two records without meta.lang are data errors at their lines.
    const ctx = context();
    const failing = await run(
      dedupeTransform(options({by: ['prompt', 'meta.lang']}), ctx),
      records,
    );
    expect(failing.map((r) => r.answer)).toEqual([1, 3, 4, 6]);
    expect(ctx.problems.count).toBe(2);
    expect(ctx.problems.errors().map((d) => d.location?.line)).toEqual([5, 7]);
    expect(ctx.problems.errors()[0]!.message).toMatch(/no field 'meta\.lang'/);
    // skip: dropped and counted; keep: passed on, never a duplicate (null is a value).
    const skipping = dedupe({by: ['prompt', 'meta.lang'], missing: 'skip'});
    expect((await run(skipping, records)).map((r) => r.answer)).toEqual([1, 3, 4, 6]);
    expect(skipping.summary().dropped).toEqual({duplicate: 1, 'missing meta.lang': 2});
    const keeping = await run(dedupe({by: ['prompt', 'meta.lang'], missing: 'keep'}), [
      ...records,
      {prompt: 'p', answer: 8},
    ]);
    expect(keeping.map((r) => r.answer)).toEqual([1, 3, 4, 5, 6, 7, 8]);
    // A tuple is not its flattening: ['a,b'] vs ['a', 'b'] style confusions stay apart.
    const tuple = await run(dedupe({by: ['x', 'y'], missing: 'keep'}), [
      {x: 'a', y: 'b'},
      {x: ['a', 'b'], y: null},
      {x: 'a', y: 'b'},
    ]);
    expect(tuple).toHaveLength(2);
  });

  it('with `by` on chat messages, ignores the other fields', async () => {
    const records = [
      {...chat('hi', 'hello'), id: 'x1'},
      {...chat('hi', 'hello'), id: 'x2'},
      {...chat('hi', 'hello!'), id: 'x3'},
    ];
    const out = await run(dedupe({by: ['messages']}), records);
    expect(out.map((r) => r.id)).toEqual(['x1', 'x3']);
  });

  it('never merges different records: 20,000 near-identical records all stay', async () => {
    const step = dedupe();
    const records = Array.from({length: 20_000}, (_, i) =>
      chat(`question ${i}`, `answer ${i % 7}`),
    );
    const out = await run(step, records);
    expect(out).toHaveLength(20_000);
    // The same records again, in another order and batching: every one is a duplicate.
    const again = await run(step, records.slice().reverse(), 333);
    expect(again).toHaveLength(0);
    expect(step.summary()).toMatchObject({in: 40_000, out: 20_000, dropped: {duplicate: 20_000}});
  });

  it('tells apart values that only differ in type or nesting', async () => {
    const out = await run(dedupe(), [
      {v: 1},
      {v: '1'},
      {v: [1]},
      {v: {x: 1}},
      {v: null},
      {v: true},
      {v: 'true'},
      {},
      {v: 1.0},
      {v: -0},
      {v: 0},
    ]);
    expect(out).toHaveLength(9);
  });
});

describe('dedupe, normalized', () => {
  it('drops records equal after NFKC, case, punctuation and spacing', async () => {
    const step = dedupe({mode: 'normalized'});
    const out = await run(step, [
      chat('What is 2+2?', 'It is 4.'),
      chat('what is 22', 'it is 4'),
      chat('  WHAT   is 2+2 ?? ', 'It is 4!!!'),
      chat('Ｗｈａｔ is 2+2?', 'It is 4.'),
      chat('What is 2+3?', 'It is 5.'),
    ]);
    // '2+2' loses its '+' (a symbol): 'what is 22', which equals the second record's text.
    expect(out).toHaveLength(2);
    expect(step.summary()).toEqual({in: 5, out: 2, dropped: {duplicate: 3}, mode: 'normalized'});
  });

  it('takes text in canonical key order and ignores non-string values', async () => {
    const out = await run(dedupe({mode: 'normalized'}), [
      {a: 'Hello', b: 'World', n: 1},
      {b: 'world', a: 'hello', n: 2},
      {a: 'world', b: 'hello'},
    ]);
    expect(out).toEqual([
      {a: 'Hello', b: 'World', n: 1},
      {a: 'world', b: 'hello'},
    ]);
  });

  it('uses only the `by` fields', async () => {
    const out = await run(dedupe({mode: 'normalized', by: ['q']}), [
      {q: 'Same question?', a: 'one'},
      {q: 'same question', a: 'two'},
      {q: 'other question', a: 'three'},
    ]);
    expect(out.map((r) => r.a)).toEqual(['one', 'three']);
  });
});

describe('dedupe, near', () => {
  // 400 words: a one-word edit leaves Jaccard ~0.975, where LSH at 0.8 (9 bands of 13 rows)
  // finds the pair with probability 1 - (1 - 0.975^13)^9, above 0.9999.
  it('drops a one-word edit of a long text at 0.8, keeps unrelated texts', async () => {
    const step = dedupe({mode: 'near'});
    const original = longText(1);
    const words = original.split(' ');
    words[100] = 'edited';
    const edited = words.join(' ');
    const out = await run(step, [
      {text: original, id: 1},
      {text: longText(2), id: 2},
      {text: edited, id: 3},
      {text: longText(3), id: 4},
      {text: `${original} and a few more words at the end`, id: 5},
    ]);
    expect(out.map((r) => r.id)).toEqual([1, 2, 4]);
    expect(step.summary()).toEqual({
      in: 5,
      out: 3,
      dropped: {near_duplicate: 2},
      mode: 'near',
    });
  });

  it('keeps texts that overlap less than the threshold', async () => {
    // Halves of one text: their shingle sets overlap in about a third.
    const a = longText(4, 300).split(' ');
    const out = await run(dedupe({mode: 'near'}), [
      {text: a.slice(0, 200).join(' ')},
      {text: a.slice(100, 300).join(' ')},
    ]);
    expect(out).toHaveLength(2);
  });

  it('follows the threshold: a 10% edit is a duplicate at 0.5, not at 0.95', async () => {
    const a = longText(5, 400).split(' ');
    const b = a.slice();
    for (let i = 0; i < b.length; i += 40) b[i] = `edit${i}`;
    const records = [{text: a.join(' ')}, {text: b.join(' ')}];
    expect(await run(dedupe({mode: 'near', threshold: 0.5}), records)).toHaveLength(1);
    expect(await run(dedupe({mode: 'near', threshold: 0.95}), records)).toHaveLength(2);
  });

  it('normalizes before shingling, and handles texts shorter than a shingle', async () => {
    const out = await run(dedupe({mode: 'near'}), [
      {text: 'Short text.'},
      {text: 'short TEXT'},
      {text: 'another short one'},
      {text: ''},
      {text: '...'},
    ]);
    expect(out).toEqual([{text: 'Short text.'}, {text: 'another short one'}, {text: ''}]);
  });

  it('is deterministic for a seed, whatever the batching', async () => {
    // Two variants of a base text differ in two words of 1000 (Jaccard ~0.98), where LSH at
    // 0.8 misses a pair with probability (1 - 0.98^13)^9, about 2e-6.
    const records = Array.from({length: 300}, (_, i) => {
      const words = longText(100 + (i % 60), 1000).split(' ');
      words[i] = `variant${i}`;
      return {text: words.join(' '), i};
    });
    const first = await run(dedupe({mode: 'near', seed: 42}), records, 1000);
    const second = await run(dedupe({mode: 'near', seed: 42}), records, 17);
    expect(second).toEqual(first);
    // 60 base texts, each edited by one word in 5 variants: the first variant of each stays.
    expect(first.map((r) => r.i)).toEqual(Array.from({length: 60}, (_, i) => i));
  });

  it('rejects a threshold outside (0, 1]', () => {
    expect(() => dedupe({mode: 'near', threshold: 0})).toThrow(/threshold/);
    expect(() => dedupe({mode: 'near', threshold: 1.5})).toThrow(/threshold/);
  });
});
