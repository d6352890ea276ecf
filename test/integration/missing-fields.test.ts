import {existsSync, readdirSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {buildJson, ft, jsonl, project, stageEnd} from '../helpers/ft.js';

/** The reproduction: 100 records with question, answer and label. */
const questions = (n = 100) =>
  jsonl(
    Array.from({length: n}, (_, i) => ({
      question: `What is ${i} + ${i}?`,
      answer: String(2 * i),
      label: i % 3 === 0 ? 'other' : 'math',
      ...(i % 4 === 0 ? {difficulty: i % 8 === 0 ? 'hard' : 'easy'} : {}),
    })),
  );

const recipe = (transforms: string, extra = '') =>
  `version: 1
name: fields
seed: 3
sources:
  qa: { path: data/qa.jsonl }
transforms:
${transforms}
${extra}`;

const TEMPLATE = `  - template: { system: "You are an expert.", user: "{{question}}", assistant: "{{answer}}" }`;
const TRAINS = 'backend: { type: openai, model: gpt-4o-mini-2024-07-18 }\n';

/** What a failed build left behind: no stage record of the dataset, the lockfile as it was. */
function nothingWritten(dir: string, lock: string | undefined): void {
  const stages = existsSync(join(dir, '.ft/stages')) ? readdirSync(join(dir, '.ft/stages')) : [];
  const records = stages.map((f) => JSON.parse(readFileSync(join(dir, '.ft/stages', f), 'utf8')));
  expect(records.filter((r) => r.id === 'dataset')).toEqual([]);
  const now = existsSync(join(dir, 'finetune.lock'))
    ? readFileSync(join(dir, 'finetune.lock'), 'utf8')
    : undefined;
  expect(now).toBe(lock);
}

describe('no silent data loss', () => {
  it('dedupe by a field the template consumed: one error at the step, exit 2, nothing written', async () => {
    const dir = await project({
      'finetune.yaml': recipe(`${TEMPLATE}
  - dedupe: { by: question }
  - filter: { where: [{ field: lable, equals: math }] }
  - split: { validation: 0.1 }`),
      'data/qa.jsonl': questions(),
    });
    const r = await buildJson(dir);
    expect(r.exitCode).toBe(2);
    expect(r.statuses.dataset).toBe('failed');
    const diagnostics = r.events.filter((e) => e.event === 'diagnostic');
    // One error, not a hundred: it names the step and says where the field went.
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({
      severity: 'error',
      file: 'finetune.yaml',
      line: 8,
      col: 19,
      message:
        "dedupe: no record has the field 'question' (100 records reached this step; none could be used)",
    });
    expect(diagnostics[0]!.hint).toContain(
      'transforms[0] (template) made the records chat examples',
    );
    nothingWritten(dir, undefined);
    const plain = await ft(dir, ['build']);
    expect(plain.stderr).toContain('finetune.yaml:8:19: error: dedupe: no record has the field');
  });

  it('a misspelt filter field: located error with the nearest name, nothing written', async () => {
    const dir = await project({
      'finetune.yaml': recipe(`  - filter: { where: [{ field: lable, equals: math }] }
${TEMPLATE}
  - split: { validation: 0.1 }`),
      'data/qa.jsonl': questions(),
    });
    const r = await buildJson(dir);
    expect(r.exitCode).toBe(2);
    const [d, ...rest] = r.events.filter((e) => e.event === 'diagnostic');
    expect(rest).toEqual([]);
    expect(d).toMatchObject({
      file: 'finetune.yaml',
      line: 7,
      message:
        "filter: no record has the field 'lable' (100 records reached this step; none could be used)",
    });
    expect(d!.hint).toMatch(/^did you mean 'label'\?; records here have: /);
    nothingWritten(dir, undefined);
  });

  it('some records lacking a field: errors at their lines; missing: skip drops them, keep passes them', async () => {
    const data = questions(20);
    const erroring = await project({
      'finetune.yaml': recipe(`  - filter: { where: [{ field: difficulty, equals: hard }] }
${TEMPLATE}`),
      'data/qa.jsonl': data,
    });
    const r = await buildJson(erroring);
    expect(r.exitCode).toBe(2);
    const lines = r.events.filter((e) => e.event === 'diagnostic').map((e) => [e.file, e.line]);
    // Records 1, 2, 3, 5, ... (lines 2, 3, 4, 6, ...) have no difficulty.
    expect(lines.slice(0, 4)).toEqual([
      ['data/qa.jsonl', 2],
      ['data/qa.jsonl', 3],
      ['data/qa.jsonl', 4],
      ['data/qa.jsonl', 6],
    ]);
    expect(r.events.find((e) => e.event === 'diagnostic')!.message).toBe(
      "filter: the record has no field 'difficulty' (transforms[0].filter.where[0].field); set missing: skip or keep to allow such records",
    );

    // skip: dropped and counted; an exists condition first guards the one after it.
    for (const [filter, kept, dropped] of [
      [
        '{ where: [{ field: difficulty, equals: hard }], missing: skip }',
        3,
        {'missing difficulty': 15, 'where[0]': 2},
      ],
      [
        '{ where: [{ field: difficulty, exists: true }, { field: difficulty, equals: hard }] }',
        3,
        {'where[0]': 15, 'where[1]': 2},
      ],
      ['{ where: [{ field: difficulty, not_equals: hard }], missing: keep }', 17, {'where[0]': 3}],
    ] as const) {
      const dir = await project({
        'finetune.yaml': recipe(`  - filter: ${filter}\n${TEMPLATE}`),
        'data/qa.jsonl': data,
      });
      const built = await buildJson(dir);
      expect(built.exitCode, filter).toBe(0);
      const summary = stageEnd(built.events, 'dataset').summary as {
        transforms: {filter: Record<string, unknown>}[];
        examples: {train?: number};
      };
      expect(summary.examples.train, filter).toBe(kept);
      expect(summary.transforms[0]!.filter.dropped, filter).toEqual(dropped);
    }
  });

  it('rename and map take missing: in their long form; split.by too', async () => {
    const dir = await project({
      'finetune.yaml': recipe(`  - rename: { fields: { difficulty: level }, missing: keep }
  - map: { fields: { hint: "({{level}})" }, missing: skip }
  - template: { user: "{{question}} {{hint}}", assistant: "{{answer}}" }
  - split: { validation: 0.5, by: difficulty, missing: keep }`),
      'data/qa.jsonl': questions(20),
    });
    const r = await buildJson(dir);
    expect(r.exitCode).toBe(0);
    expect(r.events.filter((e) => e.event === 'diagnostic')).toEqual([]);
    const summary = stageEnd(r.events, 'dataset').summary as {
      transforms: Record<string, Record<string, unknown>>[];
      examples: Record<string, number>;
    };
    expect(summary.transforms[0]!.rename).toEqual({in: 20, out: 20, missing: {difficulty: 15}});
    expect(summary.transforms[1]!.map).toMatchObject({
      in: 20,
      out: 5,
      dropped: {'missing level': 15},
    });
    expect((summary.examples.train ?? 0) + (summary.examples.validation ?? 0)).toBe(5);

    // split.by reads the source record, before the rename: one error that says so.
    writeFileSync(
      join(dir, 'finetune.yaml'),
      recipe(
        `  - rename: { fields: { difficulty: level }, missing: keep }\n${TEMPLATE}\n  - split: { validation: 0.5, by: levle }`,
      ),
    );
    const renamed = await buildJson(dir);
    expect(renamed.exitCode).toBe(2);
    expect(renamed.events.filter((e) => e.event === 'diagnostic')).toEqual([
      expect.objectContaining({
        line: 9,
        message:
          "split: no record has the field 'levle' (20 records reached this step; none could be used)",
        hint: 'split.by reads the source records as they were read; source records have: answer, label, question, difficulty',
      }),
    ]);

    // split.by reads the source record: without the field, the default is an error there.
    writeFileSync(
      join(dir, 'finetune.yaml'),
      recipe(`${TEMPLATE}\n  - split: { validation: 0.5, by: difficulty }`),
    );
    const failing = await buildJson(dir);
    expect(failing.exitCode).toBe(2);
    expect(failing.events.find((e) => e.event === 'diagnostic')).toMatchObject({
      file: 'data/qa.jsonl',
      line: 2,
      message:
        "split: the record has no field 'difficulty' (transforms[1].split.by); set missing: skip or keep to allow such records",
    });
  });

  it('a training split emptied by a step fails the dataset, naming the step; without a target it may be empty', async () => {
    const dir = await project({
      'finetune.yaml': recipe(
        `${TEMPLATE}
  - filter: { where: [{ field: messages.1.content, matches: "^Why" }] }
  - split: { validation: 0.1 }`,
        TRAINS,
      ),
      'data/qa.jsonl': questions(),
    });
    const r = await buildJson(dir);
    expect(r.exitCode).toBe(2);
    expect(r.statuses).toMatchObject({dataset: 'failed', 'train:default': 'skipped'});
    expect(r.events.filter((e) => e.event === 'diagnostic')).toEqual([
      expect.objectContaining({
        file: 'finetune.yaml',
        line: 8,
        col: 5,
        message:
          'the training split is empty: filter (transforms[1]) dropped all 100 records that reached it (where[0]: 100), and train:default trains on it',
      }),
    ]);
    nothingWritten(dir, undefined);

    // The split itself can leave nothing to train on.
    writeFileSync(
      join(dir, 'finetune.yaml'),
      recipe(`${TEMPLATE}\n  - split: { validation: 0.5, test: 0.49 }`, TRAINS).replace(
        'qa: { path: data/qa.jsonl }',
        'qa: { path: data/few.jsonl }',
      ),
    );
    writeFileSync(join(dir, 'data/few.jsonl'), questions(1));
    const split = await buildJson(dir);
    expect(split.exitCode).toBe(2);
    expect(split.events.find((e) => e.event === 'diagnostic')!.message).toBe(
      'the training split is empty: split placed all 1 examples in validation or test, and train:default trains on it',
    );

    // A recipe that only prepares data may hold out everything.
    writeFileSync(
      join(dir, 'finetune.yaml'),
      recipe(
        `${TEMPLATE}\n  - filter: { where: [{ field: messages.1.content, matches: "^Why" }] }`,
      ),
    );
    expect((await buildJson(dir)).exitCode).toBe(0);
  });

  it('ft plan and ft build show the funnel and the checks people need', async () => {
    const toy = readFileSync(
      join(import.meta.dirname, '../fixtures/data/toy_chat_fine_tuning.jsonl'),
    );
    const dir = await project({
      'finetune.yaml': `version: 1
name: toy
sources:
  toy: { path: toy.jsonl }
transforms:
  - dedupe: {}
  - split: { validation: 0.2 }
backend: { type: openai, model: gpt-3.5-turbo-0125 }
`,
      'toy.jsonl': toy,
    });
    const build = await ft(dir, ['build', 'dataset']);
    expect(build.exitCode).toBe(0);
    expect(build.stdout).toMatch(
      /dataset: ran in .*\n {2}read 5 records\n {2}\[0\] dedupe {2}5 -> 5\n {2}\[1\] split {3}5 -> 5 {2}train \d(, validation \d)?\n {2}examples: train \d, validation \d\n/,
    );
    const plan = await ft(dir, ['plan']);
    expect(plan.stdout).toContain(
      'training examples for gpt-3.5-turbo-0125 (cl100k_base, 16,385-token context)',
    );
    expect(plan.stdout).toMatch(
      /format errors: none; missing system: \d; missing user: \d; over the context: 0/,
    );
    expect(plan.stdout).toMatch(/estimate: \d+ epochs, [\d,]+ tokens charged, ~\$\d+\.\d\d/);
    // The whole toy file, unsplit: the notebook's figures, missing_user 1 among them.
    writeFileSync(
      join(dir, 'finetune.yaml'),
      readFileSync(join(dir, 'finetune.yaml'), 'utf8').replace(
        '  - split: { validation: 0.2 }\n',
        '',
      ),
    );
    const whole = await ft(dir, ['plan']);
    expect(whole.stdout).toContain('5 training examples for gpt-3.5-turbo-0125');
    expect(whole.stdout).toContain(
      'format errors: none; missing system: 1; missing user: 1; over the context: 0',
    );
    expect(whole.stdout).toContain('tokens per example: min 26, median 45, mean 1,648, max 8,032');
    expect(whole.stdout).toContain('estimate: 20 epochs, 164,840 tokens charged');
  });
});
