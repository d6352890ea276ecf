import {readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {describe, expect, it} from 'vitest';
import type {BuildReport} from '../../src/report/report-types.js';
import {chatServer} from '../helpers/chat-server.js';
import {evalOnlyRecipe, qaRecords} from '../helpers/eval-recipes.js';
import {events, ft, jsonl, project} from '../helpers/ft.js';

const RECORDS = qaRecords(30);

function recipe(models: string, metrics: string, gates = ''): string {
  return evalOnlyRecipe({name: 'timed', models, metrics, extra: gates});
}

interface LatencyEvent {
  event: 'latency';
  model: string;
  metric: string;
  statistic: string;
  value: number | null;
  interval: [number, number] | null;
  n: number;
  detail: string;
}

const latencies = (stdout: string) =>
  events(stdout).filter((e) => e.event === 'latency') as unknown as LatencyEvent[];

describe('latency: measured after the build from the answer logs, never locked', () => {
  it('reports each model, gates on it (exit 3), reports it again with no call, and locks none of it', async () => {
    const srv = await chatServer({slow: 40});
    const models = `\n    - { name: fast, base_url: "${srv.url}", model: memo }\n    - { name: slow, base_url: "${srv.url}", model: slow }`;
    const dir = await project({
      'finetune.yaml': recipe(models, '[exact_match]'),
      'data/qa.jsonl': jsonl(RECORDS),
    });
    expect((await ft(dir, ['build'])).exitCode).toBe(0);
    const calls = srv.calls.length;
    const lock = readFileSync(join(dir, 'finetune.lock'), 'utf8');

    // Adding latency (and a gate on it) asks nothing and re-scores nothing: it is measured from
    // the times the answer log kept when the answers were asked.
    const gated = recipe(
      models,
      '[exact_match, latency, { id: tail, type: latency, options: { statistic: p95 } }]',
      '  gates: [{ metric: latency, model: slow, max: 20 }, { metric: tail, model: fast, max: 5000 }]\n',
    );
    writeFileSync(join(dir, 'finetune.yaml'), gated);
    const r = await ft(dir, ['build', '--json']);
    expect(r.exitCode, `${r.stdout}${r.stderr}`).toBe(3);
    expect(srv.calls.length).toBe(calls);
    const all = events(r.stdout);
    expect(all.filter((e) => e.event === 'stage-end').every((e) => e.status === 'fresh')).toBe(
      true,
    );
    const measured = latencies(r.stdout);
    const slow = measured.find((e) => e.model === 'slow' && e.metric === 'latency')!;
    const n = slow.n;
    expect(n).toBeGreaterThan(5);
    expect(slow.statistic).toBe('median');
    expect(slow.value).toBeGreaterThanOrEqual(40);
    expect(slow.interval![0]).toBeLessThanOrEqual(slow.value!);
    expect(slow.interval![1]).toBeGreaterThanOrEqual(slow.value!);
    const tail = measured.find((e) => e.model === 'fast' && e.metric === 'tail')!;
    expect(tail.statistic).toBe('p95');
    expect(tail.n).toBe(n);
    expect(measured).toHaveLength(4);
    const gates = all.filter((e) => e.event === 'gate');
    expect(gates).toEqual([
      {
        event: 'gate',
        check: 'latency',
        passed: false,
        detail: expect.stringMatching(/^latency of slow is [\d.]+ ms \(median\), needs <= 20$/),
      },
      {
        event: 'gate',
        check: 'latency',
        passed: true,
        detail: expect.stringMatching(/^tail of fast is [\d.]+ ms \(p95\), needs <= 5000$/),
      },
    ]);
    // The lockfile did not change: latency is not a property of the result.
    expect(readFileSync(join(dir, 'finetune.lock'), 'utf8')).toBe(lock);
    expect(lock).not.toMatch(/latency|tail/);

    // Plain output says it; a second build reports the same times without a call.
    const again = await ft(dir, ['build']);
    expect(again.exitCode).toBe(3);
    expect(srv.calls.length).toBe(calls);
    expect(again.stdout).toContain(
      `latency: latency of slow: median ${Math.round(slow.value! * 100) / 100} ms [`,
    );
    expect(again.stdout).toMatch(/^latency gate FAILED: latency of slow is [\d.]+ ms/m);
    // The report has them too, apart from the locked scores, with the failed bound among its gates.
    const report = JSON.parse(
      readFileSync(join(dir, 'ft-report', 'report.json'), 'utf8'),
    ) as BuildReport;
    expect(report.eval!.latency.find((l) => l.model === 'slow' && l.metric === 'latency')).toEqual({
      ...slow,
      event: undefined,
      scale: undefined,
    });
    expect(report.eval!.metrics.map((m) => m.id)).toEqual(['exact_match']);
    expect(report.eval!.gates.filter((g) => g.kind === 'latency').map((g) => g.passed)).toEqual([
      false,
      true,
    ]);

    // A looser bound passes.
    writeFileSync(join(dir, 'finetune.yaml'), gated.replace('max: 20', 'max: 60000'));
    expect((await ft(dir, ['build'])).exitCode).toBe(0);
    expect(readFileSync(join(dir, 'finetune.lock'), 'utf8')).toBe(lock);
  });

  it("says a local trainer's answers have no latency, and refuses gates that are not bounds", async () => {
    const trainer = readFileSync(
      fileURLToPath(new URL('../fixtures/trainers/tiny_trainer.py', import.meta.url)),
      'utf8',
    );
    const local = (gates: string) => `version: 1
name: local
sources:
  qa: { path: data/qa.jsonl }
transforms:
  - template: { user: "{{prompt}}", assistant: "{{response}}" }
  - split: { test: 0.5, by: id }
backend: { type: local, trainer: command, model: ./base, command: [python3, trainer.py] }
hyperparameters: { n_epochs: 1 }
eval:
  models: [tuned]
  metrics: [exact_match, latency]
${gates}`;
    const dir = await project({
      'finetune.yaml': local('  gates: [{ metric: latency, max: 1000 }]\n'),
      'data/qa.jsonl': jsonl(RECORDS),
      'trainer.py': trainer,
      'base/config.json': '{}\n',
    });
    const r = await ft(dir, ['build']);
    expect(r.exitCode, `${r.stdout}${r.stderr}`).toBe(3);
    expect(r.stdout).toContain(
      "latency: latency of tuned: not available (its answers come from a local trainer's generate, which does not time each answer)",
    );
    expect(r.stdout).toContain(
      'latency gate FAILED: latency of tuned is not available, needs <= 1000',
    );

    writeFileSync(
      join(dir, 'finetune.yaml'),
      local(
        '  gates:\n    - { metric: latency, max_drop: 5 }\n    - { metric: latency, better: tuned, than: base }\n',
      ),
    );
    const v = await ft(dir, ['validate']);
    expect(v.exitCode).toBe(2);
    expect(v.stderr).toContain(
      'error: latency is measured after the build and never locked: a gate on it is a bound (min/max), not a regression check',
    );
    expect(v.stderr).toContain('not a comparison');
  });
});
