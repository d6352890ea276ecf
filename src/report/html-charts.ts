/**
 * The charts of report.html, drawn on the server as inline SVG so they show without JavaScript:
 * a training's loss curves and one bar chart per eval metric. Colors come from CSS classes
 * (`.s-train`, `.s-eval`, `.bar`...) so the page's light and dark themes restyle them.
 */

import {formatScore} from './format.js';
import {escapeHtml} from './html-escape.js';
import type {CurvePoint, MetricReport, ScoreReport} from './report-types.js';

/** Axis ticks: a "nice" step (1, 2 or 5 × 10^k) and the range widened to whole steps. */
export interface NiceScale {
  readonly lo: number;
  readonly hi: number;
  readonly step: number;
  readonly ticks: readonly number[];
}

/** A step of 1, 2 or 5 × 10^k near `raw`. */
function niceStep(raw: number): number {
  const exp = Math.floor(Math.log10(raw));
  const base = 10 ** exp;
  const f = raw / base;
  return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * base;
}

/** About `count` ticks covering [min, max], at multiples of a nice step. */
export function niceScale(min: number, max: number, count = 5): NiceScale {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return niceScale(0, 1, count);
  if (max < min) [min, max] = [max, min];
  if (max === min) {
    const pad = min === 0 ? 1 : Math.abs(min) / 10;
    min -= pad;
    max += pad;
  }
  const step = niceStep((max - min) / count);
  const lo = Math.floor(min / step + 1e-9) * step;
  const hi = Math.ceil(max / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let i = 0; lo + i * step <= hi + step * 1e-9; i++) ticks.push(roundTo(lo + i * step, step));
  return {lo, hi, step, ticks};
}

/** `v` without the float noise of adding steps (0.30000000000000004). */
function roundTo(v: number, step: number): number {
  const decimals = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  return Number(v.toFixed(Math.min(decimals, 20)));
}

/** A tick label: as many decimals as the step needs; `12k`, `1.5M` for large values. */
export function formatTick(v: number, step: number): string {
  if (Math.abs(v) >= 1e6 && step >= 1e5) return `${trim(v / 1e6, step / 1e6)}M`;
  if (Math.abs(v) >= 1e4 && step >= 1e3) return `${trim(v / 1e3, step / 1e3)}k`;
  return trim(v, step);
}

function trim(v: number, step: number): string {
  const decimals = Math.max(0, Math.ceil(-Math.log10(step) - 1e-9));
  return v.toFixed(Math.min(decimals, 20));
}

/** Pixel coordinates, to one decimal: enough for a screen, and small in the file. */
const px = (v: number) => (Math.round(v * 10) / 10).toString();

/**
 * The points of a series to draw along `width` pixels: at most four per pixel column (the first,
 * lowest, highest and last, in step order), so a curve of 100,000 points keeps its shape, noise
 * band included, in a few thousand.
 */
export function downsample(
  points: readonly {readonly x: number; readonly y: number}[],
  x: (v: number) => number,
): {x: number; y: number}[] {
  const out: {x: number; y: number}[] = [];
  let column = Number.NaN;
  let bucket: {x: number; y: number}[] = [];
  const flush = () => {
    if (bucket.length === 0) return;
    const first = bucket[0]!;
    const last = bucket[bucket.length - 1]!;
    let lowest = first;
    let highest = first;
    for (const p of bucket) {
      if (p.y < lowest.y) lowest = p;
      if (p.y > highest.y) highest = p;
    }
    const keep = new Set([first, lowest, highest, last]);
    for (const p of bucket) if (keep.has(p)) out.push(p);
    bucket = [];
  };
  for (const p of points) {
    const c = Math.floor(x(p.x));
    if (c !== column) {
      flush();
      column = c;
    }
    bucket.push(p);
  }
  flush();
  return out;
}

interface Series {
  readonly key: 'loss' | 'eval_loss';
  readonly label: string;
  readonly className: string;
  readonly points: {x: number; y: number}[];
}

const W = 720;
const H = 300;
const M = {left: 64, right: 20, top: 34, bottom: 48};

/**
 * A training's loss curves: train `loss` and validation `eval_loss` as two series on one axis,
 * step on x. Non-finite values (a diverged step) are left out. `title` names the chart for
 * screen readers.
 */
