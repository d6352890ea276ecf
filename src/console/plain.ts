import {shortHash} from '../core/hash.js';
import {formatDiagnostic} from './diagnostic-printer.js';
import {type BuildEvent, diagnosticOf} from './events.js';
import {formatWhy} from './format-why.js';
import {ProgressLines} from './progress-line.js';
import type {Reporter} from './reporter.js';
import {stageDetails} from './stage-details.js';

/**
 * Plain lines for CI logs and pipes: one line when a stage starts and one when it ends, its
 * reasons indented under it. No cursor movement, no color unless asked.
 */
export function plainReporter(
  out: (line: string) => void,
  err: (line: string) => void,
  options: {color: boolean},
): Reporter {
  const progress = new ProgressLines();
  const emit = (e: BuildEvent) => {
    switch (e.event) {
      case 'stage-start':
        progress.start(e.id);
        out(`${e.id}: running (${shortHash(e.key)})\n`);
        for (const w of e.why) out(`  ${formatWhy(w)}\n`);
        // A training's checks and estimate, before it runs (and costs).
        for (const line of stageDetails(e.kind, undefined, e.checks)) out(`  ${line}\n`);
        break;
      case 'stage-end': {
        const time = e.status === 'ran' ? ` in ${seconds(e.duration_ms)}` : '';
        out(`${e.id}: ${e.status}${time}${e.key ? ` (${shortHash(e.key)})` : ''}\n`);
        if (e.status === 'cached') for (const w of e.why) out(`  ${formatWhy(w)}\n`);
        // What a stage that ran or was restored made (the dataset's funnel); fresh ones are as
        // the lockfile says, and `ft plan` shows them.
        if (e.status === 'ran' || e.status === 'cached') {
          for (const line of stageDetails(e.kind, e.summary, undefined)) out(`  ${line}\n`);
        }
        if (e.error && e.error.reason !== 'bad-input') out(`  ${e.error.message}\n`);
        break;
      }
      case 'progress':
        if (progress.worthALine(e)) out(`${e.id}: ${progress.line(e)}\n`);
        break;
      case 'diagnostic':
        err(`${formatDiagnostic(diagnosticOf(e), options)}\n`);
        break;
      case 'gate':
        // The report's summary that follows lists every gate, this one included.
        break;
      case 'latency':
        // The report's summary that follows has every latency, this one included.
        break;
      case 'report':
        for (const line of reportLines(e)) out(`${line}\n`);
        break;
      case 'summary': {
        const counts = new Map<string, number>();
        for (const s of e.stages) counts.set(s.status, (counts.get(s.status) ?? 0) + 1);
        const parts = [...counts].map(([status, n]) => `${n} ${status}`);
        out(
          `${e.ok ? 'ok' : 'failed'}: ${parts.join(', ') || 'nothing to do'} (exit ${e.exit_code})\n`,
        );
        break;
      }
    }
  };
  return {emit, close: async () => undefined};
}

/** The report's summary, then where its files are. */
export function reportLines(e: Extract<BuildEvent, {event: 'report'}>): string[] {
  return [...e.lines, `report: ${e.dir}/ (report.md, report.html; ft report --open)`];
}

export function seconds(ms: number): string {
  return ms < 1000 ? `${ms}ms` : `${(ms / 1000).toFixed(1)}s`;
}
