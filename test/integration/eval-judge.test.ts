import {existsSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {describe, expect, it} from 'vitest';
import {chatServer} from '../helpers/chat-server.js';
import {evalOnlyRecipe, qaRecords} from '../helpers/eval-recipes.js';
import {ft, jsonl, project} from '../helpers/ft.js';

const RECORDS = qaRecords(30);

function recipe(models: string, metrics: string, gates = ''): string {
  return evalOnlyRecipe({name: 'judged', models, metrics, extra: gates});
}

const endpoint = (url: string, name: string, model: string) =>
  `{ name: ${name}, base_url: "${url}", model: ${model} }`;

interface Lock {
  stages: Record<string, {outputs: Record<string, string>; scores?: unknown}>;
}

function object(dir: string, hash: string): string {
  return readFileSync(join(dir, '.ft/objects', hash.slice(7, 9), hash.slice(7)), 'utf8');
}

function lockOf(dir: string): Lock {
  return JSON.parse(readFileSync(join(dir, 'finetune.lock'), 'utf8')) as Lock;
}

function scoresOf(dir: string) {
  return JSON.parse(object(dir, lockOf(dir).stages.eval!.outputs['scores.json']!)) as {
    n: number;
    models: Record<
      string,
      Record<string, {value: number; interval: [number, number]; scale: string; n: number}>
    >;
  };
}

describe('llm_judge: a judge stage scores answers by a rubric', () => {
  it('scores, caches every judgment, re-judges only what is new, and re-judges a new rubric', async () => {
    const srv = await chatServer();
    const judge = (rubric: string) =>
      `\n    - exact_match\n    - { id: quality, type: llm_judge, options: { judge: ${endpoint(srv.url, 'grader', 'judge')}, rubric: "${rubric}" } }`;
    const two = `\n    - ${endpoint(srv.url, 'good', 'memo')}\n    - ${endpoint(srv.url, 'bad', 'wrong')}`;
    const dir = await project({
      'finetune.yaml': recipe(two, judge('Is it the right answer?')),
      'data/qa.jsonl': jsonl(RECORDS),
    });
    const r = await ft(dir, ['build']);
    expect(r.exitCode, `${r.stdout}${r.stderr}`).toBe(0);
    expect(r.stdout).toContain('judge:quality: ran');
    const scores = scoresOf(dir);
    const n = scores.n;
    expect(n).toBeGreaterThan(5);
    // 9 on 1..10 is 8/9, 2 is 1/9: each model's answers are all right or all wrong.
    const good = scores.models.good!.quality!;
    expect(good.value).toBeCloseTo(8 / 9, 12);
    expect([good.scale, good.n]).toEqual(['0-1', n]);
    expect(good.interval[0]).toBeCloseTo(8 / 9, 12);
    expect(good.interval[1]).toBeCloseTo(8 / 9, 12);
    expect(scores.models.bad!.quality!.value).toBeCloseTo(1 / 9, 12);
    expect(srv.count('judge')).toBe(2 * n);
    // The lockfile locks the judged score, like any other.
    expect(JSON.stringify(lockOf(dir).stages.eval!.scores)).toContain('"quality"');
    // judgments.jsonl: per example and model its score and the judge's reply.
    const judgments = object(dir, lockOf(dir).stages['judge:quality']!.outputs['judgments.jsonl']!)
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as {id: string; model: string; score: number; reply: string});
    expect(judgments).toHaveLength(2 * n);
    expect(judgments[0]).toEqual({
      id: judgments[0]!.id,
      model: 'good',
      score: 9,
      reply: 'It matches the reference exactly.\n**Score:** 9',
    });
    expect(judgments[1]!.score).toBe(2);

    // Nothing changed: nothing is asked.
    const before = srv.calls.length;
    const again = await ft(dir, ['build']);
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toMatch(/^ok: \d+ fresh \(exit 0\)$/m);
    expect(srv.calls.length).toBe(before);

    // A new model: its answers, and the judgments of its answers only.
    const three = `${two}\n    - ${endpoint(srv.url, 'parrot', 'echo')}`;
    writeFileSync(join(dir, 'finetune.yaml'), recipe(three, judge('Is it the right answer?')));
    const added = await ft(dir, ['build']);
    expect(added.exitCode, `${added.stdout}${added.stderr}`).toBe(0);
    expect(srv.calls.length - before).toBe(2 * n);
    expect(srv.count('echo')).toBe(n);
    expect(srv.count('judge')).toBe(3 * n);
    expect(scoresOf(dir).models.parrot!.quality!.value).toBeCloseTo(1 / 9, 12);

    // A metric that is not a judge asks nobody.
    const asked = srv.calls.length;
    writeFileSync(
      join(dir, 'finetune.yaml'),
      recipe(three, `${judge('Is it the right answer?')}\n    - f1`),
    );
    const metric = await ft(dir, ['build']);
    expect(metric.exitCode).toBe(0);
    expect(metric.stdout).toContain('judge:quality: fresh');
    expect(srv.calls.length).toBe(asked);

    // Another rubric: every answer judged again, no model asked to answer.
    writeFileSync(join(dir, 'finetune.yaml'), recipe(three, judge('Is it right and terse?')));
    const rubric = await ft(dir, ['build']);
    expect(rubric.exitCode).toBe(0);
    expect(rubric.stdout).toContain('judge:quality: ran');
    expect(srv.calls.length - asked).toBe(3 * n);
    expect(srv.calls.slice(asked).every((c) => c.model === 'judge')).toBe(true);
    expect(srv.calls.at(-1)!.content).toContain('Is it right and terse?');

    // The graph shows the judge between the answers and the eval.
    const graph = await ft(dir, ['graph']);
    expect(graph.exitCode).toBe(0);
    expect(graph.stdout).toContain('judge:quality');
  });

  it('a judge named from eval.models judges; an unreadable reply fails the stage and shows it', async () => {
    const srv = await chatServer();
    const models = `\n    - ${endpoint(srv.url, 'good', 'memo')}\n    - ${endpoint(srv.url, 'twin', 'memo')}\n    - ${endpoint(srv.url, 'grader', 'judge')}\n    - ${endpoint(srv.url, 'vague', 'mumble')}`;
    const dir = await project({
      'finetune.yaml': recipe(
        models,
        '\n    - { id: quality, type: llm_judge, options: { judge: grader, rubric: "Right?" } }',
        '  gates: [{ metric: quality, model: good, min: 0.8 }]\n',
      ),
      'data/qa.jsonl': jsonl(RECORDS),
    });
    const r = await ft(dir, ['build']);
    expect(r.exitCode, `${r.stdout}${r.stderr}`).toBe(0);
    expect(scoresOf(dir).models.good!.quality!.value).toBeCloseTo(8 / 9, 12);
    expect(scoresOf(dir).models.twin!.quality!.value).toBeCloseTo(8 / 9, 12);
    // grader answers each question, then judges: good and twin answer alike, and the judge is
    // asked once for both (and once for grader's answers and vague's).
    const judged = scoresOf(dir).n;
    expect(srv.count('judge')).toBe(judged + 3 * judged);

    writeFileSync(
      join(dir, 'finetune.yaml'),
      recipe(
        models,
        '\n    - { id: quality, type: llm_judge, options: { judge: vague, rubric: "Right?" } }',
      ),
    );
    const bad = await ft(dir, ['build']);
    expect(bad.exitCode).toBe(1);
    const n = scoresOf(dir).n;
    const out = `${bad.stdout}${bad.stderr}`;
    expect(out).toContain(
      `judge:quality: ${4 * n} of ${4 * n} replies of the judge vague have no score ft can read on 1..10`,
    );
    expect(out).toMatch(/^ {2}example \S+, model good: it has no score: "Looks fine to me\."$/m);
    expect(out).toContain(`... and ${4 * n - 5} more`);
  });

  it("a local target's model judges through its trainer's generate, cached like its answers", async () => {
    const trainer = readFileSync(
      fileURLToPath(new URL('../fixtures/trainers/tiny_trainer.py', import.meta.url)),
      'utf8',
    );
    // The tiny trainer answers "<its commonest word> (<k> words asked)": the untrained base,
    // asked only the answer ("answer (2 words asked)"), says "unknown (4 words asked)": 4.
    const dir = await project({
      'finetune.yaml': `version: 1
name: local-judge
sources:
  qa: { path: data/qa.jsonl }
transforms:
  - template: { user: "{{prompt}}", assistant: "{{response}}" }
  - split: { test: 0.5, by: id }
backend: { type: local, trainer: command, model: ./base, command: [python3, trainer.py], env: [TINY_COUNT_FILE] }
hyperparameters: { n_epochs: 1 }
eval:
  models: [tuned]
  metrics:
    - { id: words, type: llm_judge, options: { judge: base, rubric: "-", prompt: "{{answer}}", scale: { min: 0, max: 10 } } }
`,
      'data/qa.jsonl': jsonl(RECORDS),
      'trainer.py': trainer,
      'base/config.json': '{}\n',
    });
    const env = {TINY_COUNT_FILE: join(dir, 'calls.log')};
    const calls = () =>
      existsSync(env.TINY_COUNT_FILE)
        ? readFileSync(env.TINY_COUNT_FILE, 'utf8')
            .split('\n')
            .filter((l) => l.startsWith('generate'))
        : [];
    const r = await ft(dir, ['build'], env);
    expect(r.exitCode, `${r.stdout}${r.stderr}`).toBe(0);
    const scores = scoresOf(dir);
    expect(scores.models.tuned!.words!.value).toBeCloseTo(0.4, 12);
    // One call answers, one judges: the tuned model's answers are all alike, and so are the
    // judge's prompts (only the answer), which it is asked once.
    expect(calls()).toEqual([`generate ${scores.n}`, 'generate 1']);
    const again = await ft(dir, ['build'], env);
    expect(again.exitCode).toBe(0);
    expect(calls()).toHaveLength(2);
  });

  it('refuses a judge nobody defines, a missing rubric and a bad scale, each at its place', async () => {
    const dir = await project({
      'finetune.yaml': recipe(
        '[{ name: mine, base_url: "http://127.0.0.1:9/v1", model: m }]',
        `
    - { id: a, type: llm_judge, options: { judge: mien, rubric: "r" } }
    - { id: b, type: llm_judge, options: { judge: mine } }
    - { id: c, type: llm_judge, options: { judge: mine, rubric: "r", scale: { min: 5, max: 1 } } }
    - { id: d, type: llm_judge, options: { judge: { name: x, base_url: "http://example.com/v1", model: m, api_key_env: K }, rubric: "r", prompt: "{{question}}" } }
    - { id: e, type: llm_judge, options: { judge: tuned, rubric: "r" } }`,
      ),
      'data/qa.jsonl': jsonl(RECORDS),
    });
    const r = await ft(dir, ['validate']);
    expect(r.exitCode).toBe(2);
    const lines = r.stderr;
    expect(lines).toMatch(
      /finetune\.yaml:11:51: error: unknown judge 'mien': not a model of eval\.models \(mine\), a tuned\/base reference, nor an OpenAI model id; another endpoint is \{name, base_url, model\}/,
    );
    expect(lines).toContain("did you mean 'mine'?");
    expect(lines).toMatch(/finetune\.yaml:12:\d+: error: llm_judge needs options\.rubric/);
    expect(lines).toMatch(
      /finetune\.yaml:13:\d+: error: llm_judge options\.scale min \(5\) must be below max \(1\)/,
    );
    expect(lines).toMatch(
      /finetune\.yaml:14:\d+: error: llm_judge options\.prompt has the placeholder \{\{question\}\}/,
    );
    expect(lines).toMatch(
      /finetune\.yaml:14:\d+: error: its key would go over plain http to example\.com/,
    );
    expect(lines).toMatch(
      /finetune\.yaml:15:\d+: error: the judge 'tuned' names a trained model, and the recipe trains none/,
    );
  });

  it('--no-exec refuses a judge that sends requests, naming it a judge', async () => {
    const dir = await project({
      'finetune.yaml': recipe(
        '[{ name: mine, base_url: "http://127.0.0.1:9/v1", model: m }]',
        '\n    - { id: j, type: llm_judge, options: { judge: gpt-4o-mini-2024-07-18, rubric: "r" } }',
      ),
      'data/qa.jsonl': jsonl(RECORDS),
    });
    const r = await ft(dir, ['validate', '--no-exec']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(
      /finetune\.yaml:11:\d+: error: the judge gpt-4o-mini-2024-07-18 sends requests to the OpenAI API \(refused by --no-exec\)/,
    );
  });
});
