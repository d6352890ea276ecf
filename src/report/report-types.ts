import type {StageStatus} from '../console/events.js';

/**
 * report.json: what one build did and found, the source of every other report format
 * (Markdown, JUnit, HTML, the terminal summary). Its JSON Schema is schemas/report.schema.json;
 * a change here is a change there (a test checks written reports against it).
 *
 * A report describes a build, not a result: it has durations and statuses, so it is written at
 * the end of each build from the build's outcomes and the stages' outputs, never cached.
 * What a build cannot know (the curve of a model trained elsewhere, the baseline on a first
 * commit) is `{available: false, reason}`, never an error.
 */
export interface BuildReport {
  readonly report_version: 1;
  readonly build: BuildInfo;
  readonly stages: readonly StageReport[];
  readonly training: readonly TrainingReport[];
  /** null when the recipe has no eval, or the build did not get as far as scoring. */
  readonly eval: EvalReport | null;
  readonly diagnostics: readonly DiagnosticReport[];
}

export interface BuildInfo {
  /** `2026-12-06T09-14-56-123Z-4242`: when it started and the process; `ft report --build <id>`. */
  readonly id: string;
  /** The recipe's file name (in its folder, beside .ft/ and the lockfile). */
  readonly recipe: string;
  /** The recipe's `name`, when it has one. */
  readonly name: string | null;
  readonly started_at: string;
  readonly finished_at: string;
  readonly duration_ms: number;
  readonly exit_code: number;
  readonly ok: boolean;
  readonly ft_version: string;
  /** The commit the recipe was built at, and whether the work tree had changes; null outside git. */
  readonly git: {readonly commit: string; readonly dirty: boolean} | null;
}

export interface StageReport {
  readonly id: string;
  readonly kind: string;
  readonly status: StageStatus;
  /** Why it was not fresh, one line per reason (`transforms[1].split.test: 0.1 -> 0.15`). */
  readonly why: readonly string[];
  /** Time this build spent running it: 0 when fresh or cached. */
  readonly duration_ms: number;
  readonly key: string | null;
  readonly error: {readonly reason: string; readonly message: string} | null;
}

/** One point of a training curve (metrics.jsonl); missing values were not measured at that step. */
export interface CurvePoint {
  readonly step: number;
  readonly epoch?: number;
  readonly loss?: number;
  readonly eval_loss?: number;
  readonly lr?: number;
}

export type Unavailable = {readonly available: false; readonly reason: string};

export interface TrainingReport {
  /** The train stage, `train:<target>`. */
  readonly stage: string;
  readonly target: string;
  /** `openai`, `azure`, or a local target's trainer: `embedded`, `hf`, `command`. */
  readonly backend: string;
  readonly status: StageStatus;
  /** The base model as the recipe names it. */
  readonly base_model: string;
  /**
   * The resulting model: an OpenAI fine-tuned model id (`ft:gpt-4o-mini:...`), or for a local
   * training the store object of its weights (`sha256:...`); null when it did not train.
   */
  readonly model: string | null;
  readonly curve: {readonly available: true; readonly points: readonly CurvePoint[]} | Unavailable;
  readonly steps: number | null;
  readonly trained_tokens: number | null;
  /** US dollars: ft's estimate before training, and what the provider billed where known. */
  readonly cost_usd: {readonly estimate: number | null; readonly actual: number | null};
  /** Time this build spent training it: 0 when fresh or cached. */
  readonly duration_ms: number;
}

export interface EvalReport {
  /** The split evaluated: `test`, `validation` or `train`. */
  readonly dataset: string;
  /** How many examples each model answered. */
  readonly n: number;
  readonly models: readonly string[];
  readonly metrics: readonly MetricReport[];
  /** model -> metric id -> its score. */
  readonly scores: Readonly<Record<string, Readonly<Record<string, ScoreReport>>>>;
  readonly bootstrap: {readonly resamples: number; readonly seed: number};
  readonly gates: readonly GateReport[];
  /**
   * Each latency metric of each model, measured by the build from the answer logs (not part of
   * the result, so not in `scores` nor the lockfile); value and interval null when not available.
   */
  readonly latency: readonly LatencyReport[];
  readonly baseline: BaselineReport | Unavailable;
  readonly examples: {
    readonly total: number;
    /** How many are in `items` (every one in report.json; fewer in the Markdown). */
    readonly shown: number;
    readonly items: readonly ExampleReport[];
  };
}

export interface MetricReport {
  readonly id: string;
  readonly type: string;
  /** `0-1`, `0-100`, `characters`, `words`. */
  readonly scale: string;
  readonly higher_is_better: boolean;
  /** Whether each example passes or fails it (0 or 1 per example: exact_match, contains, ...). */
  readonly pass_fail: boolean;
}

export interface ScoreReport {
  readonly value: number;
  readonly n: number;
  /** Seeded 95% bootstrap interval. */
  readonly interval: readonly [number, number];
}

export interface LatencyReport {
  readonly model: string;
  readonly metric: string;
  readonly statistic: 'median' | 'p95';
  /** Milliseconds. */
  readonly value: number | null;
  readonly interval: readonly [number, number] | null;
  /** Answers timed. */
  readonly n: number;
  readonly detail: string;
}

export interface GateReport {
  /** `latency`: a bound on a latency metric, which the build checks after the stages. */
  readonly kind: 'bound' | 'better' | 'regression' | 'latency';
  /** The gate as a person reads it: `exact_match of tuned >= 0.55`. */
  readonly name: string;
  readonly metric: string;
  /** The models it is about (bound, regression: one; better: the better, then the other). */
  readonly models: readonly string[];
  readonly passed: boolean;
  /** What was compared, with the numbers. */
  readonly detail: string;
}

export interface BaselineReport {
  readonly available: true;
  /** How the baseline was chosen: the `--baseline` ref, or `the merge base`. */
  readonly ref: string;
  readonly commit: string;
  /** model -> metric -> the baseline's score, today's and today's minus the baseline's. */
  readonly deltas: Readonly<
    Record<
      string,
      Readonly<
        Record<string, {readonly before: number; readonly now: number; readonly delta: number}>
      >
    >
  >;
  /** Whether the baseline's per-example scores were in .ft/ (else `newly_failing` is empty). */
  readonly examples_compared: boolean;
  /** Examples a model passed at the baseline and fails now, on a pass/fail metric. */
  readonly newly_failing: readonly {
    readonly id: string;
    readonly model: string;
    readonly metric: string;
  }[];
}

export interface ExampleReport {
  readonly id: string;
  /** The prompt's messages, as the models received them. */
  readonly input: readonly {readonly role: string; readonly content: string}[];
  readonly reference: string;
  /** model -> its answer. */
  readonly outputs: Readonly<Record<string, string>>;
  /** model -> metric id -> this example's score. */
  readonly scores: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** The models that fail a pass/fail metric on it. */
  readonly failed: readonly string[];
}

export interface DiagnosticReport {
  readonly severity: 'error' | 'warning';
  readonly message: string;
  readonly stage?: string;
  readonly file?: string;
  readonly line?: number;
}