export function lossChart(points: readonly CurvePoint[], title: string): string {
  const sorted = [...points].sort((a, b) => a.step - b.step);
  const pick = (key: 'loss' | 'eval_loss') =>
    sorted.flatMap((p) => {
      const y = p[key];
      return y !== undefined && Number.isFinite(y) && Number.isFinite(p.step)
        ? [{x: p.step, y}]
        : [];
    });
  const series: Series[] = [
    {key: 'loss', label: 'loss (train)', className: 's-train', points: pick('loss')},
    {
      key: 'eval_loss',
      label: 'eval_loss (validation)',
      className: 's-eval',
      points: pick('eval_loss'),
    },
  ];
  const all = series.flatMap((s) => s.points);
  if (all.length === 0) return '<p class="na">not available: the curve has no loss values</p>';
  // Loops, not Math.min(...): a spread of 100,000 arguments overflows the stack.
  let [x0, x1, y0, y1] = [all[0]!.x, all[0]!.x, all[0]!.y, all[0]!.y];
  for (const p of all) {
    x0 = Math.min(x0, p.x);
    x1 = Math.max(x1, p.x);
    y0 = Math.min(y0, p.y);
    y1 = Math.max(y1, p.y);
  }
  const xs = niceScale(x0, x1, 8);
  const ys = niceScale(y0, y1, 5);
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const x = (v: number) => M.left + ((v - xs.lo) / (xs.hi - xs.lo)) * plotW;
  const y = (v: number) => M.top + (1 - (v - ys.lo) / (ys.hi - ys.lo)) * plotH;
  const out: string[] = [];
  out.push(
    `<svg class="chart" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${escapeHtml(title)}">`,
    `<title>${escapeHtml(title)}</title>`,
  );
  // Grid and ticks.
  for (const t of ys.ticks) {
    const ty = px(y(t));
    out.push(
      `<line class="grid" x1="${M.left}" x2="${W - M.right}" y1="${ty}" y2="${ty}"/>`,
      `<text class="tick" x="${M.left - 6}" y="${ty}" text-anchor="end" dominant-baseline="middle">${formatTick(t, ys.step)}</text>`,
    );
  }
  for (const t of xs.ticks) {
    const tx = px(x(t));
    out.push(
      `<line class="axis" x1="${tx}" x2="${tx}" y1="${H - M.bottom}" y2="${H - M.bottom + 5}"/>`,
      `<text class="tick" x="${tx}" y="${H - M.bottom + 18}" text-anchor="middle">${formatTick(t, xs.step)}</text>`,
    );
  }
  out.push(
    `<line class="axis" x1="${M.left}" x2="${W - M.right}" y1="${H - M.bottom}" y2="${H - M.bottom}"/>`,
    `<line class="axis" x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${H - M.bottom}"/>`,
    `<text class="axis-label" x="${M.left + plotW / 2}" y="${H - 8}" text-anchor="middle">step</text>`,
    `<text class="axis-label" transform="translate(16 ${M.top + plotH / 2}) rotate(-90)" text-anchor="middle">loss</text>`,
  );
  // Series.
  for (const s of series) {
    if (s.points.length === 0) continue;
    const drawn = downsample(s.points, x);
    const d = drawn.map((p, i) => `${i === 0 ? 'M' : 'L'}${px(x(p.x))} ${px(y(p.y))}`).join('');
    out.push(`<path class="line ${s.className}" d="${d}"/>`);
    if (s.points.length <= 60) {
      for (const p of s.points)
        out.push(
          `<circle class="dot ${s.className}" cx="${px(x(p.x))}" cy="${px(y(p.y))}" r="2.5"/>`,
        );
    }
  }
  // Legend, top right.
  const present = series.filter((s) => s.points.length > 0);
  let lx = W - M.right - present.reduce((w, s) => w + 34 + s.label.length * 7, 0);
  for (const s of present) {
    out.push(
      `<line class="line ${s.className}" x1="${lx}" x2="${lx + 22}" y1="14" y2="14"/>`,
      `<text class="legend" x="${lx + 28}" y="14" dominant-baseline="middle">${escapeHtml(s.label)}</text>`,
    );
    lx += 34 + s.label.length * 7;
  }
  out.push('</svg>');
  return out.join('');
}

/** The range a metric's bars are drawn on: its scale where it has bounds, else from 0 to the largest interval end. */
export function metricDomain(metric: MetricReport, scores: readonly ScoreReport[]): NiceScale {
  if (metric.scale === '0-1') return niceScale(0, 1, 5);
  if (metric.scale === '0-100') return niceScale(0, 100, 5);
  const values = scores
    .flatMap((s) => [s.value, s.interval[0], s.interval[1]])
    .filter(Number.isFinite);
  return niceScale(Math.min(0, ...values), Math.max(0, ...values), 5);
}

