import {readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {execa} from 'execa';
import {describe, expect, it} from 'vitest';
import {buildJson, FT_BIN, ft, jsonl, project, stageEnd} from '../helpers/ft.js';

const recipe = (transforms: string, sources = '  qa: { path: data/qa.jsonl }') =>
  `version: 1\nname: t\nseed: 3\nsources:\n${sources}\ntransforms:\n${transforms}\n`;

const qa = (n: number) =>
  jsonl(
    Array.from({length: n}, (_, i) => ({
      q: `question ${i}`,
      a: `answer ${i}`,
      lang: i % 3 === 0 ? 'fr' : 'en',
      score: i / n,
    })),
  );

async function records(dir: string, split = 'train'): Promise<Record<string, unknown>[]> {
  const r = await ft(dir, ['data', 'head', 'dataset', '-n', '100000', '--split', split]);
  if (r.exitCode !== 0) throw new Error(r.stderr);
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

const contents = (rs: Record<string, unknown>[], i = 0) =>
  rs.map((r) => (r.messages as {content: string}[])[i]!.content);

/** The summary of each transform step, as the dataset stage recorded it. */
async function transformSummaries(dir: string): Promise<Record<string, unknown>[]> {
  const plan = JSON.parse((await ft(dir, ['plan', '--json'])).stdout);
  return plan.stages.find((s: {id: string}) => s.id === 'dataset').summary.transforms;
}

describe('transforms', () => {
  it('rename, map, filter (fields), template and system, with drop counts per reason', async () => {
    const dir = await project({
      'finetune.yaml': recipe(`  - rename: { q: question }
  - map: { answer_text: "{{a}} ({{lang}})", a: null }
  - filter: { where: [{ field: lang, equals: en }, { field: score, lt: 0.5 }] }
  - template: { user: "{{question}}", assistant: "{{answer_text}}" }
  - system: { content: "Be brief." }`),
      'data/qa.jsonl': qa(12),
    });
    expect((await buildJson(dir)).exitCode).toBe(0);
    const rs = await records(dir);
    expect(rs[0]).toEqual({
      messages: [
        {role: 'system', content: 'Be brief.'},
        {role: 'user', content: 'question 1'},
        {role: 'assistant', content: 'answer 1 (en)'},
      ],
    });
    expect(contents(rs, 1)).toEqual(['question 1', 'question 2', 'question 4', 'question 5']);
    const summaries = await transformSummaries(dir);
    expect(summaries[2]).toEqual({
      filter: {in: 12, out: 4, dropped: {'where[0]': 4, 'where[1]': 4}},
    });
    expect(summaries[4]).toEqual({system: {in: 4, out: 4, inserted: 4, replaced: 0, kept: 0}});
  });

  it('filters by chat tokens in an explicit encoding', async () => {
    const long = 'word '.repeat(200);
    const dir = await project({
      'finetune.yaml': recipe(`  - template: { user: "{{q}}", assistant: "{{a}}" }
  - filter: { max_tokens: 50, encoding: cl100k_base }`),
      'data/qa.jsonl': jsonl([
        {q: 'short', a: 'yes'},
        {q: long, a: 'no'},
      ]),
    });
    await buildJson(dir);
    expect(contents(await records(dir))).toEqual(['short']);
    expect((await transformSummaries(dir))[1]).toEqual({
      filter: {in: 2, out: 1, dropped: {max_tokens: 1}},
    });
  });

  it('multi-turn templates: a fixed conversation and a thread from a list field', async () => {
    const dir = await project({
      'finetune.yaml': recipe(`  - template:
      system: "Topic: {{topic}}"
      turns: dialog
      user: "{{q}} ({{$.topic}})"
      assistant: "{{a}}"`),
      'data/qa.jsonl': jsonl([
        {
          topic: 'math',
          dialog: [
            {q: '1+1', a: '2'},
            {q: '2+2', a: '4'},
          ],
        },
      ]),
    });
    await buildJson(dir);
    expect((await records(dir))[0]).toEqual({
      messages: [
        {role: 'system', content: 'Topic: math'},
        {role: 'user', content: '1+1 (math)'},
        {role: 'assistant', content: '2'},
        {role: 'user', content: '2+2 (math)'},
        {role: 'assistant', content: '4'},
      ],
    });
    const fixed = await project({
      'finetune.yaml': recipe(`  - template:
      messages:
        - { role: user, content: "{{q}}" }
        - { role: assistant, content: "draft", weight: 0 }
        - { role: user, content: "again" }
        - { role: assistant, content: "{{a}}" }`),
      'data/qa.jsonl': jsonl([{q: 'x', a: 'y'}]),
    });
    await buildJson(fixed);
    expect(((await records(fixed))[0]!.messages as unknown[])[1]).toEqual({
      role: 'assistant',
      content: 'draft',
      weight: 0,
    });
  });

  it('sample, shuffle and limit are seeded and deterministic', async () => {
    const build = async (transforms: string) => {
      const dir = await project({'finetune.yaml': recipe(transforms), 'data/qa.jsonl': qa(200)});
      expect((await buildJson(dir)).exitCode).toBe(0);
      return contents(await records(dir), 0);
    };
    const t = '  - template: { user: "{{q}}", assistant: "{{a}}" }\n';
    const sampledN = await build(`${t}  - sample: { n: 20 }`);
    expect(sampledN).toHaveLength(20);
    // Input order is kept.
    expect(sampledN.map((q) => Number(q.split(' ')[1]))).toEqual(
      [...sampledN.map((q) => Number(q.split(' ')[1]))].sort((a, b) => a - b),
    );
    expect(await build(`${t}  - sample: { n: 20 }`)).toEqual(sampledN);
    expect(await build(`${t}  - sample: { n: 20, seed: 4 }`)).not.toEqual(sampledN);
    const fraction = await build(`${t}  - sample: { fraction: 0.25 }`);
    expect(fraction.length).toBeGreaterThan(25);
    expect(fraction.length).toBeLessThan(75);
    const shuffled = await build(`${t}  - shuffle: {}`);
    expect(shuffled).toHaveLength(200);
    expect(shuffled).not.toEqual(
      contents(
        await records(
          await (async () => {
            const d = await project({'finetune.yaml': recipe(t), 'data/qa.jsonl': qa(200)});
            await buildJson(d);
            return d;
          })(),
        ),
        0,
      ),
    );
    expect([...shuffled].sort()).toEqual(
      Array.from({length: 200}, (_, i) => `question ${i}`).sort(),
    );
    expect(await build(`${t}  - shuffle: {}`)).toEqual(shuffled);
    expect(await build(`${t}  - shuffle: {}\n  - limit: { n: 7 }`)).toEqual(shuffled.slice(0, 7));
  });

  it('dedupe drops repeats before the split; after the split it is a recipe error', async () => {
    const rows = jsonl([
      {q: 'Hello, World!', a: '1'},
      {q: 'hello world', a: '1'},
      {q: 'Hello, World!', a: '1'},
      {q: 'other', a: '2'},
    ]);
    const dir = await project({
      'finetune.yaml': recipe(
        '  - dedupe: { by: [q, a], mode: normalized }\n  - template: { user: "{{q}}", assistant: "{{a}}" }',
      ),
      'data/qa.jsonl': rows,
    });
    await buildJson(dir);
    expect(contents(await records(dir))).toEqual(['Hello, World!', 'other']);
    const bad = await project({
      'finetune.yaml': recipe('  - split: { validation: 0.5 }\n  - dedupe: {}'),
      'data/qa.jsonl': rows,
    });
    const r = await ft(bad, ['validate']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(
      'finetune.yaml:8:5: error: dedupe after split (transforms[0]) would let duplicates leak across splits',
    );
  });

  it('redacts personal data in message contents', async () => {
    const dir = await project({
      'finetune.yaml': recipe(
        '  - template: { user: "{{q}}", assistant: "{{a}}" }\n  - redact: {}',
      ),
      'data/qa.jsonl': jsonl([
        {
          q: 'mail me at jane.doe@example.com or call +1-202-555-0143',
          a: 'card 4111 1111 1111 1111',
        },
      ]),
    });
    await buildJson(dir);
    expect((await records(dir))[0]).toEqual({
      messages: [
        {role: 'user', content: 'mail me at [EMAIL] or call [PHONE]'},
        {role: 'assistant', content: 'card [CARD]'},
      ],
    });
  });

  it('js: runs a user module; editing a file it imports reruns the dataset with why', async () => {
    const dir = await project({
      'finetune.yaml': recipe('  - js: { module: transforms/shout.mjs, options: { mark: "!" } }'),
      'transforms/shout.mjs': `import {upper} from './lib/upper.mjs';
export default (record, {options}) => record.q.endsWith('3') ? null : {prompt: upper(record.q) + options.mark, response: record.a};`,
      'transforms/lib/upper.mjs': 'export const upper = (s) => s.toUpperCase();\n',
      'data/qa.jsonl': qa(5),
    });
    const first = await buildJson(dir);
    expect(first.exitCode).toBe(0);
    expect(contents(await records(dir))).toEqual([
      'QUESTION 0!',
      'QUESTION 1!',
      'QUESTION 2!',
      'QUESTION 4!',
    ]);
    const before = JSON.parse(readFileSync(join(dir, 'finetune.lock'), 'utf8')).stages.dataset
      .fingerprint.transforms[0].js.files['transforms/lib/upper.mjs'];
    writeFileSync(
      join(dir, 'transforms/lib/upper.mjs'),
      'export const upper = (s) => s.toLowerCase();\n',
    );
    const r = await buildJson(dir);
    expect(r.statuses).toEqual({'source:qa': 'fresh', dataset: 'ran'});
    expect(stageEnd(r.events, 'dataset').why).toEqual([
      {
        what: 'transforms[0].js.files["transforms/lib/upper.mjs"]',
        from: before,
        to: expect.stringMatching(/^sha256:/),
      },
    ]);
    expect(contents(await records(dir))[0]).toBe('question 0!');
  });

  it('command: pipes records through a program with a minimal environment', async () => {
    const script = `let buf = '';
process.stdin.on('data', (d) => (buf += d));
process.stdin.on('end', () => {
  for (const line of buf.split('\\n').filter(Boolean)) {
    const r = JSON.parse(line);
    process.stdout.write(JSON.stringify({prompt: r.q, response: process.env.LEAK ?? 'no-secret', extra: process.argv[2]}) + '\\n');
  }
});`;
    const dir = await project({
      'finetune.yaml': recipe(`  - command: { run: [node, tools/pipe.cjs, "--x"] }`),
      'tools/pipe.cjs': script,
      'data/qa.jsonl': qa(3),
    });
    const r = await execa(process.execPath, [FT_BIN, 'build', '--json'], {
      cwd: dir,
      reject: false,
      env: {CI: '1', LEAK: 'top-secret', OPENAI_API_KEY: 'sk-nope'},
    });
    expect(r.exitCode).toBe(0);
    const rs = await records(dir);
    expect(rs).toHaveLength(3);
    expect(rs[0]).toEqual({
      messages: [
        {role: 'user', content: 'question 0'},
        {role: 'assistant', content: 'no-secret'},
      ],
    });
    writeFileSync(join(dir, 'tools/pipe.cjs'), 'process.exit(3)');
    const failed = await buildJson(dir);
    expect(failed.exitCode).toBe(1);
    expect((stageEnd(failed.events, 'dataset').error as {message: string}).message).toContain(
      'command node exited with 3',
    );
  });
});
