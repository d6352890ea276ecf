import {diagnosticEvent, type StageStatus} from '../../console/events.js';
import {ndjsonReporter} from '../../console/ndjson.js';
import {plainReporter} from '../../console/plain.js';
import type {Reporter} from '../../console/reporter.js';
import {UserError} from '../../core/diagnostic.js';
import {describeSystemError, environmentDiagnostics} from '../../core/environment-error.js';
import {execPolicy} from '../../core/exec-policy.js';
import {ftVersion} from '../../core/version.js';
import {buildGraph, selectStages} from '../../plan/graph.js';
import type {StageId} from '../../plan/stage-id.js';
import {assembleReport, type BuildFacts} from '../../report/assemble.js';
import {summaryLines} from '../../report/terminal.js';
import {writeReports} from '../../report/write-reports.js';
import {gitState} from '../../run/baseline.js';
import {EXIT, exitCodeOf} from '../../run/exit-code.js';
import {runSession, type SessionResult, storeBeside} from '../../run/session.js';
import {EXEC_OPTIONS, NO_EXEC_HELP, parse, RECIPE_OPTIONS} from '../args.js';
import {checkBaseline} from '../baseline-check.js';
import {type Io, shownPath} from '../io.js';
import {checkLatency} from '../latency.js';
import {resolveRecipe} from '../load-or-report.js';

export const BUILD_HELP = `Usage: ft build [stage ...] [options]

Builds the named stages and everything they need (default: all), restoring what is fresh or
cached and running only what changed. Writes finetune.lock.

Options:
  -f, --file <recipe>     recipe file (default: finetune.yaml)
      --set <path>=<v>    override a recipe value for this run (never writes the lockfile)
      --frozen            fail (exit 1) instead of changing the lockfile
      --baseline <ref>    the commit whose locked scores the eval's regression gates compare
                          with (default: the merge base with the default branch)
      --retry             replace a failed or cancelled OpenAI job of the same key with a new
                          (paid) one; without it ft reports the failure and starts nothing
      --detach            submit (or find) OpenAI jobs and exit without waiting for them;
                          their stages are 'detached' and a later build collects the results
      --allow-unknown-cost
                          start an OpenAI job whose price ft does not know although the
                          backend sets budget_usd
      --json              NDJSON events on stdout
${NO_EXEC_HELP}
  -h, --help
`;

