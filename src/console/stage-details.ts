/**
 * A stage's facts in a few lines for people, the same facts `--json` carries: the dataset's
 * funnel (records in and out of each step, drops by reason, examples per split) and each
 * training's checks (examples, format errors, missing system and user messages, examples over
 * the context, tokens, estimate, warnings). `ft plan` prints them under each stage, `ft build`
 * under the stages it ran.
 */
export function stageDetails(
  kind: string,
  summary: Readonly<Record<string, unknown>> | undefined,
  checks: StageChecks | undefined,
): string[] {
  if (kind === 'dataset' && summary) return funnelLines(summary);
  if (kind === 'train' && typeof summary?.steps === 'number') return trainedLines(summary);
  if (kind === 'generate' && typeof summary?.examples === 'number') {
    const cached = Number(summary.cached ?? 0);
    return [
      `answered ${summary.examples} example(s)${cached > 0 ? ` (${cached} from the answer cache)` : ''}`,
    ];
  }
  if (kind === 'judge' && typeof summary?.judged === 'number') {
    const cached = Number(summary.cached ?? 0);
    return [
      `judged ${summary.judged} answer(s)${cached > 0 ? ` (${cached} from the answer cache)` : ''}`,
    ];
  }
  if (kind === 'eval' && summary?.scores) return scoreLines(summary);
  if (checks) return checkLines(checks);
  return [];
}

/**
 * What a training did: its steps and final loss, whether it resumed from a checkpoint, the
 * software it ran on (when the trainer said) and whether its bytes can be reproduced.
 */
function trainedLines(summary: Readonly<Record<string, unknown>>): string[] {
  const loss = typeof summary.loss === 'number' ? `, final loss ${summary.loss.toFixed(4)}` : '';
  const resumed = summary.resumed === true ? ' (resumed from a checkpoint)' : '';
  const lines = [`trained ${summary.steps} step(s)${loss}${resumed}`];
  const metrics = summary.metrics as Record<string, unknown> | undefined;
  const versions = metrics?.versions;
  if (versions !== null && typeof versions === 'object') {
    const parts = Object.entries(versions)
      .filter(([, v]) => typeof v === 'string' && v !== '')
      .map(([name, v]) => `${name} ${String(v)}`);
    if (parts.length > 0) lines.push(`on ${parts.join(', ')}`);
  }
  if (summary.deterministic === false) {
    lines.push('not bit-reproducible: later builds reuse this model from the store and lockfile');
  }
  return lines;
}

/** What a training's preflight found (`ft plan --json` fields), and its warnings. */
export interface StageChecks {
  readonly fields: Readonly<Record<string, unknown>>;
  readonly warnings: readonly string[];
}

interface StepSummary {
  readonly in: number;
  readonly out: number;
  readonly dropped?: Readonly<Record<string, number>>;
  readonly missing?: Readonly<Record<string, number>>;
  readonly [detail: string]: unknown;
}

/** The dataset's funnel. */
export function funnelLines(summary: Readonly<Record<string, unknown>>): string[] {
  const lines: string[] = [];
  const records = (summary.records ?? {}) as Record<string, number>;
  const total = Object.values(records).reduce((a, b) => a + b, 0);
  const sources = Object.entries(records).map(([name, n]) => `${name} ${count(n)}`);
  lines.push(`read ${count(total)} records${sources.length > 1 ? ` (${sources.join(', ')})` : ''}`);
  const skipped = summary.skipped as {total: number; reasons: Record<string, number>} | undefined;
  if (skipped?.total)
    lines.push(`skipped ${count(skipped.total)} bad records (${reasons(skipped.reasons)})`);
  const steps = ((summary.transforms ?? []) as Record<string, StepSummary>[]).map((t, i) => {
    const [name, s] = Object.entries(t)[0]!;
    return {label: `[${i}] ${name}`, s};
  });
  const labelWidth = Math.max(0, ...steps.map((t) => t.label.length));
  const inWidth = Math.max(0, ...steps.map((t) => count(t.s.in).length));
  for (const {label, s} of steps) {
    const notes: string[] = [];
    const dropped = Object.entries(s.dropped ?? {}).filter(([, n]) => n > 0);
    if (dropped.length > 0) notes.push(`dropped ${reasons(Object.fromEntries(dropped))}`);
    if ('train' in s) notes.push(splitCounts(s as unknown as Record<string, number>, true));
    const missing = Object.entries(s.missing ?? {});
    if (missing.length > 0 && dropped.length === 0)
      notes.push(`kept without ${missing.map(([f, n]) => `${f}: ${count(n)}`).join(', ')}`);
    const flow = `${count(s.in).padStart(inWidth)} -> ${count(s.out)}`;
    lines.push(
      `${label.padEnd(labelWidth)}  ${flow}${notes.length ? `  ${notes.join('; ')}` : ''}`,
    );
  }
  const examples = summary.examples as Record<string, number> | undefined;
  if (examples) lines.push(`examples: ${splitCounts(examples)}`);
  return lines;
}

