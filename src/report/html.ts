/**
 * report.html: one self-contained page of a build's report (no network: styles, charts, data and
 * script are all inline, and a Content-Security-Policy forbids fetching anything). The summary
 * (header, stages, loss curves, scores, gates, baseline) is static HTML and SVG, readable without
 * JavaScript; the example table is drawn by the inline script from the examples embedded as JSON,
 * a page of rows at a time, so a report of 10,000 examples opens quickly.
 *
 * Everything in a report that a person or a model wrote (names, messages, outputs, details) is
 * text: escaped here, set with textContent in the page.
 */
import {createHash} from 'node:crypto';
import {formatCount, formatDelta, formatDuration, formatScore, formatUsd} from './format.js';
import {lossChart, metricChart} from './html-charts.js';
import {CLIENT_SCRIPT} from './html-client.js';
import {escapeHtml as e, jsonForScript} from './html-escape.js';
import {STYLE} from './html-style.js';
import type {
  BuildReport,
  EvalReport,
  MetricReport,
  StageReport,
  TrainingReport,
} from './report-types.js';

/** report.html for a build: a complete HTML document. */
export function renderHtml(report: BuildReport): string {
  const scriptHash = createHash('sha256').update(CLIENT_SCRIPT).digest('base64');
  const csp = [
    "default-src 'none'",
    "style-src 'unsafe-inline'",
    `script-src 'sha256-${scriptHash}'`,
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const title = `${report.build.name ?? report.build.recipe}: build ${report.build.id}`;
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${e(csp)}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="color-scheme" content="light dark">',
    '<link rel="icon" href="data:,">',
    `<title>${e(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    '<main>',
    header(report),
    diagnostics(report),
    // The verdict first (scores, gates, what changed), then how the build got there.
    evaluation(report.eval),
    training(report.training),
    stages(report.stages),
    examples(report.eval),
    '</main>',
    report.eval
      ? `<script type="application/json" id="examples-data">${jsonForScript(exampleData(report.eval))}</script>`
      : '',
    `<script>${CLIENT_SCRIPT}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function header(report: BuildReport): string {
  const b = report.build;
  const verdict = b.ok
    ? '<span class="badge good">ok</span>'
    : `<span class="badge bad">failed</span>`;
  const git = b.git
    ? `<code title="${e(b.git.commit)}">${e(b.git.commit.slice(0, 12))}</code>${b.git.dirty ? ' <span class="muted">(with uncommitted changes)</span>' : ''}`
    : '<span class="na">not in git</span>';
  const facts: [string, string][] = [
    ['recipe', `<code>${e(b.recipe)}</code>`],
    ['build', `<code>${e(b.id)}</code>`],
    ['exit code', `${b.exit_code} ${verdict}`],
    ['commit', git],
    ['started', `${e(b.started_at)}`],
    ['duration', e(formatDuration(b.duration_ms))],
    ['ft', e(b.ft_version)],
  ];
  return [
    '<header>',
    `<h1>${e(b.name ?? b.recipe)} ${verdict}</h1>`,
    `<dl class="facts">${facts.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl>`,
    '</header>',
  ].join('\n');
}

function diagnostics(report: BuildReport): string {
  if (report.diagnostics.length === 0) return '';
  const items = report.diagnostics.map((d) => {
    const where = [d.stage, d.file && (d.line ? `${d.file}:${d.line}` : d.file)]
      .filter(Boolean)
      .join(' ');
    return `<li><span class="badge ${d.severity === 'error' ? 'bad' : 'neutral'}">${d.severity}</span> ${where ? `<code>${e(where)}</code> ` : ''}${e(d.message)}</li>`;
  });
  return `<section id="diagnostics"><h2>Diagnostics</h2><ul class="gates">${items.join('')}</ul></section>`;
}

function stages(list: readonly StageReport[]): string {
  const rows = list.map((s) => {
    const why = s.why.length
      ? `<ul class="why">${s.why.map((w) => `<li>${e(w)}</li>`).join('')}</ul>`
      : '';
    const error = s.error
      ? `<div class="status-failed">${e(s.error.reason)}: ${e(s.error.message)}</div>`
      : '';
    return `<tr><td><code>${e(s.id)}</code></td><td>${e(s.kind)}</td><td class="status-${e(s.status)}">${e(s.status)}</td><td>${why}${error}</td><td class="num">${e(ranFor(s.status, s.duration_ms))}</td></tr>`;
  });
  return [
    '<section id="stages"><h2>Stages</h2>',
    '<table><thead><tr><th>stage</th><th>kind</th><th>status</th><th>why</th><th class="num">duration</th></tr></thead>',
    `<tbody>${rows.join('')}</tbody></table></section>`,
  ].join('\n');
}

function training(list: readonly TrainingReport[]): string {
  if (list.length === 0) return '';
  const cards = list.map((t) => {
    const cost =
      t.cost_usd.actual === null && t.cost_usd.estimate === null
        ? '<span class="muted">not known</span>'
        : t.cost_usd.actual !== null
          ? `${formatUsd(t.cost_usd.actual)} <span class="muted">(estimated ${formatUsd(t.cost_usd.estimate)})</span>`
          : `${formatUsd(t.cost_usd.estimate)} <span class="muted">estimated</span>`;
    const facts: [string, string][] = [
      ['status', `<span class="status-${e(t.status)}">${e(t.status)}</span>`],
      ['backend', e(t.backend)],
      ['base model', `<code>${e(t.base_model)}</code>`],
      [
        'model',
        t.model ? `<code class="mono">${e(t.model)}</code>` : '<span class="na">none</span>',
      ],
      ['steps', formatCount(t.steps)],
      ['trained tokens', formatCount(t.trained_tokens)],
      ['cost', cost],
      ['duration', e(ranFor(t.status, t.duration_ms))],
    ];
    const chart = t.curve.available
      ? lossChart(t.curve.points, `Loss curves of ${t.stage}`)
      : `<p class="na">Loss curve not available: ${e(t.curve.reason)}</p>`;
    return [
      '<div class="card training">',
      `<h3><code>${e(t.stage)}</code></h3>`,
      chart,
      `<dl class="facts">${facts.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl>`,
      '</div>',
    ].join('\n');
  });
  return `<section id="training"><h2>Training</h2><div class="cards">${cards.join('\n')}</div></section>`;
}

function evaluation(ev: EvalReport | null): string {
  if (ev === null)
    return '<section id="eval"><h2>Eval</h2><p class="na">No eval in this build.</p></section>';
  const metricById = new Map(ev.metrics.map((m) => [m.id, m]));
  const charts = ev.metrics.map((m) =>
    [
      '<div class="card metric">',
      `<h3><code>${e(m.id)}</code> <span class="muted">${m.type === m.id ? '' : `${e(m.type)}, `}scale ${e(m.scale)}, ${m.higher_is_better ? 'higher' : 'lower'} is better</span></h3>`,
      metricChart(m, ev.models, ev.scores),
      '</div>',
    ].join(''),
  );
  const scoreRows = ev.metrics.map((m) => {
    const cells = ev.models.map((model) => {
      const s = ev.scores[model]?.[m.id];
      return s
        ? `<td class="num">${formatScore(s.value, m.scale)} <span class="muted">[${formatScore(s.interval[0], m.scale)}, ${formatScore(s.interval[1], m.scale)}]</span></td>`
        : '<td class="na">—</td>';
    });
    return `<tr><th><code>${e(m.id)}</code> <span class="muted">(${e(m.scale)})</span></th>${cells.join('')}</tr>`;
  });
  const gates = ev.gates.length
    ? `<ul class="gates">${ev.gates
        .map(
          (g) =>
            `<li class="gate ${g.passed ? 'passed' : 'failed'}"><span class="badge ${g.passed ? 'good' : 'bad'}">${g.passed ? 'passed' : 'failed'}</span> ${e(g.name)}<span class="detail">${e(g.detail)}</span></li>`,
        )
        .join('')}</ul>`
    : '<p class="na">No gates.</p>';
  return [
    '<section id="eval"><h2>Eval</h2>',
    `<p>${formatCount(ev.n)} examples of the <code>${e(ev.dataset)}</code> split, ${ev.models.length} models; 95% intervals from ${formatCount(ev.bootstrap.resamples)} bootstrap resamples (seed ${ev.bootstrap.seed}).</p>`,
    `<div class="cards">${charts.join('\n')}</div>`,
    '<h3>Scores</h3>',
    `<table class="scores-table"><thead><tr><th>metric</th>${ev.models.map((m) => `<th class="num">${e(m)}</th>`).join('')}</tr></thead>`,
    `<tbody>${scoreRows.join('')}</tbody></table>`,
    latencyTable(ev),
    '<h3>Gates</h3>',
    gates,
    baseline(ev, metricById),
    '</section>',
  ].join('\n');
}

function baseline(ev: EvalReport, metricById: ReadonlyMap<string, MetricReport>): string {
  const b = ev.baseline;
  if (!b.available)
    return `<h3>Baseline</h3><p class="na" id="baseline">Baseline not available: ${e(b.reason)}</p>`;
  const rows: string[] = [];
  for (const [model, byMetric] of Object.entries(b.deltas)) {
    for (const [metric, d] of Object.entries(byMetric)) {
      const m = metricById.get(metric);
      const scale = m?.scale ?? '0-1';
      const better =
        d.delta === 0 ? '' : d.delta > 0 === (m?.higher_is_better ?? true) ? 'good' : 'bad';
      rows.push(
        `<tr><td>${e(model)}</td><td><code>${e(metric)}</code></td><td class="num">${formatScore(d.before, scale)}</td><td class="num">${formatScore(d.now, scale)}</td><td class="num delta ${better}">${formatDelta(d.delta, scale)}</td></tr>`,
      );
    }
  }
  const failing = b.examples_compared
    ? b.newly_failing.length
      ? `<ul class="newly-failing">${b.newly_failing
          .map(
            (f) =>
              `<li><button type="button" class="link mono" data-search="${e(f.id)}">${e(f.id)}</button> <span class="muted">${e(f.model)}, ${e(f.metric)}</span></li>`,
          )
          .join('')}</ul>`
      : '<p>None.</p>'
    : '<p class="na">Not compared: the baseline’s per-example scores are not in .ft/.</p>';
  return [
    '<h3 id="baseline">Baseline</h3>',
    `<p>Compared with ${e(b.ref)}, commit <code title="${e(b.commit)}">${e(b.commit.slice(0, 12))}</code>.</p>`,
    '<table class="deltas"><thead><tr><th>model</th><th>metric</th><th class="num">baseline</th><th class="num">now</th><th class="num">change</th></tr></thead>',
    `<tbody>${rows.join('')}</tbody></table>`,
    `<h3>Newly failing examples <span class="muted">(${b.newly_failing.length})</span></h3>`,
    failing,
  ].join('\n');
}

function examples(ev: EvalReport | null): string {
  if (ev === null) return '';
  const partial =
    ev.examples.shown < ev.examples.total
      ? ` <span class="muted">(${formatCount(ev.examples.shown)} of ${formatCount(ev.examples.total)} in this report)</span>`
      : '';
  return [
    `<section id="examples"><h2>Examples${partial}</h2>`,
    '<noscript><p class="na">The example table needs JavaScript; the examples are also in report.json.</p></noscript>',
    '<div class="controls" id="example-controls" hidden>',
    '<label><input type="checkbox" id="failures-only"> failures only</label>',
    // Which model's failures: a tuned model's, not its base's (which may fail everything).
    `<select id="failures-of" aria-label="Whose failures">${['<option value="">of any model</option>', ...ev.models.map((m) => `<option value="${e(m)}">of ${e(m)}</option>`)].join('')}</select>`,
    '<input type="search" id="search" placeholder="Search ids, inputs, references, outputs" aria-label="Search examples">',
    '<span id="example-count" class="muted"></span>',
    '</div>',
    '<p class="legend-note">In each output, <ins>inserted</ins> words are not in the reference and <del>deleted</del> words are in the reference but missing from the output.</p>',
    `<table id="examples-table" hidden><thead><tr><th class="id">id</th><th>input (last user message)</th><th>reference</th>${ev.models.map((m) => `<th>${e(m)}</th>`).join('')}</tr></thead><tbody></tbody></table>`,
    '<button type="button" id="show-more" hidden>Show more</button>',
    '</section>',
  ].join('\n');
}

/** What the page's script needs: the examples, and the models and metrics to lay them out. */
function exampleData(ev: EvalReport) {
  return {
    models: ev.models,
    metrics: ev.metrics.map((m) => ({id: m.id, scale: m.scale, pass_fail: m.pass_fail})),
    items: ev.examples.items,
  };
}

/** A stage's time in this build: none when it was fresh or cached (it did not run). */
function ranFor(status: string, ms: number): string {
  return status === 'ran' || status === 'failed' || status === 'interrupted'
    ? formatDuration(ms)
    : `— (${status})`;
}

/** Latency per model: measured by the build from when each answer was asked, not a score. */
function latencyTable(ev: EvalReport): string {
  if (ev.latency.length === 0) return '';
  const rows = ev.latency.map(
    (l) =>
      `<tr><th><code>${e(l.metric)}</code> of ${e(l.model)}</th><td>${e(l.statistic)}</td>${
        l.value === null || l.interval === null
          ? `<td class="na">not available: ${e(l.detail)}</td>`
          : `<td class="num">${Math.round(l.value)} ms <span class="muted">[${Math.round(l.interval[0])}, ${Math.round(l.interval[1])}]</span></td>`
      }</tr>`,
  );
  return [
    '<h3>Latency</h3>',
    '<p class="muted">Wall time of each model call when the answer was asked (a cached answer keeps its time); not part of the result, so not in the lockfile.</p>',
    `<table class="scores-table"><thead><tr><th>metric</th><th>statistic</th><th class="num">value</th></tr></thead><tbody>${rows.join('')}</tbody></table>`,
  ].join('\n');
}
