import {formatDelta, formatDuration, formatScoreWithInterval} from './format.js';
import type {BuildReport} from './report-types.js';

/**
 * The compact summary `ft build` ends with and `ft report` prints: the eval's table (models as
 * columns, each metric on its scale with its interval and its delta against the baseline),
 * each gate, and each training's result. Plain text: aligned columns, no color.
 */
export function summaryLines(report: BuildReport): string[] {
  const lines: string[] = [];
  for (const t of report.training) {
    const loss = t.curve.available
      ? t.curve.points.findLast((p) => p.loss !== undefined)?.loss
      : undefined;
    lines.push(
      `${t.stage}: ${t.status}${t.steps !== null ? `, ${t.steps} steps` : ''}${loss !== undefined ? `, loss ${loss.toFixed(4)}` : ''}${t.duration_ms > 0 ? ` in ${formatDuration(t.duration_ms)}` : ''}${t.curve.available ? '' : ' (curve not available)'}`,
    );
  }
  const evaluation = report.eval;
  if (evaluation) {
    const baseline = evaluation.baseline;
    lines.push(
      `eval on ${evaluation.n} ${evaluation.dataset} examples (95% intervals${baseline.available ? `; deltas vs ${baseline.ref} ${baseline.commit.slice(0, 7)}` : ''}):`,
    );
    const rows = [
      ['metric', ...evaluation.models],
      ...evaluation.metrics.map((m) => [
        `${m.id} (${m.scale})`,
        ...evaluation.models.map((model) => {
          const s = evaluation.scores[model]?.[m.id];
          if (!s) return 'n/a';
          const d = baseline.available ? baseline.deltas[model]?.[m.id] : undefined;
          return `${formatScoreWithInterval(s, m.scale)}${d ? ` ${formatDelta(d.delta, m.scale)}` : ''}`;
        }),
      ]),
    ];
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    for (const row of rows) {
      lines.push(
        `  ${row
          .map((c, i) => c.padEnd(widths[i]!))
          .join('   ')
          .trimEnd()}`,
      );
    }
    for (const l of evaluation.latency) lines.push(`latency: ${l.detail}`);
    if (baseline.available && baseline.newly_failing.length > 0) {
      lines.push(`  ${baseline.newly_failing.length} example(s) newly failing since the baseline`);
    }
    // The checks the build applies after the stages say which they are.
    for (const g of evaluation.gates) {
      const kind = g.kind === 'regression' || g.kind === 'latency' ? `${g.kind} ` : '';
      lines.push(`${kind}gate ${g.passed ? 'passed' : 'FAILED'}: ${g.detail}`);
    }
  }
  return lines;
}
