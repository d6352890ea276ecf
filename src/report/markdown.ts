import {
  formatCount,
  formatDelta,
  formatDuration,
  formatScoreWithInterval,
  formatUsd,
} from './format.js';
import type {BuildReport, EvalReport, ExampleReport} from './report-types.js';

/** GitHub refuses a pull-request comment over 65,536 characters; keep a margin. */
export const PR_COMMENT_LIMIT = 65_000;

/** The longest a table cell quotes an input or an answer. */
const CELL = 160;

/**
 * report.md: the build for a pull-request comment or a CI step summary. Under `limit`
 * characters: per-example detail goes first (examples, then newly failing ones beyond what
 * fits), never the scores, gates or stages. Everything a model wrote is escaped, so an answer
 * cannot inject markup into the page that shows it.
 */
export function renderMarkdown(report: BuildReport, limit = PR_COMMENT_LIMIT): string {
  const head = [
    ...header(report),
    ...diagnosticSection(report),
    ...evalSection(report.eval),
    ...gateSection(report.eval),
  ];
  const after = [...trainingSection(report), ...stageSection(report)];
  const tail = [footer(report)];
  // Newly failing examples come before the trainings, all examples after the stages.
  const fixed = (failing: string[], examples: string[]) =>
    [...head, ...failing, ...after, ...examples, ...tail].join('\n');
  const newly = newlyFailingRows(report.eval);
  const examples = exampleRows(report.eval);
  // The fixed parts alone, then as many newly failing and example rows as still fit.
  let budget = limit - fixed([], []).length - 400;
  const failing = take(newly.rows, budget);
  budget -= failing.chars;
  const shown = take(examples.rows, budget);
  const failingPart = [
    ...(newly.rows.length > 0
      ? [
          `### Newly failing (${newly.rows.length})`,
          '',
          ...newly.header,
          ...newly.rows.slice(0, failing.count),
          ...(failing.count < newly.rows.length
            ? ['', `…and ${newly.rows.length - failing.count} more (see report.json).`]
            : []),
          '',
        ]
      : []),
  ];
  const examplePart = [
    ...(examples.rows.length > 0
      ? [
          `<details><summary>Examples: ${shown.count === examples.rows.length ? `all ${examples.rows.length}` : `${shown.count} of ${examples.rows.length}`}, failures first</summary>`,
          '',
          ...examples.header,
          ...examples.rows.slice(0, shown.count),
          '',
          ...(shown.count < examples.rows.length
            ? [
                `${examples.rows.length - shown.count} more in report.json and report.html (left out to fit a pull-request comment).`,
                '',
              ]
            : []),
          '</details>',
          '',
        ]
      : []),
  ];
  return `${fixed(failingPart, examplePart)}\n`;
}

/** How many of `rows` fit in `budget` characters (each with its newline), and their size. */
function take(rows: readonly string[], budget: number): {count: number; chars: number} {
  let chars = 0;
  let count = 0;
  for (const row of rows) {
    if (chars + row.length + 1 > budget) break;
    chars += row.length + 1;
    count++;
  }
  return {count, chars};
}

function header(report: BuildReport): string[] {
  const b = report.build;
  const verdict = b.ok
    ? '✅ passed'
    : b.exit_code === 3
      ? '❌ gate failed'
      : b.exit_code === 130
        ? '⏹ interrupted'
        : '❌ failed';
  const where = b.git
    ? ` at \`${b.git.commit.slice(0, 7)}\`${b.git.dirty ? ' (with changes)' : ''}`
    : '';
  return [
    `## ft build: ${md(b.name ?? b.recipe)}: ${verdict} (exit ${b.exit_code})`,
    '',
    `${md(b.recipe)}${where} · build \`${b.id}\` · ${formatDuration(b.duration_ms)} · ft ${b.ft_version}`,
    '',
  ];
}

