import {diagnosticEvent, type StageStatus} from '../../console/events.js';
import {ndjsonReporter} from '../../console/ndjson.js';
import {plainReporter} from '../../console/plain.js';
import type {Reporter} from '../../console/reporter.js';
import {error, UserError} from '../../core/diagnostic.js';
import {environmentDiagnostics} from '../../core/environment-error.js';
import {execPolicy} from '../../core/exec-policy.js';
import type {Sha256} from '../../core/hash.js';
import {checkRegressions} from '../../eval/regression.js';
import {buildGraph, selectStages} from '../../plan/graph.js';
import type {StageId} from '../../plan/stage-id.js';
import type {ResolvedRecipe} from '../../recipe/normalized.js';
import {readBaseline} from '../../run/baseline.js';
import {EXIT, exitCodeOf} from '../../run/exit-code.js';
import {lockfilePath} from '../../run/lockfile.js';
import {runSession, type SessionResult, storeBeside} from '../../run/session.js';
import {EXEC_OPTIONS, NO_EXEC_HELP, parse, RECIPE_OPTIONS} from '../args.js';
import type {Io} from '../io.js';
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
    });
    for (const d of result.diagnostics) reporter.emit(diagnosticEvent(d));
    const regressionsFailed = await checkBaseline(loaded, result, values.baseline, reporter);
    const latencyFailed = await checkLatency(loaded, result, reporter.emit);
    const stages = [...result.outcomes.values()].map((o) => ({
      id: o.node.id as string,
      status: (o.status ?? 'skipped') as StageStatus,
    }));
    // Ctrl-C after the last stage still makes the build an interrupted one, as its exit says.
    const exitCode = io.signal.aborted
      ? EXIT.interrupted
      : exitCodeOf([
          result.exitCode,
          regressionsFailed || latencyFailed ? EXIT.gateFailed : EXIT.ok,
        ]);
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

/**
 * The eval's regression gates, applied after the build: today's scores (the lockfile this build
 * wrote) against those the lockfile recorded at the baseline commit, example by example where
 * both runs' examples are in .ft/. No baseline (a first commit, no git) skips them with a
 * warning; a `--baseline` git does not know is a usage error. Returns whether one failed.
 */
async function checkBaseline(
  loaded: ResolvedRecipe,
  result: SessionResult,
  ref: string | undefined,
  reporter: Reporter,
): Promise<boolean> {
  const evaluation = loaded.normalized.eval;
  const gates = (evaluation?.gates ?? []).flatMap((g) => (g.kind === 'regression' ? [g] : []));
  const current = result.lockfile.stages.eval;
  if (!evaluation || gates.length === 0 || !current?.scores) return false;
  const baseline = await readBaseline(lockfilePath(loaded.path), ref);
  if (!baseline.found) {
    if (ref !== undefined)
      throw new UserError([error('usage', `--baseline ${ref}: ${baseline.why}`)]);
    reporter.emit(
      diagnosticEvent({
        code: 'usage',
        severity: 'warning',
        message: `regression gates not checked: ${baseline.why}`,
      }),
    );
    return false;
  }
  const before = baseline.lockfile.stages.eval;
  const store = storeBeside(loaded.path);
  const examples = async (hash: Sha256 | undefined) => {
    if (!hash || (await store.checkObject(hash)).state !== 'intact') return undefined;
    const byId = new Map<string, Record<string, Record<string, number>>>();
    for (const line of store.readObjectText(hash).split('\n')) {
      if (line === '') continue;
      const e = JSON.parse(line) as {id: string; scores: Record<string, Record<string, number>>};
      byId.set(e.id, e.scores);
    }
    return byId;
  };
  const [nowExamples, beforeExamples] = await Promise.all([
    examples(current.outputs['examples.jsonl']),
    examples(before?.outputs['examples.jsonl']),
  ]);
  const types = new Map(evaluation.metrics.map((m) => [m.id, m.type]));
  const results = checkRegressions({
    gates,
    current: {scores: current.scores, ...(nowExamples ? {examples: nowExamples} : {})},
    baseline: {scores: before?.scores ?? {}, ...(beforeExamples ? {examples: beforeExamples} : {})},
    higherIsBetter: (metric) => types.get(metric) !== 'length',
    seed: evaluation.generation.seed,
    shown: `${ref ?? 'the merge base'} (${baseline.commit.slice(0, 7)})`,
  });
  for (const r of results) reporter.emit({event: 'gate', passed: r.passed, detail: r.detail});
  return results.some((r) => !r.passed);
}
