import {copyFileSync, mkdirSync, readFileSync} from 'node:fs';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {execa} from 'execa';
import {describe, expect, it} from 'vitest';
import type {BuildReport} from '../../src/report/report-types.js';
import {buildJson, ft, project} from '../helpers/ft.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
interface Chat {
  messages: {role: string; content: string}[];
}

describe('the quickstart (the top-level finetune.yaml)', () => {
  it('its data is what scripts/make-tickets.mjs writes', async () => {
    const r = await execa(process.execPath, [join(root, 'scripts/make-tickets.mjs'), '--check'], {
      reject: false,
    });
    expect(r.exitCode, r.stderr).toBe(0);
  });

  it('trains offline, reproduces the committed lockfile byte for byte, and beats both baselines', async () => {
    const dir = await project({});
    mkdirSync(join(dir, 'data'));
    for (const file of ['finetune.yaml', 'data/tickets.jsonl']) {
      copyFileSync(join(root, file), join(dir, file));
    }
    const r = await buildJson(dir);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.statuses['train:default']).toBe('ran');
    // The embedded trainer is deterministic: another machine, another core count, the same bytes.
    expect(readFileSync(join(dir, 'finetune.lock'), 'utf8')).toBe(
      readFileSync(join(root, 'finetune.lock'), 'utf8'),
    );

    expect((await ft(dir, ['export', 'dataset', '--out', 'out'])).exitCode).toBe(0);
    const test = readFileSync(join(dir, 'out/test.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Chat);
    expect(test.length).toBeGreaterThanOrEqual(100);
    const counts = new Map<string, number>();
    for (const e of test) {
      const queue = e.messages.at(-1)!.content;
      counts.set(queue, (counts.get(queue) ?? 0) + 1);
    }
    const majority = Math.max(...counts.values()) / test.length;
    // The recipe's own eval: the tuned model and its untrained base answered every test ticket.
    expect(r.statuses).toMatchObject({
      'generate:tuned': 'ran',
      'generate:base': 'ran',
      eval: 'ran',
    });
    expect((await ft(dir, ['export', 'eval', '--out', 'out'])).exitCode).toBe(0);
    const scores = JSON.parse(readFileSync(join(dir, 'out/scores.json'), 'utf8')) as {
      n: number;
      models: Record<string, {exact_match: {value: number}}>;
      gates: {passed: boolean}[];
    };
    expect(scores.n).toBe(test.length);
    const tuned = scores.models.tuned!.exact_match.value;
    const base = scores.models.base!.exact_match.value;
    expect(tuned).toBeGreaterThanOrEqual(majority + 0.2);
    expect(tuned - base).toBeGreaterThan(tuned - majority);
    expect(scores.gates.every((g) => g.passed)).toBe(true);

    // Its report: the training's whole curve (train and validation loss) and the same scores.
    const report = JSON.parse(
      readFileSync(join(dir, 'ft-report', 'report.json'), 'utf8'),
    ) as BuildReport;
    const training = report.training[0]!;
    expect(training).toMatchObject({backend: 'embedded', base_model: 'embedded:tiny'});
    if (!training.curve.available) throw new Error(training.curve.reason);
    expect(training.curve.points.at(-1)!.step).toBe(training.steps);
    expect(training.curve.points.filter((p) => p.loss !== undefined)).toHaveLength(training.steps!);
    expect(training.curve.points.some((p) => p.eval_loss !== undefined)).toBe(true);
    expect(training.trained_tokens).toBeGreaterThan(0);
    expect(report.eval!.scores.tuned!.exact_match!.value).toBe(tuned);
    const html = readFileSync(join(dir, 'ft-report', 'report.html'), 'utf8');
    expect(html.match(/<svg/g)!.length).toBeGreaterThanOrEqual(3);
  });
});
