import type {
  BuildReport,
  CurvePoint,
  ExampleReport,
  MetricReport,
  ScoreReport,
} from '../../src/report/report-types.js';
import {random} from './random.js';

/** What {@link sampleReport} varies. */
export interface SampleReportOptions {
  /** How many eval examples (every one in `eval.examples.items`); 40 unless told. */
  readonly examples?: number;
  /** How many points the training curve has; 300 unless told. */
  readonly curvePoints?: number;
}

const MODELS = ['base', 'tuned'] as const;
const METRICS: readonly MetricReport[] = [
  {id: 'exact_match', type: 'exact_match', scale: '0-1', higher_is_better: true, pass_fail: true},
  {id: 'bleu', type: 'bleu', scale: '0-100', higher_is_better: true, pass_fail: false},
  {id: 'length', type: 'length', scale: 'words', higher_is_better: false, pass_fail: false},
];
const WORDS =
  'the capital of france is paris and its river is the seine which flows north west to the channel'.split(
    ' ',
  );

/**
 * A realistic report.json of a build that trained `tuned` from `base` and evaluated both: a
 * training with a loss curve (train loss every step, validation loss every 25), three metrics on
 * three scales with bootstrap intervals, a failed gate, a baseline with deltas and newly failing
 * examples, and per-example results where `tuned` fails about one example in four and `base` about
 * one in two. Deterministic: the same options give the same report.
 */
