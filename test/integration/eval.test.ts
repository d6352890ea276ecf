import {existsSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {describe, expect, it} from 'vitest';
import {ft, jsonl, project} from '../helpers/ft.js';

const TRAINER = readFileSync(
  fileURLToPath(new URL('../fixtures/trainers/tiny_trainer.py', import.meta.url)),
  'utf8',
);

/** Twenty questions; the tiny trainer answers "answer (<k> words asked)" once trained. */
const DATA = jsonl(
  Array.from({length: 40}, (_, i) => ({id: i, prompt: `question ${i}?`, response: `answer ${i}`})),
);

function recipe(evaluation: string): string {
  return `version: 1
name: evals
sources:
  qa: { path: data/qa.jsonl }
transforms:
  - template: { user: "{{prompt}}", assistant: "{{response}}" }
  - split: { test: 0.5, by: id }
backend: { type: local, trainer: command, model: ./base, command: [python3, trainer.py], env: [TINY_COUNT_FILE] }
hyperparameters: { n_epochs: 1 }
eval:
${evaluation}`;
}

async function evalProject(
  evaluation: string,
): Promise<{dir: string; env: Record<string, string>}> {
  const dir = await project({
    'finetune.yaml': recipe(evaluation),
    'data/qa.jsonl': DATA,
    'trainer.py': TRAINER,
    'base/config.json': '{}\n',
  });
  return {dir, env: {TINY_COUNT_FILE: join(dir, 'calls.log')}};
}

/** The `generate <n>` lines the tiny trainer logged: how many inputs each call answered. */
function generateCalls(dir: string): number[] {
  const file = join(dir, 'calls.log');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('generate '))
    .map((l) => Number(l.split(' ')[1]));
}

interface Lock {
  stages: Record<string, {outputs: Record<string, string>}>;
}

function scoresOf(dir: string): {
  n: number;
  models: Record<
    string,
    Record<string, {value: number; interval: [number, number]; scale: string}>
  >;
  gates: {passed: boolean; detail: string}[];
} {
  const lock = JSON.parse(readFileSync(join(dir, 'finetune.lock'), 'utf8')) as Lock;
  const hash = lock.stages.eval!.outputs['scores.json']!;
  return JSON.parse(
    readFileSync(join(dir, '.ft/objects', hash.slice(7, 9), hash.slice(7)), 'utf8'),
  );
}

/** `ft build --json` with `env`, and each stage's status. */
async function build(dir: string, env: Record<string, string>) {
  const r = await ft(dir, ['build', '--json'], env);
  const summary = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as {
    stages: {id: string; status: string}[];
  };
  return {...r, statuses: Object.fromEntries(summary.stages.map((s) => [s.id, s.status]))};
}

const EVAL = `  models: [tuned, base]
  metrics: [f1, length]
  gates:
    - { metric: f1, min: 0.3 }
    - { metric: f1, better: tuned, than: base, by: 0.2, significant: true }
`;

