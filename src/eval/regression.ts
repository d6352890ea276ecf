import type {RegressionGate} from '../core/eval-types.js';
import {forEachResample, RESAMPLES} from './bootstrap.js';

export interface RegressionResult {
  readonly gate: RegressionGate;
  readonly passed: boolean;
  readonly detail: string;
}

/** One side of the comparison: aggregate scores, and per-example ones by example id if known. */
export interface ScoredRun {
  readonly scores: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** example id -> model -> metric -> score; undefined when that run's examples are not at hand. */
  readonly examples?: ReadonlyMap<
    string,
    Readonly<Record<string, Readonly<Record<string, number>>>>
  >;
}

/**
 * Checks each regression gate against the baseline run. A drop is the baseline's score minus
 * today's (today's minus the baseline's where lower is better, as for length); it must not exceed
 * `max_drop`. With `significant`, a drop beyond it fails only when a paired bootstrap over the
 * examples both runs scored (matched by their stable ids) puts it there in at least 95% of
 * resamples, so noise on a small test set does not fail CI; the mean of per-example scores is
 * what is resampled (for BLEU and chrF, their sentence scores). A model or metric the baseline
 * did not have passes, and says so.
 */
export function checkRegressions(options: {
  readonly gates: readonly RegressionGate[];
  readonly current: ScoredRun;
  readonly baseline: ScoredRun;
  readonly higherIsBetter: (metric: string) => boolean;
  readonly seed: number;
  /** How the baseline is named in messages: `main (3f2a1c9)`. */
  readonly shown: string;
}): RegressionResult[] {
  const {current, baseline, shown} = options;
  return options.gates.map((gate) => {
    const now = current.scores[gate.model]?.[gate.metric];
    const before = baseline.scores[gate.model]?.[gate.metric];
    const what = `${gate.metric} of ${gate.model}`;
    if (now === undefined) {
      return {gate, passed: false, detail: `${what}: this build has no such score`};
    }
    if (before === undefined) {
      return {
        gate,
        passed: true,
        detail: `${what} is ${round(now)}; ${shown} has no such score to compare with`,
      };
    }
    const sign = options.higherIsBetter(gate.metric) ? 1 : -1;
    const drop = sign * (before - now);
    const base = `${what} is ${round(now)}, ${round(before)} at ${shown}: ${drop > 0 ? `down ${round(drop)}` : 'no drop'}, may drop <= ${gate.max_drop}`;
    if (drop <= gate.max_drop) return {gate, passed: true, detail: base};
    if (!gate.significant) return {gate, passed: false, detail: base};
    const paired = pairedScores(current, baseline, gate);
    if (paired.length === 0) {
      return {
        gate,
        passed: false,
        detail: `${base} (significance untested: the baseline's examples are not in .ft/)`,
      };
    }
    let beyond = 0;
    forEachResample(paired.length, options.seed, (counts) => {
      let diff = 0;
      paired.forEach(([b, n], i) => {
        diff += counts[i]! * sign * (b - n);
      });
      if (diff / paired.length > gate.max_drop) beyond++;
    });
    const share = beyond / RESAMPLES;
    return {
      gate,
      passed: share < 0.95,
      detail: `${base}; beyond it in ${round(share * 100)}% of paired resamples of ${paired.length} examples (fails at >= 95%)`,
    };
  });
}

/** [baseline, today] per-example scores of the examples both runs scored, in a stable order. */
function pairedScores(
  current: ScoredRun,
  baseline: ScoredRun,
  gate: RegressionGate,
): [number, number][] {
  if (!current.examples || !baseline.examples) return [];
  const pairs: [string, number, number][] = [];
  for (const [id, models] of current.examples) {
    const now = models[gate.model]?.[gate.metric];
    const before = baseline.examples.get(id)?.[gate.model]?.[gate.metric];
    if (now !== undefined && before !== undefined) pairs.push([id, before, now]);
  }
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return pairs.map(([, before, now]) => [before, now]);
}

function round(value: number): string {
  return String(Math.round(value * 10_000) / 10_000);
}
