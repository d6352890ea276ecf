import {describe, expect, it} from 'vitest';
import {TOY_JSONL as TOY, TOY_REPORT_GPT35_0125} from '../fixtures/toy-dataset.js';
import {ft, jsonl, project} from '../helpers/ft.js';

const toyRecipe = (model: string, extra = '') => `version: 1
name: toy
sources:
  chat: { path: toy_chat_fine_tuning.jsonl }
backend: { type: openai, model: ${model} }
${extra}`;

async function trainStage(dir: string): Promise<Record<string, unknown>> {
  const r = await ft(dir, ['plan', '--json']);
  expect(r.exitCode).toBe(0);
  return JSON.parse(r.stdout).stages.find((s: {id: string}) => s.id === 'train:default');
}

describe('ft plan: checks, statistics and estimates per training target', () => {
  it("reproduces the OpenAI cookbook notebook's figures for its toy dataset", async () => {
    const dir = await project({
      'finetune.yaml': toyRecipe('gpt-3.5-turbo-0125'),
      'toy_chat_fine_tuning.jsonl': TOY,
    });
    const train = await trainStage(dir);
    expect(train.dataset).toEqual(TOY_REPORT_GPT35_0125);
    expect(train.estimate).toEqual({
      epochs: 20,
      billable_tokens: 8242,
      charged_tokens: 164840,
      usd: (164840 / 1e6) * 8,
    });
    expect(train.warnings).toEqual([
      'OpenAI needs at least 10 training examples; the dataset has 5',
    ]);
  });

  it("counts the embedded trainer's tokens exactly: bytes, role and end-of-turn tokens", async () => {
    const dir = await project({
      'finetune.yaml': `version: 1
name: bytes
sources:
  qa: { examples: [{ q: "héllo?", a: "yes" }, { q: "ok", a: "a much longer answer" }] }
transforms:
  - template: { system: "Be brief.", user: "{{q}}", assistant: "{{a}}" }
backend: { type: local, model: "embedded:tiny" }
hyperparameters: { max_seq_len: 30 }
`,
    });
    const t = await trainStage(dir);
    expect(t.model).toEqual({
      id: 'embedded:tiny',
      encoding: 'bytes',
      training_context: 31,
      known: true,
    });
    // "Be brief." 9 bytes, "héllo?" 7 (é is two), "yes" 3: 19 + 3 x 2 = 25; then 9 + 2 + 20 + 6 = 37.
    const tokens = (
      t.dataset as {tokens: {total: {min: number; max: number}; assistant: {max: number}}}
    ).tokens;
    expect([tokens.total.min, tokens.total.max, tokens.assistant.max]).toEqual([25, 37, 20]);
    expect((t.dataset as {over_limit: number}).over_limit).toBe(1);
    expect(t.warnings).toContain(
      '1 example(s) exceed the 31-token training context of embedded:tiny and will be truncated',
    );
  });

  it("uses each model's encoding, context and price, and the recipe's epochs", async () => {
    const old = await project({
      'finetune.yaml': toyRecipe('gpt-3.5-turbo-0613', 'hyperparameters: { n_epochs: 2 }\n'),
      'toy_chat_fine_tuning.jsonl': TOY,
    });
    const t = await trainStage(old);
    expect(t.model).toEqual({
      id: 'gpt-3.5-turbo-0613',
      encoding: 'cl100k_base',
      training_context: 4096,
      known: true,
    });
    expect((t.dataset as {over_limit: number}).over_limit).toBe(1);
    expect(t.estimate).toEqual({epochs: 2, billable_tokens: 4306, charged_tokens: 8612, usd: null});
    const mini = await project({
      'finetune.yaml': toyRecipe('gpt-4o-mini-2024-07-18'),
      'toy_chat_fine_tuning.jsonl': TOY,
    });
    const m = await trainStage(mini);
    expect((m.model as {encoding: string}).encoding).toBe('o200k_base');
    expect((m.dataset as {tokens: {total: {max: number}}}).tokens.total.max).toBe(8031);
    expect(m.estimate).toMatchObject({epochs: 20, billable_tokens: 8233, usd: (164660 / 1e6) * 3});
  });

  it('counts only real format errors, and says when a model is unknown', async () => {
    const rows = jsonl([
      {
        messages: [
          {role: 'user', content: 'q'},
          {
            role: 'assistant',
            content: null,
            tool_calls: [{id: 'c1', type: 'function', function: {name: 'f', arguments: '{}'}}],
          },
          {role: 'tool', tool_call_id: 'c1', content: 'r'},
          {role: 'assistant', content: 'a', weight: 1},
        ],
      },
      {
        messages: [
          {role: 'user', content: 'q'},
          {role: 'robot', content: 'a', mood: 'x'},
        ],
      },
      {messages: []},
    ]);
    const dir = await project({
      'finetune.yaml':
        'version: 1\nname: f\nsources:\n  d: { path: d.jsonl }\nbackend: { type: openai, model: my-model }\n',
      'd.jsonl': rows,
    });
    const t = await trainStage(dir);
    expect((t.dataset as {format_errors: unknown}).format_errors).toEqual({
      message_unrecognized_key: 1,
      unrecognized_role: 1,
      example_missing_assistant_message: 1,
      missing_messages_list: 1,
    });
    expect(t.model).toMatchObject({id: 'my-model', known: false, training_context: null});
    expect((t.estimate as {usd: unknown}).usd).toBeNull();
    expect((t.warnings as string[]).join('\n')).toContain('unknown model');
  });
});
