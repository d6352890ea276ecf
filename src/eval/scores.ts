import type {BetterGate, BoundGate, MetricSpec} from '../core/eval-types.js';
import {forEachResample, interval95, RESAMPLES} from './bootstrap.js';
import {type Scale, type Scorer, scorerFor} from './scorers.js';

/** One held-out example: its id, its prompt and its reference (the answer it was written with). */
export interface EvalExample {
  readonly id: string;
  readonly prompt: readonly unknown[];
  readonly reference: string;
}

/** The gates the eval stage applies itself (a regression check needs another commit's scores). */
export type GateSpec = BoundGate | BetterGate;

export interface MetricScore {
  readonly value: number;
  readonly scale: Scale;
  readonly n: number;
  /** Seeded 95% bootstrap interval over the examples. */
  readonly interval: readonly [number, number];
}

export type GateResult = GateSpec & {
  readonly passed: boolean;
  /** What was compared, in words, for the summary line. */
  readonly detail: string;
};

/** scores.json: per model and metric its score, and each gate's result. */
export interface Scores {
  readonly n: number;
  readonly bootstrap: {readonly resamples: number; readonly seed: number};
  readonly models: Readonly<Record<string, Readonly<Record<string, MetricScore>>>>;
  readonly gates: readonly GateResult[];
}

/** One line of examples.jsonl: an example, every model's answer and its scores. */
export interface ScoredExample {
  readonly id: string;
  readonly input: readonly unknown[];
  readonly reference: string;
  readonly outputs: Readonly<Record<string, string>>;
  readonly scores: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

/**
 * Scores every model's answers with every metric, with a seeded bootstrap interval each, and
 * applies the gates. Pure: the same answers, metrics, gates and seed give the same bytes.
 */
export function scoreAnswers(options: {
  readonly examples: readonly EvalExample[];
  /** model name -> its answer to each example, in the examples' order. */
  readonly answers: Readonly<Record<string, readonly string[]>>;
  readonly metrics: readonly MetricSpec[];
  /** llm_judge metrics: metric id -> model -> each example's judged score (0-1). */
  readonly judged?: Readonly<Record<string, Readonly<Record<string, readonly number[]>>>>;
  readonly gates: readonly GateSpec[];
  readonly seed: number;
}): {scores: Scores; examples: ScoredExample[]} {
  const {examples, answers, metrics, gates, seed} = options;
  const judged = options.judged ?? {};
  const n = examples.length;
  const scorers = new Map<string, Scorer>(metrics.map((m) => [m.id, scorerFor(m.type, m.options)]));
  /** model -> metric -> per-example statistics. */
  const stats: Record<string, Record<string, number[][]>> = {};
  /** model -> metric -> the metric over each resample. */
  const resampled: Record<string, Record<string, number[]>> = {};
  const models: Record<string, Record<string, MetricScore>> = {};
  /** Weighted sums of per-example statistics (weights: a resample's counts; none: all once). */
  const sum = (perExample: readonly number[][], weights?: Uint16Array) => {
    const width = perExample[0]?.length ?? 1;
    const total = new Array<number>(width).fill(0);
    for (let i = 0; i < perExample.length; i++) {
      const w = weights ? weights[i]! : 1;
      if (w === 0) continue;
      const s = perExample[i]!;
      for (let k = 0; k < width; k++) total[k] = total[k]! + w * s[k]!;
    }
    return total;
  };
  const series: {model: string; metric: string; scorer: Scorer; perExample: number[][]}[] = [];
  for (const [model, outputs] of Object.entries(answers)) {
    stats[model] = {};
    resampled[model] = {};
    for (const {id: metric} of metrics) {
      const scorer = scorers.get(metric)!;
      const scores = judged[metric]?.[model];
      const perExample = scores
        ? scores.map((s) => [s])
        : examples.map((e, i) => scorer.statistics(outputs[i]!, e.reference));
      stats[model][metric] = perExample;
      resampled[model][metric] = [];
      series.push({model, metric, scorer, perExample});
    }
  }
  // Every model and metric sees the same resamples: comparisons between them are paired.
  forEachResample(n, seed, (counts) => {
    for (const {model, metric, scorer, perExample} of series) {
      resampled[model]![metric]!.push(scorer.aggregate(sum(perExample, counts), n));
    }
  });
  for (const {model, metric, scorer, perExample} of series) {
    models[model] ??= {};
    models[model][metric] = {
      value: scorer.aggregate(sum(perExample), n),
      scale: scorer.scale,
      n,
      interval: n === 0 ? [0, 0] : interval95([...resampled[model]![metric]!]),
    };
  }

  const results = gates.map((gate): GateResult => {
    if (gate.kind === 'bound') {
      const value = models[gate.model]![gate.metric]!.value;
      const passed =
        (gate.min === undefined || value >= gate.min) &&
        (gate.max === undefined || value <= gate.max);
      const bounds = [
        gate.min !== undefined ? `>= ${gate.min}` : '',
        gate.max !== undefined ? `<= ${gate.max}` : '',
      ]
        .filter(Boolean)
        .join(' and ');
      return {
        ...gate,
        passed,
        detail: `${gate.metric} of ${gate.model} is ${round(value)}, needs ${bounds}`,
      };
    }
    const {higherIsBetter} = scorers.get(gate.metric)!;
    const sign = higherIsBetter ? 1 : -1;
    const better = models[gate.better]![gate.metric]!.value;
    const than = models[gate.than]![gate.metric]!.value;
    const margin = sign * (better - than);
    const beats = (m: number) => (gate.by > 0 ? m >= gate.by : m > 0);
    let passed = beats(margin);
    let share: number | undefined;
    if (gate.significant) {
      const a = resampled[gate.better]![gate.metric]!;
      const b = resampled[gate.than]![gate.metric]!;
      share = a.filter((v, r) => beats(sign * (v - b[r]!))).length / RESAMPLES;
      passed &&= share >= 0.95;
    }
    const by = gate.by > 0 ? ` by >= ${gate.by}` : '';
    return {
      ...gate,
      passed,
      detail:
        `${gate.metric}: ${gate.better} ${round(better)} vs ${gate.than} ${round(than)}, needs better${by}` +
        (share !== undefined ? ` in >= 95% of resamples (was ${round(share * 100)}%)` : ''),
    };
  });

  const scored = examples.map((e, i): ScoredExample => {
    const outputs: Record<string, string> = {};
    const scores: Record<string, Record<string, number>> = {};
    for (const [model, answers_] of Object.entries(answers)) {
      outputs[model] = answers_[i]!;
      scores[model] = {};
      for (const {id: metric} of metrics) {
        scores[model][metric] = scorers.get(metric)!.example(stats[model]![metric]![i]!);
      }
    }
    return {id: e.id, input: e.prompt, reference: e.reference, outputs, scores};
  });
  return {
    scores: {n, bootstrap: {resamples: RESAMPLES, seed}, models, gates: results},
    examples: scored,
  };
}

/** Four significant decimals, for messages. */
function round(value: number): string {
  return String(Math.round(value * 10_000) / 10_000);
}