function evalSection(evaluation: EvalReport | null): string[] {
  if (!evaluation) return [];
  const lines = [
    `### Eval: ${formatCount(evaluation.n)} ${evaluation.dataset} examples`,
    '',
    `Scores with seeded 95% bootstrap intervals (${formatCount(evaluation.bootstrap.resamples)} resamples).`,
    '',
  ];
  const baseline = evaluation.baseline;
  const cols = evaluation.models.map(escape);
  lines.push(
    `| metric (scale) | ${cols.join(' | ')} |`,
    `|---|${cols.map(() => '---:').join('|')}|`,
  );
  for (const m of evaluation.metrics) {
    const cells = evaluation.models.map((model) => {
      const s = evaluation.scores[model]?.[m.id];
      if (!s) return 'n/a';
      const d = baseline.available ? baseline.deltas[model]?.[m.id] : undefined;
      return `${formatScoreWithInterval(s, m.scale)}${d ? ` (${formatDelta(d.delta, m.scale)})` : ''}`;
    });
    const better = m.higher_is_better ? '' : ', lower is better';
    lines.push(`| ${md(m.id)} (${m.scale}${better}) | ${cells.join(' | ')} |`);
  }
  lines.push('');
  if (evaluation.latency.length > 0) {
    lines.push(
      '| latency (not part of the result) | statistic | ms |',
      '|---|---|---:|',
      ...evaluation.latency.map(
        (l) =>
          `| ${md(l.metric)} of ${md(l.model)} | ${l.statistic} | ${l.value === null ? `not available: ${md(l.detail)}` : `${Math.round(l.value)} [${Math.round(l.interval![0])}, ${Math.round(l.interval![1])}]`} |`,
      ),
      '',
    );
  }
  if (baseline.available) {
    lines.push(
      `Deltas in parentheses are against the baseline, ${md(baseline.ref)} (\`${baseline.commit.slice(0, 7)}\`).${baseline.examples_compared ? '' : " The baseline's examples are not in .ft/, so examples are not compared."}`,
      '',
    );
  } else {
    lines.push(`Baseline: not available (${md(baseline.reason)}).`, '');
  }
  return lines;
}

function gateSection(evaluation: EvalReport | null): string[] {
  if (!evaluation || evaluation.gates.length === 0) return [];
  const failed = evaluation.gates.filter((g) => !g.passed).length;
  return [
    `### Gates: ${evaluation.gates.length - failed} passed, ${failed} failed`,
    '',
    '| | gate | result |',
    '|---|---|---|',
    ...evaluation.gates.map(
      (g) => `| ${g.passed ? '✅' : '❌'} | ${md(g.name)} | ${md(g.detail)} |`,
    ),
    '',
  ];
}

function newlyFailingRows(evaluation: EvalReport | null): {header: string[]; rows: string[]} {
  const header = ['| example | model | metric | reference | answer |', '|---|---|---|---|---|'];
  if (!evaluation?.baseline.available) return {header, rows: []};
  const byId = new Map(evaluation.examples.items.map((e) => [e.id, e]));
  const rows = evaluation.baseline.newly_failing.map((f) => {
    const e = byId.get(f.id);
    return `| ${md(f.id)} | ${md(f.model)} | ${md(f.metric)} | ${cell(e?.reference ?? '')} | ${cell(e?.outputs[f.model] ?? '')} |`;
  });
  return {header, rows};
}

function exampleRows(evaluation: EvalReport | null): {header: string[]; rows: string[]} {
  if (!evaluation) return {header: [], rows: []};
  const models = evaluation.models;
  const header = [
    `| example | input | reference | ${models.map(escape).join(' | ')} |`,
    `|---|---|---|${models.map(() => '---').join('|')}|`,
  ];
  // Those the most models fail first (where a tuned model fails beside its base), then in order.
  const ordered = [...evaluation.examples.items].sort((a, b) => b.failed.length - a.failed.length);
  const rows = ordered.map(
    (e) =>
      `| ${md(e.id)} | ${cell(lastUser(e))} | ${cell(e.reference)} | ${models
        .map((m) => `${e.failed.includes(m) ? '❌ ' : ''}${cell(e.outputs[m] ?? '')}`)
        .join(' | ')} |`,
  );
  return {header, rows};
}