/** A training's checks. */
export function checkLines(checks: StageChecks): string[] {
  const fields = checks.fields as {
    model?: {id: string; encoding: string; training_context: number | null};
    dataset?: {
      examples: number;
      format_errors: Record<string, number>;
      missing_system: number;
      missing_user: number;
      over_limit: number | null;
      tokens: {
        total: {min: number | null; max: number | null; mean: number | null; median: number | null};
      };
      contamination?: Record<string, number>;
    };
    estimate?: {epochs: number; charged_tokens: number; usd: number | null};
  };
  const lines: string[] = [];
  const d = fields.dataset;
  if (d) {
    const model = fields.model;
    const context = model?.training_context
      ? `, ${count(model.training_context)}-token context`
      : '';
    lines.push(
      `${count(d.examples)} training examples${model ? ` for ${model.id} (${model.encoding}${context})` : ''}`,
    );
    const errors = Object.entries(d.format_errors);
    lines.push(
      [
        `format errors: ${errors.length === 0 ? 'none' : reasons(d.format_errors)}`,
        `missing system: ${count(d.missing_system)}`,
        `missing user: ${count(d.missing_user)}`,
        `over the context: ${d.over_limit === null ? 'unknown' : count(d.over_limit)}`,
      ].join('; '),
    );
    const t = d.tokens.total;
    if (t.mean !== null) {
      lines.push(
        `tokens per example: min ${count(t.min!)}, median ${count(t.median!)}, mean ${count(Math.round(t.mean))}, max ${count(t.max!)}`,
      );
    }
  }
  const e = fields.estimate;
  if (e) {
    const usd = e.usd === null ? 'price unknown' : `~$${e.usd.toFixed(2)}`;
    lines.push(`estimate: ${e.epochs} epochs, ${count(e.charged_tokens)} tokens charged, ${usd}`);
  }
  for (const w of checks.warnings) lines.push(`warning: ${w}`);
  return lines;
}

/** `train 51, validation 8, test 14`; with `produced`, held-out splits with none are left out. */
function splitCounts(counts: Readonly<Record<string, number>>, produced = false): string {
  return ['train', 'validation', 'test']
    .filter((s) => counts[s] !== undefined && !(produced && s !== 'train' && counts[s] === 0))
    .map((s) => `${s} ${count(counts[s]!)}`)
    .join(', ');
}

function reasons(byReason: Readonly<Record<string, number>>): string {
  return Object.entries(byReason)
    .map(([reason, n]) => `${reason}: ${count(n)}`)
    .join(', ');
}

/** 164,840: thousands separated, whatever the locale (output is the same on every machine). */
function count(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * An evaluation's scores, one line per model, each metric with its 95% interval and scale.
 */
function scoreLines(summary: Readonly<Record<string, unknown>>): string[] {
  const lines = [`${summary.examples} example(s)`];
  const models = summary.scores as Record<
    string,
    Record<string, {value: number; scale: string; interval: [number, number]}>
  >;
  const width = Math.max(...Object.keys(models).map((m) => m.length));
  for (const [model, metrics] of Object.entries(models)) {
    const parts = Object.entries(metrics).map(
      ([metric, s]) =>
        `${metric} ${fixed(s.value)} [${fixed(s.interval[0])}, ${fixed(s.interval[1])}]${s.scale === '0-1' ? '' : ` (${s.scale})`}`,
    );
    lines.push(`${model.padEnd(width)}  ${parts.join('; ')}`);
  }
  // Gates are in the build's summary at its end (the report), with the regression gates.
  return lines;
}

/** Up to four decimals, no trailing zeros. */
function fixed(value: number): string {
  return String(Math.round(value * 10_000) / 10_000);
}