describe('eval: generate stages answer, one eval stage scores and gates', () => {
  it('scores every model, passes its gates (exit 0), and a second build asks no model', async () => {
    const {dir, env} = await evalProject(EVAL);
    const first = await ft(dir, ['build'], env);
    expect(first.exitCode, first.stderr).toBe(0);
    const n = scoresOf(dir).n;
    expect(n).toBeGreaterThan(10);
    // One call per model, each answering every test example.
    expect(generateCalls(dir)).toEqual([n, n]);
    const scores = scoresOf(dir);
    // "answer (2 words asked)" against "answer 7": 1 shared token of 4 and 2: F1 = 1/3.
    // "answer (2 words asked)" against "answer 7": 1 shared token of 4 and 2 (F1 1/3); more
    // where the count matches the number asked for.
    const f1 = scores.models.tuned!.f1!;
    expect(f1.value).toBeGreaterThan(1 / 3);
    expect(f1.value).toBeLessThan(0.4);
    expect(f1.interval[0]).toBeLessThanOrEqual(f1.value);
    expect(f1.interval[1]).toBeGreaterThanOrEqual(f1.value);
    expect(f1.interval[1]).toBeGreaterThan(f1.interval[0]);
    // The untrained base says "unknown (2 words asked)": only a shared number scores.
    expect(scores.models.base!.f1!.value).toBeLessThan(f1.value - 0.2);
    expect(scores.models.tuned!.length!.scale).toBe('characters');
    expect(scores.gates.map((g) => g.passed)).toEqual([true, true]);
    expect(first.stdout).toMatch(
      /^ {2}tuned {2}f1 0\.3\d* \[0\.3\d*, 0\.\d+\]; length \d+(\.\d+)? \[[\d.]+, [\d.]+\] \(characters\)$/m,
    );
    expect(first.stdout).toMatch(/^gate passed: f1 of tuned is 0\.3\d*, needs >= 0\.3$/m);

    const again = await build(dir, env);
    expect(Object.values(again.statuses).every((s) => s === 'fresh')).toBe(true);
    expect(generateCalls(dir)).toEqual([n, n]);
  });

  it('a failed gate exits 3 after writing every result, and again while the scores are fresh', async () => {
    const {dir, env} = await evalProject(`  metrics: [f1]
  gates: [{ metric: f1, min: 0.5 }]
`);
    const r = await ft(dir, ['build'], env);
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toMatch(/^gate FAILED: f1 of tuned is 0\.3\d*, needs >= 0\.5$/m);
    expect(r.stdout).toMatch(/^failed: .* \(exit 3\)$/m);
    // The results are kept and locked: the next build re-asks nothing and still fails.
    expect(scoresOf(dir).gates[0]!.passed).toBe(false);
    const again = await ft(dir, ['build'], env);
    expect(again.exitCode).toBe(3);
    expect(generateCalls(dir)).toHaveLength(1);
  });

  it('a new metric re-scores without asking; a new model asks only itself; an edited example costs one answer per model', async () => {
    const {dir, env} = await evalProject(`  models: [tuned]
  metrics: [f1]
`);
    expect((await ft(dir, ['build'], env)).exitCode).toBe(0);
    const n = scoresOf(dir).n;
    expect(generateCalls(dir)).toEqual([n]);

    writeFileSync(
      join(dir, 'finetune.yaml'),
      recipe(
        '  models: [tuned]\n  metrics: [f1, exact_match, { id: asked, type: regex, options: { pattern: "words asked" } }]\n',
      ),
    );
    const metric = await build(dir, env);
    expect(metric.statuses.eval).toBe('ran');
    expect(metric.statuses['generate:tuned']).toBe('fresh');
    expect(generateCalls(dir)).toEqual([n]);
    expect(Object.keys(scoresOf(dir).models.tuned!).sort()).toEqual(['asked', 'exact_match', 'f1']);
    expect(scoresOf(dir).models.tuned!.asked!.value).toBe(1);

    writeFileSync(join(dir, 'finetune.yaml'), recipe('  models: [tuned, base]\n  metrics: [f1]\n'));
    const model = await build(dir, env);
    expect(model.statuses['generate:base']).toBe('ran');
    expect(model.statuses['generate:tuned']).toBe('fresh');
    expect(generateCalls(dir)).toEqual([n, n]);

    // One test example's prompt changes. The split goes by id, so it stays a test example and
    // the training data is the same: each model answers that one prompt, and the rest come from
    // the answer cache (the stage's key changed with the examples).
    const lock = JSON.parse(readFileSync(join(dir, 'finetune.lock'), 'utf8')) as Lock;
    const testFile = lock.stages.dataset!.outputs['test.jsonl']!;
    const firstTest = JSON.parse(
      readFileSync(join(dir, '.ft/objects', testFile.slice(7, 9), testFile.slice(7)), 'utf8').split(
        '\n',
      )[0]!,
    ) as {messages: {content: string}[]};
    const asked = firstTest.messages[0]!.content;
    writeFileSync(
      join(dir, 'data/qa.jsonl'),
      readFileSync(join(dir, 'data/qa.jsonl'), 'utf8').replace(
        `"prompt":"${asked}"`,
        `"prompt":"${asked} Please."`,
      ),
    );
    const after = await build(dir, env);
    expect(after.exitCode, after.stderr).toBe(0);
    expect(after.statuses['train:default']).toBe('fresh');
    expect(after.statuses['generate:tuned']).toBe('ran');
    expect(generateCalls(dir)).toEqual([n, n, 1, 1]);
  });

  it('a misspelt metric gets one error with a suggestion, whether written as a name or a type', async () => {
    const dir = await project({
      'finetune.yaml': recipe(
        '  metrics: [exact_mach, { id: r, type: regexx, options: { pattern: x } }]\n',
      ),
      'data/qa.jsonl': DATA,
    });
    const r = await ft(dir, ['validate']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.split('\n').filter((l) => l.startsWith('finetune.yaml:'))).toEqual([
      expect.stringMatching(
        /^finetune\.yaml:11:13: error: eval\.metrics\[0\] must be one of .*, got "exact_mach"$/,
      ),
      expect.stringMatching(
        /^finetune\.yaml:11:40: error: eval\.metrics\[1\]\.type must be one of .*, got "regexx"$/,
      ),
    ]);
    expect(r.stderr).toContain("hint: did you mean 'exact_match'?");
    expect(r.stderr).toContain("hint: did you mean 'regex'?");
  });

  it('checks models and gates against the recipe', async () => {
    const dir = await project({
      'finetune.yaml': `version: 1
name: bad
sources:
  qa: { path: data/qa.jsonl }
targets:
  a: { backend: { type: local, model: "embedded:tiny" } }
  b: { backend: { type: local, model: "embedded:tiny" } }
eval:
  models: [tuned, "tuned:c", "base:a"]
  metrics:
    - exact_match
    - token_f1
    - { type: regex }
    - { id: loose, type: contains, options: { ignore_case: yes, valu: x } }
    - { id: loose, type: chrf, options: { beta: 0 } }
  gates:
    - { metric: bleu, model: "tuned:a", min: 1 }
    - { metric: f1, model: "tuned:b", min: 0.5 }
    - { metric: exact_match, better: "base:a" }
    - { metric: exact_match, model: "base:a" }
`,
      'data/qa.jsonl': DATA,
    });
    const r = await ft(dir, ['validate']);
    expect(r.exitCode).toBe(2);
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('finetune.yaml:'));
    expect(errors).toEqual([
      "finetune.yaml:9:12: error: 'tuned' is ambiguous: the recipe has 2 targets (a, b); name one, e.g. tuned:a",
      "finetune.yaml:9:19: error: no target named 'c' (the targets are a, b)",
      'finetune.yaml:13:7: error: regex needs options.pattern',
      // YAML 1.2: `yes` is a string.
      'finetune.yaml:14:60: error: contains options.ignore_case must be true or false',
      "finetune.yaml:14:65: error: contains takes no option 'valu' (it takes value, ignore_case)",
      'finetune.yaml:15:13: error: two metrics have the id loose; give each configuration its own id',
      'finetune.yaml:15:49: error: chrf options.beta must be a number > 0',
      'finetune.yaml:17:17: error: gate on bleu, which eval.metrics does not compute',
      'finetune.yaml:17:30: error: gate on model tuned:a, which eval.models does not run (it runs base.a)',
      'finetune.yaml:18:28: error: gate on model tuned:b, which eval.models does not run (it runs base.a)',
      'finetune.yaml:19:7: error: a comparison gate needs both better and than (than is missing)',
      'finetune.yaml:20:7: error: a gate needs min or max (a bound), or better and than (a comparison)',
    ]);
  });
});
