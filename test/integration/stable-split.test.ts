import {createHash} from 'node:crypto';
import {readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {buildJson, ft, jsonl, project, stageEnd} from '../helpers/ft.js';

/** 200 support tickets from 23 customers; Python-style spacing, keys in no order. */
const tickets = (n = 200) =>
  Array.from({length: n}, (_, i) => ({
    text: `Ticket ${i}: my order ${i * 7} did not arrive`,
    queue: ['billing', 'shipping', 'returns'][i % 3],
    customer: `c${i % 23}`,
  }));
const pythonJsonl = (records: readonly Record<string, unknown>[]) =>
  records
    .map((r) => `${JSON.stringify(r).replaceAll('","', '", "').replaceAll('":"', '": "')}\n`)
    .join('');

const recipe = (system: string, split = '{ validation: 0.2, test: 0.2 }', more = '') => `version: 1
name: split
seed: 9
sources:
  t: { path: tickets.jsonl }
transforms:
  - template: { system: "${system}", user: "{{text}}", assistant: "{{queue}}" }
${more}  - split: ${split}
`;

function objectText(dir: string, hash: string): string {
  const hex = hash.slice('sha256:'.length);
  return readFileSync(join(dir, '.ft/objects', hex.slice(0, 2), hex), 'utf8');
}

/** Each split's lines and ids, as the dataset stage wrote them. */
async function splits(dir: string): Promise<Record<string, {lines: string[]; ids: string[]}>> {
  const r = await buildJson(dir, ['dataset']);
  if (r.exitCode !== 0) throw new Error(r.stderr);
  const outputs = stageEnd(r.events, 'dataset').outputs as Record<string, string>;
  const out: Record<string, {lines: string[]; ids: string[]}> = {};
  for (const split of ['train', 'validation', 'test']) {
    if (!outputs[`${split}.jsonl`]) continue;
    const lines = objectText(dir, outputs[`${split}.jsonl`]!).split('\n').filter(Boolean);
    const ids = objectText(dir, outputs[`${split}.ids`]!).split('\n').filter(Boolean);
    out[split] = {lines, ids};
  }
  return out;
}

/** The documented id: sha256 of the source record's canonical JSON, 32 hex digits. */
function idOf(record: Record<string, unknown>): string {
  const sorted = Object.fromEntries(
    Object.keys(record)
      .sort()
      .map((k) => [k, record[k]]),
  );
  return createHash('sha256').update(JSON.stringify(sorted)).digest('hex').slice(0, 32);
}

describe('the split is a property of the data, not of the prompt', () => {
  it('a system prompt edit moves no example; the ids beside each split follow the records', async () => {
    const records = tickets();
    const dir = await project({
      'finetune.yaml': recipe('You are an expert.'),
      'tickets.jsonl': pythonJsonl(records),
    });
    const before = await splits(dir);
    writeFileSync(join(dir, 'finetune.yaml'), recipe('You are a careful helper.'));
    const after = await splits(dir);
    for (const split of ['train', 'validation', 'test']) {
      expect(after[split]!.ids).toEqual(before[split]!.ids);
      expect(after[split]!.lines).not.toEqual(before[split]!.lines);
      // Line for line, the id is the one of the source record the example came from.
      expect(after[split]!.ids).toHaveLength(after[split]!.lines.length);
      const user = after[split]!.lines.map((l) => JSON.parse(l).messages[1].content);
      const sources = user.map((text) => records.find((r) => r.text === text)!);
      expect(after[split]!.ids).toEqual(sources.map(idOf));
    }
    expect(before.test!.lines.length).toBeGreaterThan(20);
    // The test set's ids are the same object: evals of both versions compare the same questions.
    const r = await buildJson(dir);
    const ids = stageEnd(r.events, 'dataset').outputs as Record<string, string>;
    expect(r.statuses.dataset).toBe('fresh');
    expect(objectText(dir, ids['test.ids']!).split('\n').filter(Boolean)).toEqual(before.test!.ids);
  });

  it('split.by keeps every record of a group in one split', async () => {
    const records = tickets();
    const dir = await project({
      'finetune.yaml': recipe('Route it.', '{ validation: 0.2, test: 0.2, by: customer }'),
      'tickets.jsonl': pythonJsonl(records),
    });
    const out = await splits(dir);
    const customerOf = new Map(records.map((r) => [idOf(r), r.customer]));
    const splitOf = new Map<string, string>();
    for (const [split, {ids}] of Object.entries(out)) {
      for (const id of ids) {
        const customer = customerOf.get(id)!;
        expect(splitOf.get(customer) ?? split, customer).toBe(split);
        splitOf.set(customer, split);
      }
    }
    expect(new Set(splitOf.values()).size).toBe(3);
  });

  it('records one source record becomes share its split; their ids are told apart', async () => {
    const dir = await project({
      'finetune.yaml': recipe(
        'Route it.',
        '{ validation: 0.3, test: 0.3 }',
        '  - js: { module: twice.mjs }\n',
      ),
      'twice.mjs':
        'export default (r) => [r, {...r, messages: [...r.messages.slice(0, 2), {role: "assistant", content: "again"}]}];\n',
      'tickets.jsonl': pythonJsonl(tickets(60)),
    });
    const out = await splits(dir);
    for (const {ids} of Object.values(out)) {
      for (const id of ids.filter((i) => !i.includes('.'))) expect(ids).toContain(`${id}.1`);
    }
    const all = Object.values(out).flatMap((s) => s.ids);
    expect(all).toHaveLength(120);
    expect(new Set(all).size).toBe(120);
  });

  it('counts held-out examples identical to training ones, and warns', async () => {
    // Source records that differ only in a field the template drops become equal examples.
    const records = Array.from({length: 60}, (_, i) => ({
      ticket: i,
      text: `Where is my order? (${i % 10})`,
      queue: 'shipping',
    }));
    const dir = await project({
      'finetune.yaml': `${recipe('Route it.', '{ validation: 0.2, test: 0.2 }').replace(
        'tickets.jsonl',
        'tickets.jsonl',
      )}backend: { type: openai, model: gpt-4o-mini-2024-07-18 }\n`,
      'tickets.jsonl': jsonl(records),
    });
    const out = await splits(dir);
    const train = new Set(out.train!.lines);
    const expected = {
      validation: out.validation!.lines.filter((l) => train.has(l)).length,
      test: out.test!.lines.filter((l) => train.has(l)).length,
      test_in_validation: out.test!.lines.filter((l) => out.validation!.lines.includes(l)).length,
    };
    expect(expected.test).toBeGreaterThan(0);
    const plan = JSON.parse((await ft(dir, ['plan', '--json'])).stdout);
    const trainStage = plan.stages.find((s: {id: string}) => s.id === 'train:default');
    expect(trainStage.dataset.contamination).toEqual(expected);
    expect(trainStage.warnings).toContain(
      `${expected.test} test example(s) also appear in train (identical examples from different source records; dedupe before split)`,
    );
    // With dedupe before the split, nothing is left to leak.
    writeFileSync(
      join(dir, 'finetune.yaml'),
      readFileSync(join(dir, 'finetune.yaml'), 'utf8').replace(
        '  - split:',
        '  - dedupe: {}\n  - split:',
      ),
    );
    const clean = JSON.parse((await ft(dir, ['plan', '--json'])).stdout);
    expect(
      clean.stages.find((s: {id: string}) => s.id === 'train:default').dataset.contamination,
    ).toEqual({validation: 0, test: 0, test_in_validation: 0});
  });
});