export function sampleReport(options: SampleReportOptions = {}): BuildReport {
  const n = options.examples ?? 40;
  const rand = random(42);
  const items: ExampleReport[] = [];
  for (let i = 0; i < n; i++) {
    const len = 4 + Math.floor(rand() * 10);
    const reference = Array.from(
      {length: len},
      () => WORDS[Math.floor(rand() * WORDS.length)],
    ).join(' ');
    const outputs: Record<string, string> = {};
    const scores: Record<string, Record<string, number>> = {};
    const failed: string[] = [];
    for (const model of MODELS) {
      const right = rand() < (model === 'tuned' ? 0.75 : 0.5);
      const output = right ? reference : perturb(reference, rand);
      outputs[model] = output;
      const words = output.split(' ').length;
      scores[model] = {
        exact_match: right ? 1 : 0,
        bleu: right ? 100 : Math.round(rand() * 600) / 10,
        length: words,
      };
      if (!right) failed.push(model);
    }
    items.push({
      id: `ex-${String(i).padStart(5, '0')}`,
      input: [
        {role: 'system', content: 'Answer in one short sentence.'},
        {
          role: 'user',
          content: `Question ${i}: what do you know about ${WORDS[i % WORDS.length]}?`,
        },
      ],
      reference,
      outputs,
      scores,
      failed,
    });
  }
  const score = (model: string, metric: string): ScoreReport => {
    const values = items.map((e) => e.scores[model]?.[metric] ?? 0);
    const value = values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
    const spread = metric === 'exact_match' ? 0.08 : metric === 'bleu' ? 7 : 1.2;
    return {value, n: values.length, interval: [Math.max(0, value - spread), value + spread]};
  };
  const scores = Object.fromEntries(
    MODELS.map((m) => [m, Object.fromEntries(METRICS.map((x) => [x.id, score(m, x.id)]))]),
  );
  const em = (m: string) => scores[m]!.exact_match!.value;
  return {
    report_version: 1,
    build: {
      id: '2026-12-06T09-14-56-123Z-4242',
      recipe: 'recipes/capitals/finetune.yaml',
      name: 'capitals',
      started_at: '2026-12-06T09:14:56.123Z',
      finished_at: '2026-12-06T09:21:08.456Z',
      duration_ms: 372_333,
      exit_code: 3,
      ok: false,
      ft_version: '0.1.0',
      git: {commit: '3883dd1f0a9c4b1e5d2f7a6c8b9e0d1f2a3b4c5d', dirty: true},
    },
    stages: [
      {
        id: 'dataset',
        kind: 'dataset',
        status: 'fresh',
        why: [],
        duration_ms: 0,
        key: 'sha256:aa',
        error: null,
      },
      {
        id: 'train:tuned',
        kind: 'train',
        status: 'ran',
        why: ['training.epochs: 2 -> 3'],
        duration_ms: 301_200,
        key: 'sha256:bb',
        error: null,
      },
      {
        id: 'generate:base',
        kind: 'generate',
        status: 'cached',
        why: [],
        duration_ms: 0,
        key: 'sha256:cc',
        error: null,
      },
      {
        id: 'generate:tuned',
        kind: 'generate',
        status: 'ran',
        why: ['dependency train:tuned changed'],
        duration_ms: 52_400,
        key: 'sha256:dd',
        error: null,
      },
      {
        id: 'eval',
        kind: 'eval',
        status: 'failed',
        why: ['dependency generate:tuned changed'],
        duration_ms: 1_870,
        key: 'sha256:ee',
        error: {reason: 'gate-failed', message: '1 of 3 gates failed'},
      },
    ],
    training: [
      {
        stage: 'train:tuned',
        target: 'tuned',
        backend: 'embedded',
        status: 'ran',
        base_model: 'base',
        model: 'sha256:9f2c4e1d7a0b3c5e8f6a2d4b1c3e5f7a9b0d2c4e6f8a1b3c5d7e9f0a2b4c6d8e',
        curve: {available: true, points: curve(options.curvePoints ?? 300)},
        steps: options.curvePoints ?? 300,
        trained_tokens: 1_234_567,
        cost_usd: {estimate: 0.42, actual: null},
        duration_ms: 301_200,
      },
    ],
    eval: {
      dataset: 'test',
      n,
      models: [...MODELS],
      metrics: METRICS,
      scores,
      bootstrap: {resamples: 1000, seed: 7},
      latency: [
        {
          model: 'tuned',
          metric: 'latency',
          statistic: 'median',
          value: 41,
          interval: [38, 45],
          n,
          detail: `median latency of tuned is 41 ms [38, 45] over ${n} answers`,
        },
        {
          model: 'base',
          metric: 'latency',
          statistic: 'median',
          value: null,
          interval: null,
          n: 0,
          detail:
            'latency of base: not available (its answers came from a local trainer in one batch)',
        },
      ],
      gates: [
        {
          kind: 'bound',
          name: 'exact_match of tuned >= 0.55',
          metric: 'exact_match',
          models: ['tuned'],
          passed: em('tuned') >= 0.55,
          detail: `exact_match of tuned is ${em('tuned').toFixed(3)} (min 0.55)`,
        },
        {
          kind: 'better',
          name: 'tuned better than base on exact_match by 0.3',
          metric: 'exact_match',
          models: ['tuned', 'base'],
          passed: false,
          detail: `tuned ${em('tuned').toFixed(3)} - base ${em('base').toFixed(3)} = ${(em('tuned') - em('base')).toFixed(3)} < 0.3`,
        },
        {
          kind: 'regression',
          name: 'exact_match of tuned drops at most 0.05 from the baseline',
          metric: 'exact_match',
          models: ['tuned'],
          passed: true,
          detail: `baseline ${(em('tuned') + 0.025).toFixed(3)}, now ${em('tuned').toFixed(3)}: drop 0.025 <= 0.05`,
        },
      ],
      baseline: {
        available: true,
        ref: 'the merge base',
        commit: '5e91177c0ffee0ddba11deadbeef000011112222',
        deltas: Object.fromEntries(
          MODELS.map((m) => [
            m,
            Object.fromEntries(
              METRICS.map((x) => {
                const now = scores[m]![x.id]!.value;
                const before =
                  x.id === 'bleu' ? now - 3.2 : x.id === 'length' ? now + 0.5 : now + 0.025;
                return [x.id, {before, now, delta: now - before}];
              }),
            ),
          ]),
        ),
        examples_compared: true,
        newly_failing: items
          .filter((e) => e.failed.includes('tuned'))
          .slice(0, 3)
          .map((e) => ({id: e.id, model: 'tuned', metric: 'exact_match'})),
      },
      examples: {total: n, shown: n, items},
    },
    diagnostics: [
      {
        severity: 'warning',
        message: 'split.test has 40 records; intervals will be wide',
        stage: 'dataset',
      },
    ],
  };
}

/** A reference with a word dropped, one replaced and one to three added. */
function perturb(reference: string, rand: () => number): string {
  const words = reference.split(' ');
  words.splice(Math.floor(rand() * words.length), 1);
  words[Math.floor(rand() * words.length)] = 'london';
  words.push(...(rand() < 0.5 ? ['probably'] : ['or', 'maybe', 'not']));
  return words.join(' ');
}

/** Train loss every step (falling, noisy), validation loss every 25 steps, a warmup then linear decay. */
function curve(points: number): CurvePoint[] {
  const rand = random(7);
  const out: CurvePoint[] = [];
  for (let step = 1; step <= points; step++) {
    const base = 0.35 + 2.1 * Math.exp(-step / (points / 5));
    const point: {step: number; epoch: number; loss: number; lr: number; eval_loss?: number} = {
      step,
      epoch: (3 * step) / points,
      loss: base + (rand() - 0.5) * 0.25,
      lr: step < points / 10 ? (2e-4 * step) / (points / 10) : (2e-4 * (points - step)) / points,
    };
    if (step % 25 === 0 || step === points) point.eval_loss = base + 0.08;
    out.push(point);
  }
  return out;
}
