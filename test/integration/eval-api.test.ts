import {readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {execa} from 'execa';
import {describe, expect, it} from 'vitest';
import type {BuildReport} from '../../src/report/report-types.js';
import {memorisingModel, useEmulator} from '../helpers/emulator.js';
import {evalOnlyRecipe, qaRecords} from '../helpers/eval-recipes.js';
import {ft, jsonl, project} from '../helpers/ft.js';

const RECORDS = qaRecords(30);
const KEY = 'sk-test-eval-0123456789';

/** An eval-only recipe: no training, models behind the emulator's chat completions. */
function recipe(models: string, extra = ''): string {
  return evalOnlyRecipe({name: 'eval-only', models, extra});
}

const chatCalls = (emu: Awaited<ReturnType<typeof useEmulator>>) =>
  emu.requests.filter((r) => r.path.endsWith('/chat/completions')).length;

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, {recursive: true, withFileTypes: true})
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

describe('eval of models behind an OpenAI-compatible API (the emulator)', () => {
  it('an eval-only recipe scores an ft: model against its base and an endpoint, then asks nothing again', async () => {
    const emu = await useEmulator();
    const tuned = await memorisingModel(emu, RECORDS);
    const models = `
    - ${tuned}
    - gpt-4o-mini-2024-07-18
    - { name: local-server, base_url: "${emu.url}/v1", model: gpt-4o-mini-2024-07-18, api_key_env: LOCAL_KEY }`;
    const gates = `  gates:
    - { metric: exact_match, better: "${tuned}", than: gpt-4o-mini-2024-07-18, by: 0.5, significant: true }
`;
    const dir = await project({
      'finetune.yaml': recipe(models, gates),
      'data/qa.jsonl': jsonl(RECORDS),
    });
    const env = {OPENAI_API_KEY: KEY, OPENAI_BASE_URL: `${emu.url}/v1`, LOCAL_KEY: KEY};
    const before = chatCalls(emu);
    const r = await ft(dir, ['build'], env);
    expect(r.exitCode, `${r.stdout}${r.stderr}`).toBe(0);
    const name = tuned.replace(/[^A-Za-z0-9._-]/g, '-');
    expect(r.stdout).toContain(`generate:${name}: ran`);
    expect(r.stdout).toMatch(new RegExp(`^ {2}${name} +exact_match 1 \\[1, 1\\]$`, 'm'));
    expect(r.stdout).toMatch(/^ {2}gpt-4o-mini-2024-07-18 +exact_match 0 \[0, 0\]$/m);
    expect(r.stdout).toMatch(/^gate passed: exact_match: /m);
    const n = Number(/^ {2}(\d+) example\(s\)$/m.exec(r.stdout)![1]);
    expect(chatCalls(emu) - before).toBe(3 * n);

    const again = await ft(dir, ['build'], env);
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toMatch(/^ok: \d+ fresh \(exit 0\)$/m);
    expect(chatCalls(emu) - before).toBe(3 * n);

    // Progress says how fast the model answers.
    expect(r.stdout).toMatch(
      new RegExp(`^generate:local-server: answered ${n}/${n}, \\d+ requests/s`, 'm'),
    );

    // A model whose weights may change behind its name is asked again on every build.
    writeFileSync(
      join(dir, 'finetune.yaml'),
      recipe(
        models.replace('api_key_env: LOCAL_KEY }', 'api_key_env: LOCAL_KEY, cache: false }'),
        gates,
      ),
    );
    const uncached = await ft(dir, ['build'], env);
    expect(uncached.exitCode).toBe(0);
    expect(uncached.stdout).toContain('generate:local-server: ran');
    expect(chatCalls(emu) - before).toBe(4 * n);
    expect((await ft(dir, ['build'], env)).stdout).toContain('generate:local-server: ran');
    expect(chatCalls(emu) - before).toBe(5 * n);

    // The key reaches no file ft wrote.
    for (const file of filesUnder(dir)) {
      if (statSync(file).size > 50_000_000) continue;
      expect(readFileSync(file).includes(KEY), file).toBe(false);
    }
  });

  it('recovers from 429 (honouring retry-after), 500 and dropped connections, and shows a refusal with its request id', async () => {
    const emu = await useEmulator();
    const dir = await project({
      'finetune.yaml': recipe('[gpt-4o-mini-2024-07-18]', '  generation: { concurrency: 2 }\n'),
      'data/qa.jsonl': jsonl(RECORDS),
    });
    const env = {OPENAI_API_KEY: KEY, OPENAI_BASE_URL: `${emu.url}/v1`};
    emu.faults.add({kind: 'rate_limit', path: '/chat/completions', retryAfter: 1});
    emu.faults.add({kind: 'server_error', path: '/chat/completions', count: 2});
    // A connection dropped before the server answered, and one dropped after it did.
    emu.faults.add({kind: 'drop_before', path: '/chat/completions', skip: 5});
    emu.faults.add({kind: 'drop_after', path: '/chat/completions', skip: 8});
    const r = await ft(dir, ['build'], env);
    expect(r.exitCode, `${r.stdout}${r.stderr}`).toBe(0);
    const statuses = emu.requests
      .filter((q) => q.path.endsWith('/chat/completions'))
      .map((q) => q.status)
      .filter((status) => status !== 200);
    // Both rules fire on the first request (the 429 answers it), so one 500 is left; the drops
    // come later.
    expect(statuses.map(String).sort()).toEqual(['429', '500', 'dropped', 'dropped']);
    // Every example was answered all the same.
    const n = Number(/^ {2}(\d+) example\(s\)$/m.exec(r.stdout)![1]);
    expect(r.stdout).toContain(`generate:gpt-4o-mini-2024-07-18: answered ${n}/${n}`);

    writeFileSync(join(dir, 'finetune.yaml'), recipe('[gpt-4o-2024-08-06]'));
    emu.faults.add({kind: 'refuse', path: '/chat/completions', count: null});
    const refused = await ft(dir, ['build'], env);
    expect(refused.exitCode).toBe(1);
    expect(`${refused.stdout}${refused.stderr}`).toMatch(
      /gpt-4o-2024-08-06 at http:\/\/127\.0\.0\.1:\d+\/v1 answered 403: .+ \(request id req_[0-9a-f]+\); 0 of \d+ answers were kept/,
    );
  });

  it('says plainly when a fine-tuned model it was asked to evaluate no longer exists', async () => {
    const emu = await useEmulator();
    const gone = 'ft:gpt-4o-mini-2024-07-18:emulator-org::deleted1';
    const dir = await project({
      'finetune.yaml': recipe(`["${gone}"]`),
      'data/qa.jsonl': jsonl(RECORDS),
    });
    const r = await ft(dir, ['build'], {OPENAI_API_KEY: KEY, OPENAI_BASE_URL: `${emu.url}/v1`});
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain(
      `the model ${gone} no longer exists for this API key (deleted, or retired with its base model; request id req_`,
    );
    expect(emu.requests.filter((q) => q.path.endsWith('/chat/completions'))).toEqual([]);
  });

  it('a regression gate compares with the scores locked at the merge base, example by example', async () => {
    const emu = await useEmulator();
    const tuned = await memorisingModel(emu, RECORDS);
    const candidate = (model: string, gate: string) =>
      recipe(
        `[{ name: candidate, base_url: "${emu.url}/v1", model: "${model}", api_key_env: LOCAL_KEY }]`,
        `  gates:\n    - ${gate}\n`,
      );
    const gate = '{ metric: exact_match, model: candidate, max_drop: 0.05, significant: true }';
    const dir = await project({
      'finetune.yaml': candidate(tuned, gate),
      'data/qa.jsonl': jsonl(RECORDS),
    });
    const env = {LOCAL_KEY: KEY};
    // Outside git: nothing to compare with, said plainly.
    const alone = await ft(dir, ['build'], env);
    expect(alone.exitCode, `${alone.stdout}${alone.stderr}`).toBe(0);
    expect(alone.stderr).toContain(
      'warning: regression gates not checked: the recipe is not in a git repository',
    );
    const git = (...args: string[]) => execa('git', args, {cwd: dir});
    await git('init', '--quiet', '--initial-branch=main');
    await git('-c', 'user.email=t@t', '-c', 'user.name=t', 'add', '.');
    await git('-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '--quiet', '-m', 'baseline');
    const main = (await git('rev-parse', '--short=7', 'HEAD')).stdout;
    await git('checkout', '--quiet', '-b', 'change');

    // The candidate now serves a model that knows none of the answers.
    writeFileSync(join(dir, 'finetune.yaml'), candidate('gpt-4o-mini-2024-07-18', gate));
    const worse = await ft(dir, ['build'], env);
    expect(worse.exitCode).toBe(3);
    expect(worse.stdout).toMatch(
      new RegExp(
        `^regression gate FAILED: exact_match of candidate is 0, 1 at the merge base \\(${main}\\): down 1, may drop <= 0\\.05; beyond it in 100% of paired resamples of \\d+ examples \\(fails at >= 95%\\)$`,
        'm',
      ),
    );
    // The lockfile this build rewrote is not the baseline: the next build still compares with main.
    expect((await ft(dir, ['build'], env)).exitCode).toBe(3);
    // A looser gate passes; a baseline git does not know is a usage error.
    writeFileSync(
      join(dir, 'finetune.yaml'),
      candidate('gpt-4o-mini-2024-07-18', '{ metric: exact_match, model: candidate, max_drop: 1 }'),
    );
    const loose = await ft(dir, ['build', '--baseline', 'main'], env);
    expect(loose.exitCode, loose.stderr).toBe(0);
    expect(loose.stdout).toMatch(
      /^regression gate passed: exact_match of candidate is 0, 1 at main/m,
    );
    const unknown = await ft(dir, ['build', '--baseline', 'no-such-ref'], env);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain('--baseline no-such-ref: git knows no commit no-such-ref');
  });

  it("evaluates an OpenAI target's tuned model and its base; a clone with the lockfile trains nothing", async () => {
    const emu = await useEmulator();
    const files = {
      'finetune.yaml': `version: 1
name: oai-eval
sources:
  qa: { path: data/qa.jsonl }
transforms:
  - template: { user: "{{prompt}}", assistant: "{{response}}" }
backend: { type: openai, model: gpt-4o-mini-2024-07-18 }
hyperparameters: { n_epochs: 1 }
eval:
  dataset: train
  models: [tuned, base]
  metrics: [exact_match]
  gates: [{ metric: exact_match, better: tuned, than: base, by: 0.9 }]
`,
      'data/qa.jsonl': jsonl(RECORDS),
    };
    const dir = await project(files);
    const env = {OPENAI_API_KEY: KEY, OPENAI_BASE_URL: `${emu.url}/v1`, FT_OPENAI_POLL_MS: '5'};
    const r = await ft(dir, ['build'], env);
    expect(r.exitCode, `${r.stdout}${r.stderr}`).toBe(0);
    // The emulated fine-tune knows its training answers; the base snapshot does not.
    expect(r.stdout).toMatch(/^ {2}tuned +exact_match 1 \[1, 1\]$/m);
    expect(r.stdout).toMatch(/^ {2}base +exact_match 0 \[0, 0\]$/m);

    // A fresh clone with the committed lockfile: the training is fresh (no upload, no job, the
    // model named by the lockfile); the answers are not in the lockfile, so they are asked again,
    // and score the same: the lockfile does not change.
    const lock = readFileSync(join(dir, 'finetune.lock'), 'utf8');
    const clone = await project({...files, 'finetune.lock': lock});
    const asked = emu.requests.length;
    const again = await ft(clone, ['build'], env);
    expect(again.exitCode, `${again.stdout}${again.stderr}`).toBe(0);
    expect(again.stdout).toContain('train:default: fresh');
    const since = emu.requests.slice(asked);
    // Only answers, and the one question whether the fine-tuned model still exists.
    expect(
      since
        .filter((q) => !q.path.endsWith('/chat/completions'))
        .map((q) => `${q.method} ${q.path}`),
    ).toEqual([expect.stringMatching(/^GET \/v1\/models\/ft/)]);
    expect(readFileSync(join(clone, 'finetune.lock'), 'utf8')).toBe(lock);

    // The first build's report has the job's curve, cost and model; the clone's has the model
    // and says its curve is not available (it is in no store here), without failing.
    const report = (d: string) =>
      JSON.parse(readFileSync(join(d, 'ft-report', 'report.json'), 'utf8')) as BuildReport;
    const trained = report(dir).training[0]!;
    expect(trained).toMatchObject({stage: 'train:default', backend: 'openai', status: 'ran'});
    expect(trained.model).toMatch(/^ft:gpt-4o-mini-2024-07-18:/);
    expect(trained.curve.available && trained.curve.points.length).toBeGreaterThan(0);
    expect(trained.trained_tokens).toBeGreaterThan(0);
    expect(trained.cost_usd.estimate).toBeGreaterThan(0);
    expect(trained.cost_usd.actual).toBeGreaterThan(0);
    const cloned = report(clone).training[0]!;
    expect(cloned).toMatchObject({status: 'fresh', model: trained.model, duration_ms: 0});
    expect(cloned.curve).toEqual({
      available: false,
      reason:
        'the curve is not in .ft/ (the model was trained elsewhere; the lockfile has its result)',
    });
    expect(readFileSync(join(clone, 'ft-report', 'report.md'), 'utf8')).toContain(
      'Curve of default: not available (the curve is not in .ft/',
    );
  });

  it('refuses what would send a key where it should not go, or without the key it needs', async () => {
    const dir = await project({
      'finetune.yaml': recipe(
        '[{ name: remote, base_url: "http://example.com/v1", model: m, api_key_env: REMOTE_KEY }]',
      ),
      'data/qa.jsonl': jsonl(RECORDS),
    });
    const plain = await ft(dir, ['validate']);
    expect(plain.exitCode).toBe(2);
    expect(plain.stderr).toContain(
      'finetune.yaml:9:73: error: its key would go over plain http to example.com; use https (plain http is for loopback only)',
    );

    writeFileSync(join(dir, 'finetune.yaml'), recipe('[gpt-4o-mini-2024-07-18]'));
    const noKey = await ft(dir, ['build'], {
      OPENAI_API_KEY: '',
      OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
    });
    expect(noKey.exitCode).toBe(2);
    expect(noKey.stdout + noKey.stderr).toContain(
      'OPENAI_API_KEY is not set; the model gpt-4o-mini-2024-07-18 needs its API key',
    );

    const noExec = await ft(dir, ['plan', '--no-exec']);
    expect(noExec.exitCode).toBe(2);
    expect(noExec.stderr).toContain(
      'error: the eval model gpt-4o-mini-2024-07-18 sends requests to the OpenAI API (refused by --no-exec)',
    );
  });
});
