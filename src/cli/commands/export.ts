import {resolve} from 'node:path';
import {stableJson} from '../../core/canonical-json.js';
import {error, UserError} from '../../core/diagnostic.js';
import {shortHash} from '../../core/hash.js';
import type {StageId} from '../../plan/stage-id.js';
import type {StageOutcome} from '../../run/executor.js';
import {EXIT} from '../../run/exit-code.js';
import {
  type ExportedFile,
  ExportFailure,
  exportFiles,
  exportOutputs,
} from '../../run/export-outputs.js';
import {storeBeside} from '../../run/session.js';
import {EXEC_OPTIONS, ftCommandLine, NO_EXEC_HELP, parse, RECIPE_OPTIONS} from '../args.js';
import {type Io, shownPath} from '../io.js';
import {planSession} from './plan.js';

export const EXPORT_HELP = `Usage: ft export <stage> --out <dir> [options]

Copies a stage's outputs out of the store into <dir> as files named after the outputs (dataset:
train.jsonl, validation.jsonl, test.jsonl; source:<name>: manifest.json, files.json for more
than 1,000 files, and content for a fetched or inline source), for the stage's key under the
current recipe and any --set. A data stage that is not built yet is computed first, as ft plan
does (into .ft/, never the lockfile).

Each file is a new copy, checked against its sha256 and renamed into place when complete; the
store is only read. Files that exist with the same content are left alone; with different
content ft export refuses (exit 2) unless --force.

Options:
  -o, --out <dir>         where to write the files (created if missing)
      --force             replace files that exist with different content
  -f, --file <recipe>     recipe file (default: finetune.yaml)
      --set <path>=<v>    override a recipe value
      --json              one JSON document on stdout: the files, with path, hash and size
${NO_EXEC_HELP}
  -h, --help
`;

export async function exportCommand(args: readonly string[], io: Io): Promise<number> {
  const {values, positionals} = parse(
    'export',
    args,
    {
      ...RECIPE_OPTIONS,
      ...EXEC_OPTIONS,
      set: {type: 'string', multiple: true, default: []},
      out: {type: 'string', short: 'o'},
      force: {type: 'boolean', default: false},
    },
    true,
  );
  if (values.help) {
    io.out(EXPORT_HELP);
    return EXIT.ok;
  }
  if (positionals.length !== 1 || values.out === undefined || values.out === '') {
    throw new UserError([
      error(
        'usage',
        'ft export takes one stage and --out <dir>, e.g. ft export dataset --out exported',
      ),
    ]);
  }
  const id = positionals[0]!;
  // A data stage not built yet is computed here, as ft plan and ft data head do: its bytes
  // depend only on its key, so they are the ones ft build would make, and computing them writes
  // only the run-cache (never the lockfile), which the next build then restores from. Refusing
  // and sending the user to ft build first would add a step and change nothing in the result.
  // Stages that are not computed by a plan (training) are exported only once a build made them.
  const result = await planSession(io, values, [id]);
  const outcome = result.outcomes.get(id as StageId);
  if (!outcome) throw new Error(`stage ${id} was not planned`);
  if (!outcome.result) {
    return reportNoOutputs(io, outcome, result.outcomes, ftCommandLine(['build', id], values));
  }

  const shown = (path: string) => shownPath(io, path);
  const outDir = resolve(io.cwd, values.out);
  let exported: ExportedFile[];
  try {
    const store = storeBeside(resolve(io.cwd, values.file));
    const files = exportFiles(outcome.result.outputs, store);
    if (files.length === 0) {
      io.err(`${id}: nothing to export: the stage has no outputs\n`);
      return EXIT.buildFailed;
    }
    exported = await exportOutputs({
      store,
      files,
      outDir,
      force: values.force,
      signal: io.signal,
      shown,
    });
  } catch (e) {
    if (!(e instanceof ExportFailure)) throw e;
    io.err(`${id}: ${e.message}\n`);
    return EXIT.buildFailed;
  }

  if (values.json) {
    io.out(stableJson({stage: id, key: outcome.key, out: outDir, files: exported}));
    return EXIT.ok;
  }
  const width = Math.max(...exported.map((f) => shown(f.path).length));
  io.out(`${id} (${outcome.key ? shortHash(outcome.key) : 'no key'}) -> ${shown(outDir)}\n`);
  for (const f of exported) {
    io.out(
      `  ${shown(f.path).padEnd(width)}  ${f.status.padEnd(9)}  ${shortHash(f.hash)}  ${f.size} bytes\n`,
    );
  }
  return EXIT.ok;
}

/**
 * Why a stage has nothing to export, on stderr: the problems that stopped it or a stage it
 * needs (a data error: exit 2, like the build), or that it has not been built (training, which
 * a plan does not run) or waits for a stage that has not (exit 1: the request was fine, there is
 * just nothing yet). `build` is the command line that would build it.
 */
function reportNoOutputs(
  io: Io,
  outcome: StageOutcome,
  outcomes: ReadonlyMap<StageId, StageOutcome>,
  build: string,
): number {
  const all = [...outcomes.values()];
  const problems = all.flatMap((o) => o.diagnostics ?? []);
  if (problems.length > 0) throw new UserError(problems);
  const failed = all.find((o) => o.failure);
  if (failed?.failure) {
    io.err(`${failed.node.id}: ${failed.failure.message}\n`);
    return failed.failure.exitCode;
  }
  const id = outcome.node.id;
  const waiting = outcome.node.needs.filter((n) => outcomes.get(n)?.result === undefined);
  const why =
    outcome.planStatus === 'pending'
      ? `it needs ${waiting.join(' and ')}, not built for this recipe yet`
      : `it has not been built for this recipe (status: ${outcome.planStatus})`;
  io.err(`${id}: nothing to export: ${why}; run ${build} first\n`);
  return EXIT.buildFailed;
}
