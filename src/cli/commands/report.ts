import {existsSync, readFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {basename, join} from 'node:path';
import {error, UserError} from '../../core/diagnostic.js';
import {formatDuration} from '../../report/format.js';
import {type KeptReport, keptReports} from '../../report/history.js';
import {renderHtml} from '../../report/html.js';
import {renderJunit} from '../../report/junit.js';
import {renderMarkdown} from '../../report/markdown.js';
import {summaryLines} from '../../report/terminal.js';
import {reportJson} from '../../report/write-reports.js';
import {EXIT} from '../../run/exit-code.js';
import {storeFor} from '../../run/session.js';
import {writeFileAtomic} from '../../run/store/atomic-file.js';
import {parse, RECIPE_OPTIONS} from '../args.js';
import {type Io, shownPath} from '../io.js';
import {resolveRecipe} from '../load-or-report.js';

export const REPORT_HELP = `Usage: ft report [options]

Shows the report of the recipe's last build that trained or evaluated (its summary, as ft build
ended with), or of an earlier one. Reports are kept in .ft/builds with their build records
(ft cache gc keeps those of the last builds); the last one is also in the report folder
(ft-report/ unless the recipe's report.dir says otherwise).

Options:
  -f, --file <recipe>     recipe file (default: finetune.yaml)
      --list              the kept reports, newest first
      --build <id>        that build's report instead of the last one (see --list)
      --format <format>   text (default), md, json, junit or html, printed on stdout
      --open              open the report's HTML page in the default browser
      --json              with --list: one JSON object per report
  -h, --help
`;

const FORMATS = ['text', 'md', 'json', 'junit', 'html'] as const;

export async function reportCommand(args: readonly string[], io: Io): Promise<number> {
  const {values} = parse('report', args, {
    ...RECIPE_OPTIONS,
    list: {type: 'boolean', default: false},
    build: {type: 'string'},
    format: {type: 'string', default: 'text'},
    open: {type: 'boolean', default: false},
  });
  if (values.help) {
    io.out(REPORT_HELP);
    return EXIT.ok;
  }
  const format = values.format as (typeof FORMATS)[number];
  if (!FORMATS.includes(format)) {
    throw new UserError([
      error('usage', `ft report: --format must be one of ${FORMATS.join(', ')}, got '${format}'`),
    ]);
  }
  const loaded = await resolveRecipe(io, values.file);
  const store = storeFor(loaded);
  const kept = keptReports(store.buildsDir, basename(loaded.path));
  if (values.list) {
    if (values.json) {
      for (const k of kept) io.out(`${JSON.stringify(listed(k))}\n`);
    } else if (kept.length === 0) {
      io.out(`no reports yet: ${NO_REPORT_HINT}\n`);
    } else {
      for (const k of kept) io.out(`${listLine(k)}\n`);
    }
    return EXIT.ok;
  }
  const chosen = values.build === undefined ? kept[0] : kept.find((k) => k.id === values.build);
  if (!chosen) {
    if (values.build !== undefined) {
      const ids = kept.slice(0, 5).map((k) => k.id);
      throw new UserError([
        error(
          'usage',
          `ft report: no kept report of build '${values.build}' for ${basename(loaded.path)}`,
          undefined,
          ids.length > 0 ? `kept: ${ids.join(', ')} (ft report --list)` : NO_REPORT_HINT,
        ),
      ]);
    }
    io.err(`ft report: no report yet for ${basename(loaded.path)}: ${NO_REPORT_HINT}\n`);
    return EXIT.buildFailed;
  }
  const report = chosen.report;
  if (values.open) return open(io, chosen, loaded.normalized.reportDir);
  switch (format) {
    case 'md':
      io.out(renderMarkdown(report));
      break;
    case 'json':
      io.out(reportJson(report));
      break;
    case 'junit':
      io.out(renderJunit(report));
      break;
    case 'html':
      io.out(renderHtml(report));
      break;
    default: {
      const b = report.build;
      io.out(
        `build ${b.id}: ${b.ok ? 'ok' : 'failed'} (exit ${b.exit_code}) in ${formatDuration(b.duration_ms)}${b.git ? ` at ${b.git.commit.slice(0, 7)}${b.git.dirty ? ' with changes' : ''}` : ''}\n`,
      );
      for (const line of summaryLines(report)) io.out(`${line}\n`);
    }
  }
  return EXIT.ok;
}

const NO_REPORT_HINT = 'ft build writes one for each build that trains or evaluates';

function listed(k: KeptReport) {
  const b = k.report.build;
  const gates = k.report.eval?.gates ?? [];
  return {
    id: k.id,
    started_at: b.started_at,
    exit_code: b.exit_code,
    commit: b.git?.commit ?? null,
    gates: {
      passed: gates.filter((g) => g.passed).length,
      failed: gates.filter((g) => !g.passed).length,
    },
  };
}

function listLine(k: KeptReport): string {
  const l = listed(k);
  const gates =
    l.gates.passed + l.gates.failed > 0
      ? `, gates ${l.gates.passed} passed ${l.gates.failed} failed`
      : '';
  return `${k.id}  exit ${l.exit_code}${l.commit ? `  ${l.commit.slice(0, 7)}` : ''}${gates}`;
}

/**
 * Opens the HTML page: the report folder's for the last build, else one written for the asked
 * build to a temporary file. Where there is no browser (a server, CI), says where the file is.
 */
async function open(io: Io, chosen: KeptReport, reportDir: string): Promise<number> {
  let page = join(reportDir, 'report.html');
  if (!isReportOf(join(reportDir, 'report.json'), chosen.id) || !existsSync(page)) {
    page = join(tmpdir(), `ft-report-${chosen.id}.html`);
    await writeFileAtomic(page, renderHtml(chosen.report));
  }
  const shown = shownPath(io, page);
  const opener =
    process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  const {execa} = await import('execa');
  const r = await execa(opener, [page], {reject: false, stdin: 'ignore', timeout: 10_000});
  if (r.failed) {
    const why =
      (r as {code?: string}).code === 'ENOENT'
        ? `${opener} is not installed`
        : `${opener} failed${r.exitCode !== undefined ? ` (exit ${r.exitCode})` : ''}`;
    io.out(`no browser to open it here (${why}); the page is ${shown}\n`);
    return EXIT.ok;
  }
  io.out(`opened ${shown}\n`);
  return EXIT.ok;
}

function isReportOf(path: string, id: string): boolean {
  try {
    return (JSON.parse(readFileSync(path, 'utf8')) as {build?: {id?: unknown}}).build?.id === id;
  } catch {
    return false;
  }
}
