import {existsSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {buildJson, ft, jsonl, project, SMOKE_DATA, SMOKE_RECIPE} from '../helpers/ft.js';

const BROKEN = `version: 1
name: smoke
sources:
  qa: { path: data/qa.jsonl, bogus: 1 }
  missing: { path: data/nope.jsonl }
transforms:
  - template: { user: "{{prompt}}" }
  - split: { validation: "0.2" }
  - templat: {}
backend: { type: openai, model: 3 }
hyperparameters: { n_epochs: three }
`;

describe('a broken recipe', () => {
  it('reports every problem with its position, exits 2 and writes nothing', async () => {
    const dir = await project({'finetune.yaml': BROKEN, 'data/qa.jsonl': SMOKE_DATA});
    const r = await ft(dir, ['build']);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatchInlineSnapshot(`
      "finetune.yaml:4:30: error: unknown key 'bogus' in sources.qa
        4 |   qa: { path: data/qa.jsonl, bogus: 1 }
          |                              ^^^^^
      finetune.yaml:5:20: error: no such file: data/nope.jsonl
        5 |   missing: { path: data/nope.jsonl }
          |                    ^^^^^^^^^^^^^^^
      finetune.yaml:7:5: error: transforms[0].template needs user and assistant (or messages)
        7 |   - template: { user: "{{prompt}}" }
          |     ^^^^^^^^
      finetune.yaml:8:26: error: transforms[1].split.validation must be a number, got "0.2"
        8 |   - split: { validation: "0.2" }
          |                          ^^^^^
      finetune.yaml:9:5: error: unknown transform 'templat' (known: template, system, rename, map, filter, dedupe, redact, sample, shuffle, limit, split, js, command)
        9 |   - templat: {}
          |     ^^^^^^^
          = hint: did you mean 'template'?
      finetune.yaml:10:33: error: backend.model must be a string, got 3
        10 | backend: { type: openai, model: 3 }
           |                                 ^
      finetune.yaml:11:30: error: hyperparameters.n_epochs must be an integer or "auto", got "three"
        11 | hyperparameters: { n_epochs: three }
           |                              ^^^^^
      7 errors"
    `);
    expect(existsSync(join(dir, '.ft'))).toBe(false);
    expect(existsSync(join(dir, 'finetune.lock'))).toBe(false);
  });

  it('leaves an existing store and lockfile untouched', async () => {
    const dir = await project({'finetune.yaml': SMOKE_RECIPE, 'data/qa.jsonl': SMOKE_DATA});
    expect((await buildJson(dir)).exitCode).toBe(0);
    const lock = readFileSync(join(dir, 'finetune.lock'), 'utf8');
    const stages = readFileSync(join(dir, '.ft/recipe-cache.json'), 'utf8');
    writeFileSync(join(dir, 'finetune.yaml'), BROKEN);
    const r = await buildJson(dir);
    expect(r.exitCode).toBe(2);
    expect(readFileSync(join(dir, 'finetune.lock'), 'utf8')).toBe(lock);
    expect(readFileSync(join(dir, '.ft/recipe-cache.json'), 'utf8')).toBe(stages);
  });

  it('prints diagnostic events and a summary with --json', async () => {
    const dir = await project({'finetune.yaml': BROKEN, 'data/qa.jsonl': SMOKE_DATA});
    const r = await buildJson(dir);
    expect(r.exitCode).toBe(2);
    const diagnostics = r.events.filter((e) => e.event === 'diagnostic');
    expect(diagnostics).toHaveLength(7);
    expect(diagnostics[0]).toMatchObject({
      severity: 'error',
      code: 'unknown-key',
      file: 'finetune.yaml',
      line: 4,
      col: 30,
      message: "unknown key 'bogus' in sources.qa",
    });
    expect(r.events.at(-1)).toEqual({event: 'summary', ok: false, exit_code: 2, stages: []});
  });

  it('reports YAML syntax errors and duplicate keys with positions', async () => {
    const dir = await project({
      'finetune.yaml': 'version: 1\nname: a\nname: b\nsources:\n  qa: { path: data/qa.jsonl\n',
      'data/qa.jsonl': SMOKE_DATA,
    });
    const r = await ft(dir, ['validate']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("finetune.yaml:3:1: error: duplicate key 'name'");
    expect(r.stderr).toMatch(/finetune\.yaml:\d+:\d+: error: YAML syntax: /);
  });

  it('reports duplicate keys alongside schema errors in one run', async () => {
    const dir = await project({
      'finetune.yaml': 'version: 2\nname: a\nname: b\nsources:\n  qa: { path: data/qa.jsonl }\n',
      'data/qa.jsonl': SMOKE_DATA,
    });
    const r = await ft(dir, ['validate']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('finetune.yaml:1:10: error: version must be 1, got 2');
    expect(r.stderr).toContain("finetune.yaml:3:1: error: duplicate key 'name'");
  });

  it('points missing keys at their parent and bad --set values at the argument', async () => {
    const dir = await project({
      'finetune.yaml':
        'version: 1\nname: x\nsources:\n  qa: {format: jsonl}\ntransforms:\n  - limit: {}\n',
    });
    const r = await ft(dir, ['validate', '--set', 'seed=-1']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(
      'finetune.yaml:4:3: error: sources.qa needs exactly one of path, url or examples',
    );
    expect(r.stderr).toContain(
      "finetune.yaml:6:5: error: transforms[0].limit is missing required key 'n'",
    );
    expect(r.stderr).toContain('--set:1:6: error: seed must be >= 0');
    expect(r.stderr).toContain('  1 | seed=-1');
  });

  it('blames a key or mapping that only --set brings in on the argument, not the file', async () => {
    const dir = await project({'finetune.yaml': SMOKE_RECIPE, 'data/qa.jsonl': SMOKE_DATA});
    const r = await ft(dir, [
      'validate',
      '--set',
      'nope=1',
      '--set',
      'transforms[0].template.bogus=x',
      '--set',
      'hyperparameters.n_epochs=2',
    ]);
    expect(r.exitCode).toBe(2);
    // The path is at fault: carets under it, not under the value or the recipe's first line.
    expect(r.stderr.split('\n').filter((l) => / error: |^ +\d* \|/.test(l))).toEqual([
      "--set:1:1: error: unknown top-level key 'nope'",
      '  1 | nope=1',
      '    | ^^^^',
      "--set:1:1: error: unknown key 'bogus' in transforms[0].template",
      '  1 | transforms[0].template.bogus=x',
      '    | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^',
      '--set:1:1: error: hyperparameters need a backend',
      '  1 | hyperparameters.n_epochs=2',
      '    | ^^^^^^^^^^^^^^^^^^^^^^^^',
    ]);
    // A mapping set whole is at fault in its value; a key the file has, in the file, even
    // beside a key --set adds.
    const value = await ft(dir, ['validate', '--set', 'sources.qa={path: data/qa.jsonl, x: 1}']);
    expect(value.stderr).toContain("--set:1:12: error: unknown key 'x' in sources.qa");
    const file = await project({
      'finetune.yaml': SMOKE_RECIPE.replace('data/qa.jsonl }', 'data/qa.jsonl, x: 1 }'),
      'data/qa.jsonl': SMOKE_DATA,
    });
    const inFile = await ft(file, ['validate', '--set', 'sources.qa.format=jsonl']);
    expect(inFile.stderr).toContain("finetune.yaml:4:30: error: unknown key 'x' in sources.qa");
    expect(inFile.stderr).not.toContain('--set:');
  });

  it('rejects a --set path that does not fit the recipe', async () => {
    const dir = await project({'finetune.yaml': SMOKE_RECIPE, 'data/qa.jsonl': SMOKE_DATA});
    const bad = await ft(dir, ['build', '--set', 'transforms[9].split.test=0.1']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('transforms has 2 items; no index 9');
    const syntax = await ft(dir, ['build', '--set', 'transforms[x]=1']);
    expect(syntax.exitCode).toBe(2);
    expect(syntax.stderr).toContain("'transforms[x]' is not a recipe path");
    expect(existsSync(join(dir, 'finetune.lock'))).toBe(false);
  });

  it('reports rule violations the schema cannot express', async () => {
    const dir = await project({
      'finetune.yaml': `version: 1
name: x
sources:
  qa: { path: data/qa.jsonl }
transforms:
  - split: { validation: 0.6, test: 0.5 }
  - split: {}
  - template: { user: "{{prompt", assistant: "{{response}}" }
  - dedupe: { missing: skip }
backend: { type: local, model: tiny }
targets:
  a: { backend: { type: local, model: tiny }, hyperparameters: { epochs: 1, n_epochs: 2 } }
`,
      'data/qa.jsonl': SMOKE_DATA,
    });
    const r = await ft(dir, ['validate']);
    expect(r.exitCode).toBe(2);
    for (const message of [
      '6:5: error: validation + test must leave examples for training (0.6 + 0.5 >= 1)',
      '7:5: error: only one split is allowed (first at transforms[0])',
      "8:23: error: malformed placeholder near '{{prompt'",
      '9:15: error: dedupe: missing says what a record without a `by` field does; there is no `by`',
      '11:1: error: use either a top-level backend (one target) or targets, not both',
      '12:66: error: epochs is an alias of n_epochs; set only one',
    ]) {
      expect(r.stderr).toContain(`finetune.yaml:${message}`);
    }
  });
});

/** `ft validate` of `recipe` (with the smoke data): its result and its located error lines. */
async function validateErrors(recipe: string) {
  const dir = await project({'finetune.yaml': recipe, 'data/qa.jsonl': SMOKE_DATA});
  const r = await ft(dir, ['validate']);
  return {...r, errors: r.stderr.split('\n').filter((l) => l.startsWith('finetune.yaml:'))};
}

describe('a local backend', () => {
  it('accepts only options its trainer uses, and never validates what would fail at build time', async () => {
    const r = await validateErrors(`version: 1
name: x
sources:
  qa: { path: data/qa.jsonl }
targets:
  a: { backend: { type: local, trainer: command, model: tiny } }
  b: { backend: { type: local, trainer: hf, model: tiny, command: [x] } }
  c: { backend: { type: local, model: embedded:tiny, python: /usr/bin/python3, launcher: { type: torchrun, nproc_per_node: 2 } } }
  d: { backend: { type: local, trainer: axolotl, model: tiny } }
  e: { backend: { type: local, trainer: command, model: tiny, command: [python3, t.py], env: [WANDB_API_KEY], revision: abc } }
  f: { backend: { type: local, trainer: hf, model: tiny, python: /opt/venv/bin/python, launcher: { type: accelerate, nproc_per_node: 4 } } }
`);
    expect(r.exitCode).toBe(2);
    const errors = r.errors;
    expect(errors).toEqual([
      'finetune.yaml:6:41: error: trainer: command needs `command`, the executable that speaks the trainer protocol',
      'finetune.yaml:7:58: error: command applies to trainer: command, not hf',
      'finetune.yaml:8:54: error: python applies to trainer: hf, not embedded',
      'finetune.yaml:8:80: error: launcher applies to trainer: hf, not embedded',
      'finetune.yaml:9:41: error: targets.d.backend.trainer must be one of "embedded", "hf", "command", got "axolotl"',
    ]);
  });
});

describe('hyperparameters', () => {
  it('each backend takes its own names; a command trainer takes any', async () => {
    const r = await validateErrors(`version: 1
name: x
sources:
  qa: { path: data/qa.jsonl }
targets:
  a: { backend: { type: openai, model: gpt-4o-mini-2024-07-18 }, hyperparameters: { n_epochs: 2, learning_rate: 0.1, lora: { r: 8 } } }
  b: { backend: { type: local, model: ./base }, hyperparameters: { learning_rate_multiplier: 2, lerning_rate: 0.1, lora: { r: 8 }, d_model: 100, n_head: 3 } }
  c: { backend: { type: local, trainer: command, model: ./base, command: [x] }, hyperparameters: { anything: [1, 2], n_epochs: 1 } }
  d: { backend: { type: local, trainer: hf, model: ./base }, hyperparameters: { adapter: none, lora: { r: 8 }, n_layer: 2, chat_template: "{{ messages }}" } }
`);
    expect(r.exitCode).toBe(2);
    const errors = r.errors;
    const embedded =
      'it takes n_epochs, batch_size, learning_rate, max_seq_len, warmup_ratio, weight_decay, grad_clip, checkpoint_every, n_layer, d_model, n_head, d_ff';
    const hf =
      'it takes n_epochs, batch_size, learning_rate, max_seq_len, warmup_ratio, weight_decay, gradient_accumulation_steps, adapter, lora, chat_template';
    expect(errors).toEqual([
      'finetune.yaml:6:98: error: learning_rate does not apply to the openai backend (it takes n_epochs, batch_size, learning_rate_multiplier, beta)',
      'finetune.yaml:6:118: error: lora does not apply to the openai backend (it takes n_epochs, batch_size, learning_rate_multiplier, beta)',
      `finetune.yaml:7:68: error: learning_rate_multiplier does not apply to trainer embedded (${embedded})`,
      `finetune.yaml:7:97: error: unknown hyperparameter 'lerning_rate' for trainer embedded (${embedded})`,
      `finetune.yaml:7:116: error: lora does not apply to trainer embedded (${embedded})`,
      'finetune.yaml:7:154: error: d_model (100) must be a multiple of n_head (3)',
      'finetune.yaml:9:96: error: lora settings apply to adapter lora or qlora, not none (full fine-tuning)',
      `finetune.yaml:9:112: error: n_layer does not apply to trainer hf (${hf})`,
    ]);
    expect(r.stderr).toContain("hint: did you mean 'learning_rate'?");
    expect(r.stderr).toContain('hint: that is for trainer hf');
    expect(r.stderr).toContain('hint: that is for trainer embedded');
    expect(r.stderr).toContain("hint: that is OpenAI's; local trainers take learning_rate");
  });
});

describe('bad data', () => {
  it('names file, line and column, exits 2, stores no dataset and keeps the lockfile', async () => {
    const dir = await project({'finetune.yaml': SMOKE_RECIPE, 'data/qa.jsonl': SMOKE_DATA});
    await buildJson(dir);
    const lock = readFileSync(join(dir, 'finetune.lock'), 'utf8');
    writeFileSync(
      join(dir, 'data/qa.jsonl'),
      `${jsonl([{prompt: 'a', response: 'b'}])}{"prompt": "x",, }\n[1,2]\n${jsonl([{prompt: 'c'}])}`,
    );
    const r = await buildJson(dir);
    expect(r.exitCode).toBe(2);
    expect(r.statuses.dataset).toBe('failed');
    const diagnostics = r.events.filter((e) => e.event === 'diagnostic');
    expect(diagnostics.map((d) => [d.file, d.line, d.message])).toEqual([
      ['data/qa.jsonl', 2, expect.stringContaining('invalid JSON')],
      ['data/qa.jsonl', 3, 'each line must be a JSON object'],
      [
        'data/qa.jsonl',
        4,
        "template: the record has no field 'response' (transforms[0].template.assistant)",
      ],
    ]);
    expect(diagnostics[0]?.col).toBe(16);
    expect(readFileSync(join(dir, 'finetune.lock'), 'utf8')).toBe(lock);
    const plain = await ft(dir, ['build']);
    expect(plain.stderr).toContain('data/qa.jsonl:2:16: error: invalid JSON');
  });

  it('points every invalid JSON line at the column where parsing failed, on one thread and on workers', async () => {
    const lines = [
      '{"prompt": "a", "response": "b"}',
      '{"prompt": tru, "response": "x"}', // V8 gives no position for these three
      '{"prompt": "😀", "response": nul}', // the emoji is two UTF-16 units
      '{"prompt": "a", "response": "b"}\ufeff',
      '  {"prompt": "q", "response": "r"', // V8's position: the end of the line
      '{"prompt": "a",, "response": "b"}',
    ];
    const dir = await project({
      'finetune.yaml': SMOKE_RECIPE,
      'data/qa.jsonl': `${lines.join('\n')}\n`,
    });
    const expected = [
      "data/qa.jsonl:2:15: error: invalid JSON: Unexpected token ','",
      "data/qa.jsonl:3:33: error: invalid JSON: Unexpected token '}'",
      'data/qa.jsonl:4:33: error: invalid JSON: Unexpected non-whitespace character after JSON',
      "data/qa.jsonl:5:34: error: invalid JSON: Expected ',' or '}' after property value",
      'data/qa.jsonl:6:16: error: invalid JSON: Expected double-quoted property name',
    ];
    for (const workers of ['0', '2']) {
      const r = await ft(dir, ['build'], {FT_WORKERS: workers});
      expect(r.exitCode).toBe(2);
      expect(r.stderr.split('\n').filter((l) => l.startsWith('data/'))).toEqual(expected);
    }
  });

  it('points invalid JSON in a .json file at its line and column', async () => {
    const dir = await project({
      'finetune.yaml': SMOKE_RECIPE.replace('data/qa.jsonl', 'data/arr.json'),
      'data/arr.json':
        '[\n  {"prompt": "a", "response": "b"},\n  {"prompt": "é", "response": tru}\n]\n',
    });
    const r = await ft(dir, ['build']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("data/arr.json:3:34: error: invalid JSON: Unexpected token '}'");
  });

  it('stops a CSV file at a misplaced quote, with its line and column', async () => {
    const recipe = SMOKE_RECIPE.replace(
      '  qa: { path: data/qa.jsonl }',
      '  c1: { path: data/c1.csv }\n  c2: { path: data/c2.csv }',
    );
    const dir = await project({
      'finetune.yaml': recipe,
      'data/c1.csv': 'prompt,response\n"a","b"\nc,"d"x\n',
      // A quoted field across lines before it: the line count includes it.
      'data/c2.csv': 'prompt,response\n"a\nb","c"\nd,e"f\n',
    });
    const r = await ft(dir, ['build']);
    expect(r.exitCode).toBe(2);
    const located = r.stderr
      .split('\n')
      .filter((l) => l.includes(' error: invalid CSV'))
      .map((l) => l.replace(/^([^ ]+ error: invalid CSV: [^:]+).*$/, '$1'));
    expect(located).toEqual([
      'data/c1.csv:3:6: error: invalid CSV: Invalid Closing Quote',
      'data/c2.csv:4:4: error: invalid CSV: Invalid Opening Quote',
    ]);
  });

  it('reports invalid UTF-8 with the line', async () => {
    const dir = await project({'finetune.yaml': SMOKE_RECIPE, 'data/qa.jsonl': ''});
    writeFileSync(
      join(dir, 'data/qa.jsonl'),
      Buffer.concat([
        Buffer.from(jsonl([{prompt: 'a', response: 'b'}])),
        Buffer.from('{"prompt": "caf'),
        Buffer.from([0xc3, 0x28]),
        Buffer.from('", "response": "x"}\n'),
      ]),
    );
    const r = await buildJson(dir);
    expect(r.exitCode).toBe(2);
    const d = r.events.find((e) => e.event === 'diagnostic');
    expect(d).toMatchObject({file: 'data/qa.jsonl', line: 2, col: 16});
    expect(d?.message).toContain('invalid UTF-8');
  });
});