export async function buildCommand(args: readonly string[], io: Io): Promise<number> {
  const {values, positionals} = parse(
    'build',
    args,
    {
      ...RECIPE_OPTIONS,
      ...EXEC_OPTIONS,
      set: {type: 'string', multiple: true, default: []},
      frozen: {type: 'boolean', default: false},
      baseline: {type: 'string'},
      retry: {type: 'boolean', default: false},
      'allow-unknown-cost': {type: 'boolean', default: false},
      detach: {type: 'boolean', default: false},
    },
    true,
  );
  if (values.help) {
    io.out(BUILD_HELP);
    return EXIT.ok;
  }
  const startedAt = new Date();
  const plain = () => plainReporter(io.out, io.err, {color: io.color});
  let reporter: Reporter = values.json ? ndjsonReporter(io.out) : plain();
  try {
    const exec = execPolicy(values['no-exec']);
    const loaded = await resolveRecipe(io, values.file, values.set, exec);
    if (!values.json && io.interactive) {
      const graph = selectStages(buildGraph(loaded.normalized), positionals as StageId[]);
      // listr2 is loaded only for a terminal: CI and --json builds never pay for it.
      const {ttyReporter} = await import('../../console/tty.js');
      reporter = ttyReporter(
        graph.map((n) => n.id),
        io.err,
        {color: io.color},
      );
    }
    // The regression gates and the report see this build's results, under the project lock, so
    // that two builds of one recipe never interleave their reports.
    let exitCode: number = EXIT.ok;
    const whileLocked = async (built: SessionResult) => {
      for (const d of built.diagnostics) reporter.emit(diagnosticEvent(d));
      const checked = await checkBaseline(loaded, built.lockfile, values.baseline);
      if (checked.unchecked) {
        reporter.emit(
          diagnosticEvent({code: 'usage', severity: 'warning', message: checked.unchecked}),
        );
      }
      for (const r of checked.regressions) {
        reporter.emit({event: 'gate', passed: r.passed, detail: r.detail});
      }
      const latency = await checkLatency(loaded, built, reporter.emit);
      const gateFailed =
        checked.regressions.some((r) => !r.passed) || latency.gates.some((g) => !g.passed);
      // Ctrl-C after the last stage still makes the build an interrupted one, as its exit says.
      exitCode = io.signal.aborted
        ? EXIT.interrupted
        : exitCodeOf([built.exitCode, gateFailed ? EXIT.gateFailed : EXIT.ok]);
      if (built.stages.some((n) => REPORTED_KINDS.has(n.kind))) {
        await report(
          {
            loaded,
            session: built,
            startedAt,
            finishedAt: new Date(),
            exitCode,
            ftVersion: ftVersion(),
            git: await gitState(loaded.normalized.dir),
            baseline: checked.baseline,
            regressions: checked.regressions,
            latency,
            diagnostics: built.diagnostics,
            store: storeBeside(loaded.path),
          },
          io,
          reporter,
        );
      }
    };
    const result = await runSession({
      loaded,
      exec,
      mode: 'build',
      only: positionals as StageId[],
      frozen: values.frozen,
      flags: {
        retry: values.retry,
        allowUnknownCost: values['allow-unknown-cost'],
        detach: values.detach,
      },
      writeLockfile: values.set.length === 0,
      signal: io.signal,
      emit: reporter.emit,
      onWait: (holder) => io.err(`waiting for another ft process to finish: ${holder}\n`),
      whileLocked,
    });
    const stages = [...result.outcomes.values()].map((o) => ({
      id: o.node.id as string,
      status: (o.status ?? 'skipped') as StageStatus,
    }));
    reporter.emit({event: 'summary', ok: exitCode === EXIT.ok, exit_code: exitCode, stages});
    await reporter.close();
    return exitCode;
  } catch (e) {
    if (!values.json) throw e; // main() prints it for people
    // --json promises a summary as the last line, whatever happened.
    const interrupted = io.signal.aborted;
    const exitCode = interrupted
      ? EXIT.interrupted
      : e instanceof UserError
        ? EXIT.usage
        : EXIT.buildFailed;
    const diagnostics =
      e instanceof UserError
        ? e.diagnostics
        : interrupted
          ? []
          : (environmentDiagnostics(e) ?? [
              {
                code: 'internal' as const,
                severity: 'error' as const,
                message: `internal error: ${(e as Error)?.stack ?? e}`,
              },
            ]);
    for (const d of diagnostics) reporter.emit(diagnosticEvent(d));
    reporter.emit({event: 'summary', ok: false, exit_code: exitCode, stages: []});
    await reporter.close();
    return exitCode;
  }
}

/** Builds that train or evaluate leave a report; a data-only build (`ft build dataset`) does not. */
const REPORTED_KINDS = new Set(['train', 'generate', 'eval']);

/**
 * Writes the build's report (ft-report/ and .ft/builds) and tells the reporter where it is, with
 * its summary. A report that cannot be written is a warning: the build's results stand.
 */
async function report(facts: BuildFacts, io: Io, reporter: Reporter): Promise<void> {
  const built = await assembleReport(facts);
  const dir = facts.loaded.normalized.reportDir;
  let files: string[] = [];
  try {
    files = await writeReports(built, dir, facts.store.buildReportPath(built.build.id));
  } catch (e) {
    reporter.emit(
      diagnosticEvent({
        code: 'store',
        severity: 'warning',
        message: `could not write the build's report to ${dir}: ${describeSystemError(e)}`,
      }),
    );
  }
  reporter.emit({
    event: 'report',
    dir: shownPath(io, dir),
    files: files.map((f) => shownPath(io, f)),
    lines: summaryLines(built),
  });
}
