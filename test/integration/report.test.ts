import {chmodSync, existsSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {Ajv2020} from 'ajv/dist/2020.js';
import {execa} from 'execa';
import {describe, expect, it} from 'vitest';
import type {BuildReport} from '../../src/report/report-types.js';
import type {Emulator} from '../emulator/server.js';
import {memorisingModel, useEmulator} from '../helpers/emulator.js';
import {evalOnlyRecipe, qaRecords} from '../helpers/eval-recipes.js';
import {buildJson, ft, jsonl, project} from '../helpers/ft.js';

const RECORDS = qaRecords(40);
const KEY = 'sk-test-report-0123456789';
const BASE = 'gpt-4o-mini-2024-07-18';

const schema = JSON.parse(
  readFileSync(new URL('../../schemas/report.schema.json', import.meta.url), 'utf8'),
);
const ajv = new Ajv2020({allErrors: true, strict: false});
ajv.addFormat('date-time', (s: string) => !Number.isNaN(Date.parse(s)) && s.includes('T'));
const validate = ajv.compile(schema);

/** An eval-only recipe whose `candidate` is an endpoint serving `model` from the emulator. */
function recipe(emu: Emulator, model: string, extra = ''): string {
  return evalOnlyRecipe({
    name: 'report-demo',
    models: `
    - { name: candidate, base_url: "${emu.url}/v1", model: "${model}", api_key_env: LOCAL_KEY }
    - { name: reference, base_url: "${emu.url}/v1", model: ${BASE}, api_key_env: LOCAL_KEY }`,
    metrics: '[exact_match, chrf]',
    extra,
  });
}

const readReport = (dir: string, folder = 'ft-report'): BuildReport =>
  JSON.parse(readFileSync(join(dir, folder, 'report.json'), 'utf8')) as BuildReport;

function expectValid(report: unknown): void {
  const ok = validate(report);
  expect(validate.errors ?? [], JSON.stringify(validate.errors)).toEqual([]);
  expect(ok).toBe(true);
}

const env = {LOCAL_KEY: KEY};

describe('the report a build leaves', () => {
  it('an eval build writes Markdown, JSON (valid against its schema), JUnit and HTML; ft report shows it again', async () => {
    const emu = await useEmulator();
    const tuned = await memorisingModel(emu, RECORDS);
    const gates = `  gates:
    - { metric: exact_match, model: candidate, min: 0.9 }
    - { metric: exact_match, better: candidate, than: reference, by: 0.5, significant: true }
`;
    const dir = await project({
      'finetune.yaml': recipe(emu, tuned, gates),
      'data/qa.jsonl': jsonl(RECORDS),
    });
    const summaryFile = join(dir, 'step-summary.md');
    writeFileSync(summaryFile, '# earlier step\n');
    const r = await ft(dir, ['build'], {...env, GITHUB_STEP_SUMMARY: summaryFile});
    expect(r.exitCode, `${r.stdout}${r.stderr}`).toBe(0);

    const report = readReport(dir);
    expectValid(report);
    const n = report.eval!.n;
    expect(n).toBeGreaterThan(10);
    expect(report.build).toMatchObject({
      recipe: 'finetune.yaml',
      name: 'report-demo',
      exit_code: 0,
    });
    expect(report.eval!.scores.candidate!.exact_match).toEqual({value: 1, n, interval: [1, 1]});
    expect(report.eval!.scores.reference!.exact_match!.value).toBe(0);
    expect(report.eval!.metrics.map((m) => [m.id, m.scale, m.pass_fail])).toEqual([
      ['exact_match', '0-1', true],
      ['chrf', '0-100', false],
    ]);
    expect(report.eval!.examples.items).toHaveLength(n);
    expect(report.eval!.examples.items.every((e) => e.failed.join() === 'reference')).toBe(true);
    expect(report.eval!.gates.map((g) => [g.kind, g.passed])).toEqual([
      ['bound', true],
      ['better', true],
    ]);
    // Outside git there is no baseline, and the report says why instead of failing.
    expect(report.eval!.baseline).toEqual({
      available: false,
      reason: 'the recipe is not in a git repository',
    });
    expect(report.stages.find((s) => s.id === 'generate:candidate')).toMatchObject({
      status: 'ran',
      why: ['new stage (not in the lockfile)'],
      error: null,
    });

    const md = readFileSync(join(dir, 'ft-report', 'report.md'), 'utf8');
    expect(md).toContain('## ft build: report-demo: ✅ passed (exit 0)');
    expect(md).toContain(`### Eval: ${n} test examples`);
    expect(md).toMatch(
      /^\| exact\\_match \(0-1\) \| 1\.000 \[1\.000, 1\.000\] \| 0\.000 \[0\.000, 0\.000\] \|$/m,
    );
    expect(md).toContain('### Gates: 2 passed, 0 failed');
    expect(md).toContain(`<details><summary>Examples: all ${n}, failures first</summary>`);
    // The same Markdown went to the step summary, after what was there.
    expect(readFileSync(summaryFile, 'utf8')).toBe(`# earlier step\n${md}\n`);

    const junit = readFileSync(join(dir, 'ft-report', 'junit.xml'), 'utf8');
    expect(junit).toContain('<testsuite name="ft gates" tests="2" failures="0"');
    expect(junit.match(/<testcase classname="ft\.gates\./g)).toHaveLength(2);
    expect(junit).toContain('name="exact_match of candidate &gt;= 0.9"');
    expect(existsSync(join(dir, 'ft-report', 'report.html'))).toBe(true);

    // The build ends with the summary, then where the report is.
    expect(r.stdout).toMatch(
      /^ {2}exact_match \(0-1\) +1\.000 \[1\.000, 1\.000\] +0\.000 \[0\.000, 0\.000\]$/m,
    );
    expect(r.stdout).toMatch(/^gate passed: exact_match of candidate is 1, needs >= 0\.9$/m);
    expect(r.stdout).toContain('report: ft-report/ (report.md, report.html; ft report --open)');

    // ft report prints that summary again, names the kept reports, and shows an earlier one.
    const again = await ft(dir, ['report']);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout).toContain(`build ${report.build.id}: ok (exit 0)`);
    expect(again.stdout).toMatch(/^ {2}exact_match \(0-1\) +1\.000/m);
    writeFileSync(join(dir, 'finetune.yaml'), recipe(emu, tuned, ''));
    expect((await ft(dir, ['build'], env)).exitCode).toBe(0);
    const list = await ft(dir, ['report', '--list']);
    const ids = list.stdout
      .trim()
      .split('\n')
      .map((l) => l.split(' ')[0]);
    expect(ids).toHaveLength(2);
    expect(ids[1]).toBe(report.build.id);
    expect(readReport(dir).build.id).toBe(ids[0]);
    const earlier = await ft(dir, ['report', '--build', report.build.id, '--format', 'json']);
    expect(JSON.parse(earlier.stdout)).toEqual(report);
    const unknown = await ft(dir, ['report', '--build', 'no-such-build']);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain("no kept report of build 'no-such-build' for finetune.yaml");
  });

  it('a build that fails a gate (exit 3) still writes its report, the failed gate in JUnit', async () => {
    const emu = await useEmulator();
    const dir = await project({
      'finetune.yaml': recipe(
        emu,
        BASE,
        '  gates:\n    - { metric: chrf, model: candidate, min: 50 }\n',
      ),
      'data/qa.jsonl': jsonl(RECORDS),
    });
    const r = await ft(dir, ['build'], env);
    expect(r.exitCode).toBe(3);
    const report = readReport(dir);
    expectValid(report);
    expect(report.build).toMatchObject({exit_code: 3, ok: false});
    const gate = report.eval!.gates[0]!;
    expect(gate).toMatchObject({kind: 'bound', name: 'chrf of candidate >= 50', passed: false});
    const md = readFileSync(join(dir, 'ft-report', 'report.md'), 'utf8');
    expect(md).toContain('## ft build: report-demo: ❌ gate failed (exit 3)');
    expect(md).toContain('### Gates: 0 passed, 1 failed');
    const junit = readFileSync(join(dir, 'ft-report', 'junit.xml'), 'utf8');
    expect(junit).toContain('<testsuite name="ft gates" tests="1" failures="1"');
    expect(junit).toContain(`<failure type="gate" message="${gate.detail.replace(/>/g, '&gt;')}">`);
    expect(r.stdout).toMatch(/^gate FAILED: chrf of candidate is [\d.]+, needs >= 50$/m);
  });

  it('a build whose stage fails writes a report naming it; the eval is not there', async () => {
    const dir = await project({
      'finetune.yaml': evalOnlyRecipe({
        name: 'unreachable',
        models: '[{ name: gone, base_url: "http://127.0.0.1:9/v1", model: m }]',
      }),
      'data/qa.jsonl': jsonl(RECORDS),
    });
    const r = await ft(dir, ['build']);
    expect(r.exitCode).toBe(1);
    const report = readReport(dir);
    expectValid(report);
    expect(report.eval).toBeNull();
    const failed = report.stages.find((s) => s.id === 'generate:gone')!;
    expect(failed.status).toBe('failed');
    expect(failed.error?.message).toContain('127.0.0.1:9');
    expect(report.stages.find((s) => s.id === 'eval')?.status).toBe('skipped');
    const junit = readFileSync(join(dir, 'ft-report', 'junit.xml'), 'utf8');
    expect(junit).toMatch(
      /<testcase classname="ft\.stages\.generate" name="generate:gone" time="[\d.]+">\n {6}<failure /,
    );
    expect(junit).toContain(
      '<testsuite name="ft stages" tests="4" failures="1" errors="0" skipped="1"',
    );
  });

  it('against the baseline commit: deltas per model and metric, and the examples that newly fail', async () => {
    const emu = await useEmulator();
    const all = await memorisingModel(emu, RECORDS);
    // A worse model: it knows the answers of the even ids only.
    const half = await memorisingModel(
      emu,
      RECORDS.filter((r) => r.id % 2 === 0),
    );
    const dir = await project({
      'finetune.yaml': recipe(emu, all),
      'data/qa.jsonl': jsonl(RECORDS),
    });
    expect((await ft(dir, ['build'], env)).exitCode).toBe(0);
    const git = (...args: string[]) =>
      execa('git', ['-c', 'user.email=t@t', '-c', 'user.name=t', ...args], {cwd: dir});
    await git('init', '--quiet', '--initial-branch=main');
    await git('add', 'finetune.yaml', 'finetune.lock', 'data');
    await git('commit', '--quiet', '-m', 'baseline');
    const main = (await git('rev-parse', 'HEAD')).stdout;
    await git('checkout', '--quiet', '-b', 'change');
    writeFileSync(join(dir, 'finetune.yaml'), recipe(emu, half));
    const r = await ft(dir, ['build'], env);
    expect(r.exitCode, r.stderr).toBe(0);

    const report = readReport(dir);
    expectValid(report);
    expect(report.build.git).toEqual({commit: main, dirty: true});
    const baseline = report.eval!.baseline;
    if (!baseline.available) throw new Error(baseline.reason);
    expect(baseline).toMatchObject({ref: 'the merge base', commit: main, examples_compared: true});
    const now = report.eval!.scores.candidate!.exact_match!.value;
    expect(now).toBeGreaterThan(0);
    expect(now).toBeLessThan(1);
    expect(baseline.deltas.candidate!.exact_match).toEqual({before: 1, now, delta: now - 1});
    expect(baseline.deltas.reference!.exact_match).toEqual({before: 0, now: 0, delta: 0});
    // Exactly the test examples with odd ids: the ones the new model does not know.
    const failing = report.eval!.examples.items.filter((e) => e.failed.includes('candidate'));
    expect(failing.length).toBe(Math.round((1 - now) * report.eval!.n));
    expect(baseline.newly_failing).toEqual(
      failing.map((e) => ({id: e.id, model: 'candidate', metric: 'exact_match'})),
    );
    for (const e of failing)
      expect(Number(/question (\d+)/.exec(e.input[0]!.content)![1]) % 2).toBe(1);

    const md = readFileSync(join(dir, 'ft-report', 'report.md'), 'utf8');
    expect(md).toContain(`### Newly failing (${failing.length})`);
    expect(md).toContain(`(-${(1 - now).toFixed(3)})`);
    expect(md).toContain(
      `Deltas in parentheses are against the baseline, the merge base (\`${main.slice(0, 7)}\`).`,
    );
    expect(r.stdout).toContain(`${failing.length} example(s) newly failing since the baseline`);
  });

  it('report.dir moves the folder; recipes that share a folder keep their own reports', async () => {
    const emu = await useEmulator();
    const dir = await project({
      'finetune.yaml': recipe(emu, BASE, 'report: { dir: out/reports }\n'),
      'other.yaml': recipe(emu, BASE).replace('name: report-demo', 'name: other-demo'),
      'data/qa.jsonl': jsonl(RECORDS),
    });
    expect((await ft(dir, ['build'], env)).exitCode).toBe(0);
    expect((await ft(dir, ['build', '-f', 'other.yaml'], env)).exitCode).toBe(0);
    expect(readReport(dir, 'out/reports').build.name).toBe('report-demo');
    expect(readReport(dir, 'ft-report/other').build.name).toBe('other-demo');
    expect(existsSync(join(dir, 'ft-report', 'report.json'))).toBe(false);
    const list = await ft(dir, ['report', '--list', '--json', '-f', 'other.yaml']);
    expect(list.stdout.trim().split('\n')).toHaveLength(1);
    expect((await ft(dir, ['report'])).stdout).toContain('build ');
  });

  it('--json tells where the report is; ft report --open hands the page to the browser, or says where it is', async () => {
    const emu = await useEmulator();
    const dir = await project({
      'finetune.yaml': recipe(emu, BASE),
      'data/qa.jsonl': jsonl(RECORDS),
      // A stand-in for the desktop's opener: it records what it was asked to open.
      'bin/xdg-open': '#!/bin/sh\necho "$1" >> "$(dirname "$0")/opened"\n',
    });
    chmodSync(join(dir, 'bin/xdg-open'), 0o755);
    const r = await buildJson(dir, [], env);
    expect(r.exitCode, r.stderr).toBe(0);
    const event = r.events.find((e) => e.event === 'report')!;
    expect(event).toMatchObject({
      dir: 'ft-report',
      files: [
        'ft-report/report.md',
        'ft-report/report.json',
        'ft-report/junit.xml',
        'ft-report/report.html',
      ],
    });
    expect(event.lines).toContainEqual(expect.stringMatching(/^ {2}exact_match \(0-1\) /));
    expect(r.events.at(-1)?.event).toBe('summary');

    const path = `${dir}/bin:${process.env.PATH}`;
    const opened = await ft(dir, ['report', '--open'], {PATH: path});
    expect(opened.exitCode, opened.stderr).toBe(0);
    expect(opened.stdout.trim()).toBe('opened ft-report/report.html');
    expect(readFileSync(join(dir, 'bin/opened'), 'utf8')).toBe(
      `${join(dir, 'ft-report/report.html')}\n`,
    );
    // Without an opener (a server, CI) it says where the page is instead.
    const none = await ft(dir, ['report', '--open'], {PATH: '/nonexistent'});
    expect(none.exitCode).toBe(0);
    expect(none.stdout.trim()).toBe(
      'no browser to open it here (xdg-open is not installed); the page is ft-report/report.html',
    );
  });

  it('a data-only build leaves no report; ft report says there is none yet', async () => {
    const dir = await project({
      'finetune.yaml': `version: 1
name: data-only
sources:
  qa: { path: data/qa.jsonl }
transforms:
  - template: { user: "{{prompt}}", assistant: "{{response}}" }
`,
      'data/qa.jsonl': jsonl(RECORDS),
    });
    expect((await ft(dir, ['build'])).exitCode).toBe(0);
    expect(existsSync(join(dir, 'ft-report'))).toBe(false);
    const r = await ft(dir, ['report']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain(
      'no report yet for finetune.yaml: ft build writes one for each build that trains or evaluates',
    );
  });
});
