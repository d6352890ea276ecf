import type {PlanStatus} from '../../console/events.js';
import {formatWhy} from '../../console/format-why.js';
import {stageDetails} from '../../console/stage-details.js';
import {execPolicy} from '../../core/exec-policy.js';
import {shortHash} from '../../core/hash.js';
import type {StageId} from '../../plan/stage-id.js';
import type {StageOutcome} from '../../run/executor.js';
import {EXIT} from '../../run/exit-code.js';
import {runSession, type SessionResult} from '../../run/session.js';
import {EXEC_OPTIONS, NO_EXEC_HELP, parse, RECIPE_OPTIONS} from '../args.js';
import {type Io, printDiagnostics} from '../io.js';
import {resolveRecipe} from '../load-or-report.js';

export const PLAN_HELP = `Usage: ft plan [stage ...] [options]

Shows what \`ft build\` would do, stage by stage, and why. Computes the data stages (into .ft/,
never into the lockfile) so every key, statistic and estimate up to training is known.

Options:
  -f, --file <recipe>     recipe file (default: finetune.yaml)
      --set <path>=<v>    override a recipe value for this plan
      --json              one JSON document on stdout
${NO_EXEC_HELP}
  -h, --help
`;

/** One stage as `ft plan --json` shows it (the contract in the README). */
export interface PlannedStage {
  readonly id: string;
  readonly kind: string;
  readonly key: string | null;
  readonly status: PlanStatus;
  readonly why: readonly {readonly what: string; readonly from: unknown; readonly to: unknown}[];
  readonly needs: readonly string[];
  readonly outputs?: Readonly<Record<string, string>>;
  readonly summary?: Readonly<Record<string, unknown>>;
}

export function plannedStage(o: StageOutcome): PlannedStage {
  return {
    id: o.node.id,
    kind: o.node.kind,
    key: o.key,
    status: o.planStatus,
    why: o.why,
    needs: o.node.needs,
    ...o.preflight?.fields,
    ...(o.preflight?.warnings.length ? {warnings: o.preflight.warnings} : {}),
    ...(o.result
      ? {
          outputs: Object.fromEntries(
            Object.entries(o.result.outputs).map(([name, a]) => [name, a.hash]),
          ),
          summary: o.result.summary,
        }
      : {}),
  };
}

/**
 * A plan of `only` (with what it needs): shared by plan, explain, data head and export. Under
 * `--no-exec` a recipe with code to run or a URL to fetch is refused (exit 2) before anything is
 * computed or written.
 */
export async function planSession(
  io: Io,
  values: {file: string; set: string[]; 'no-exec': boolean},
  only: readonly string[],
): Promise<SessionResult> {
  const exec = execPolicy(values['no-exec']);
  const loaded = await resolveRecipe(io, values.file, values.set, exec);
  return runSession({
    exec,
    loaded,
    mode: 'plan',
    only: only as StageId[],
    frozen: false,
    writeLockfile: false,
    signal: io.signal,
    // What the store found damaged or distrusted is news whatever the command.
    emit: (event) => {
      if (event.event === 'diagnostic' && event.code === 'store') {
        printDiagnostics(io, [{code: 'store', severity: event.severity, message: event.message}]);
      }
    },
    onWait: (holder) => io.err(`waiting for another ft process to finish: ${holder}\n`),
  });
}

export async function planCommand(args: readonly string[], io: Io): Promise<number> {
  const {values, positionals} = parse(
    'plan',
    args,
    {...RECIPE_OPTIONS, ...EXEC_OPTIONS, set: {type: 'string', multiple: true, default: []}},
    true,
  );
  if (values.help) {
    io.out(PLAN_HELP);
    return EXIT.ok;
  }
  const result = await planSession(io, values, positionals);
  const stages = [...result.outcomes.values()];
  const problems = stages.flatMap((o) => o.diagnostics ?? []);
  if (values.json) {
    io.out(`${JSON.stringify({stages: stages.map(plannedStage)}, null, 2)}\n`);
  } else {
    const width = Math.max(...stages.map((o) => o.node.id.length));
    for (const o of stages) {
      const key = o.key ? shortHash(o.key) : '';
      io.out(`${`${o.node.id.padEnd(width)}  ${o.planStatus.padEnd(7)}  ${key}`.trimEnd()}\n`);
      for (const w of o.why) io.out(`${' '.repeat(width + 2)}${formatWhy(w)}\n`);
      for (const line of stageDetails(o.node.kind, o.result?.summary, o.preflight))
        io.out(`${' '.repeat(width + 2)}${line}\n`);
      if (o.failure && o.failure.reason !== 'bad-input') {
        io.err(`${o.node.id}: ${o.failure.message}\n`);
      }
    }
  }
  printDiagnostics(io, problems);
  return result.exitCode;
}