const BW = 420;
const BAR_ROW = 30;
const BM = {left: 110, right: 64, top: 8, bottom: 36};

/**
 * One metric, one bar per model on the metric's own scale, with the 95% bootstrap interval as an
 * error bar and the value printed at the right. Models without a score get an empty row.
 */
export function metricChart(
  metric: MetricReport,
  models: readonly string[],
  scores: Readonly<Record<string, Readonly<Record<string, ScoreReport>>>>,
): string {
  const rows = models.map((model) => ({model, score: scores[model]?.[metric.id]}));
  const scale = metricDomain(
    metric,
    rows.flatMap((r) => (r.score ? [r.score] : [])),
  );
  const h = BM.top + BAR_ROW * rows.length + BM.bottom;
  const plotW = BW - BM.left - BM.right;
  const clamp = (v: number) => Math.min(scale.hi, Math.max(scale.lo, v));
  const x = (v: number) => BM.left + ((clamp(v) - scale.lo) / (scale.hi - scale.lo)) * plotW;
  const label = `${metric.id} by model, scale ${metric.scale}`;
  const out: string[] = [
    `<svg class="chart bars" viewBox="0 0 ${BW} ${h}" width="${BW}" height="${h}" role="img" aria-label="${escapeHtml(label)}">`,
    `<title>${escapeHtml(label)}</title>`,
  ];
  const bottom = h - BM.bottom;
  for (const t of scale.ticks) {
    const tx = px(x(t));
    out.push(
      `<line class="grid" x1="${tx}" x2="${tx}" y1="${BM.top}" y2="${bottom}"/>`,
      `<text class="tick" x="${tx}" y="${bottom + 16}" text-anchor="middle">${formatTick(t, scale.step)}</text>`,
    );
  }
  out.push(
    `<line class="axis" x1="${BM.left}" x2="${BW - BM.right}" y1="${bottom}" y2="${bottom}"/>`,
    `<text class="axis-label" x="${BM.left + plotW / 2}" y="${h - 4}" text-anchor="middle">${escapeHtml(`${metric.id} (${metric.scale})`)}</text>`,
  );
  rows.forEach(({model, score}, i) => {
    const top = BM.top + i * BAR_ROW;
    const mid = top + BAR_ROW / 2;
    const shown = model.length > 16 ? `${model.slice(0, 15)}…` : model;
    out.push(
      `<text class="tick model" x="${BM.left - 8}" y="${px(mid)}" text-anchor="end" dominant-baseline="middle"><title>${escapeHtml(model)}</title>${escapeHtml(shown)}</text>`,
    );
    if (!score) {
      out.push(
        `<text class="tick" x="${BM.left + 4}" y="${px(mid)}" dominant-baseline="middle">no score</text>`,
      );
      return;
    }
    const x0 = x(Math.max(scale.lo, 0));
    const x1 = x(score.value);
    out.push(
      `<rect class="bar bar-${i % 6}" x="${px(Math.min(x0, x1))}" y="${top + 6}" width="${px(Math.abs(x1 - x0))}" height="${BAR_ROW - 12}"/>`,
    );
    const [lo, hi] = score.interval;
    if (Number.isFinite(lo) && Number.isFinite(hi)) {
      const a = px(x(lo));
      const b = px(x(hi));
      out.push(
        `<g class="err"><line x1="${a}" x2="${b}" y1="${px(mid)}" y2="${px(mid)}"/>`,
        `<line x1="${a}" x2="${a}" y1="${top + 9}" y2="${top + BAR_ROW - 9}"/>`,
        `<line x1="${b}" x2="${b}" y1="${top + 9}" y2="${top + BAR_ROW - 9}"/>`,
        `<title>${escapeHtml(`${model}: ${formatScore(score.value, metric.scale)}, 95% interval ${formatScore(lo, metric.scale)}–${formatScore(hi, metric.scale)}, n=${score.n}`)}</title></g>`,
      );
    }
    out.push(
      `<text class="value" x="${BW - BM.right + 8}" y="${px(mid)}" dominant-baseline="middle">${formatScore(score.value, metric.scale)}</text>`,
    );
  });
  out.push('</svg>');
  return out.join('');
}