function trainingSection(report: BuildReport): string[] {
  if (report.training.length === 0) return [];
  const lines = [
    '### Training',
    '',
    '| target | backend | status | steps | loss (first → last) | eval loss | tokens | cost (est. / actual) | time | model |',
    '|---|---|---|---:|---|---:|---:|---|---:|---|',
  ];
  for (const t of report.training) {
    let loss = 'not available';
    let evalLoss = 'n/a';
    if (t.curve.available) {
      const losses = t.curve.points.flatMap((p) => (p.loss !== undefined ? [p.loss] : []));
      const evals = t.curve.points.flatMap((p) => (p.eval_loss !== undefined ? [p.eval_loss] : []));
      if (losses.length > 0) loss = `${losses[0]!.toFixed(3)} → ${losses.at(-1)!.toFixed(3)}`;
      if (evals.length > 0) evalLoss = evals.at(-1)!.toFixed(3);
    }
    lines.push(
      `| ${md(t.target)} | ${t.backend} | ${t.status} | ${t.steps ?? 'n/a'} | ${loss} | ${evalLoss} | ${t.trained_tokens === null ? 'n/a' : formatCount(t.trained_tokens)} | ${formatUsd(t.cost_usd.estimate)} / ${formatUsd(t.cost_usd.actual)} | ${t.status === 'ran' ? formatDuration(t.duration_ms) : t.status} | ${t.model ? md(shorten(t.model)) : 'n/a'} |`,
    );
  }
  const unavailable = report.training.filter((t) => !t.curve.available);
  lines.push('');
  for (const t of unavailable) {
    if (!t.curve.available)
      lines.push(`Curve of ${md(t.target)}: not available (${md(t.curve.reason)}).`);
  }
  if (unavailable.length > 0) lines.push('');
  return lines;
}

function stageSection(report: BuildReport): string[] {
  return [
    '<details><summary>Stages</summary>',
    '',
    '| stage | status | time | why |',
    '|---|---|---:|---|',
    ...report.stages.map(
      (s) =>
        `| ${md(s.id)} | ${s.status} | ${s.status === 'ran' || s.status === 'failed' ? formatDuration(s.duration_ms) : ''} | ${
          s.error || s.why.length > 0 ? cell(s.error ? s.error.message : s.why.join('; '), 400) : ''
        } |`,
    ),
    '',
    '</details>',
    '',
  ];
}

function diagnosticSection(report: BuildReport): string[] {
  if (report.diagnostics.length === 0) return [];
  const shown = report.diagnostics.slice(0, 20);
  return [
    '### Problems',
    '',
    ...shown.map(
      (d) =>
        `- ${d.severity}: ${d.file ? `${md(d.file)}${d.line ? `:${d.line}` : ''}: ` : ''}${md(clip(d.message, 400))}`,
    ),
    ...(report.diagnostics.length > shown.length
      ? [`- …and ${report.diagnostics.length - shown.length} more`]
      : []),
    '',
  ];
}

function footer(report: BuildReport): string {
  return `<sub>ft report ${report.build.id}: report.json, junit.xml and report.html beside this file.</sub>`;
}

function lastUser(e: ExampleReport): string {
  return e.input.findLast((m) => m.role === 'user')?.content ?? e.input.at(-1)?.content ?? '';
}

/** A value in a table cell: one line, clipped, escaped. */
function cell(text: string, max = CELL): string {
  return md(clip(text.replace(/\s+/g, ' ').trim(), max)) || '(empty)';
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function shorten(model: string): string {
  return /^sha256:[0-9a-f]{64}$/.test(model) ? model.slice(0, 19) : model;
}

/** Text that GitHub shows as written: no HTML, no table breaks, no emphasis. */
function md(text: string): string {
  return text
    .replace(/([\\`*_[\]~])/g, '\\$1')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, ' ');
}
