import {resolve} from 'node:path';
import {fileSetNote, formatWhy} from '../../console/format-why.js';
import {stableJson} from '../../core/canonical-json.js';
import {error, UserError} from '../../core/diagnostic.js';
import {EXIT} from '../../run/exit-code.js';
import {storeBeside} from '../../run/session.js';
import {EXEC_OPTIONS, ftCommandLine, NO_EXEC_HELP, parse, RECIPE_OPTIONS} from '../args.js';
import type {Io} from '../io.js';
import {plannedStage, planSession} from './plan.js';

export const EXPLAIN_HELP = `Usage: ft explain <stage> [options]

Explains one stage: what a build would do with it and why (every fingerprint value that differs
from the lockfile, old and new), its full fingerprint, its inputs and its outputs, with the
path of each output's object in the store (read-only, named by its sha256; ft export copies
them out as files).

Options:
  -f, --file <recipe>     recipe file (default: finetune.yaml)
      --set <path>=<v>    override a recipe value
      --json              one JSON document on stdout
${NO_EXEC_HELP}
  -h, --help
`;

export async function explainCommand(args: readonly string[], io: Io): Promise<number> {
  const {values, positionals} = parse(
    'explain',
    args,
    {...RECIPE_OPTIONS, ...EXEC_OPTIONS, set: {type: 'string', multiple: true, default: []}},
    true,
  );
  if (values.help) {
    io.out(EXPLAIN_HELP);
    return EXIT.ok;
  }
  if (positionals.length !== 1) {
    throw new UserError([
      error('usage', 'ft explain takes exactly one stage, e.g. ft explain dataset'),
    ]);
  }
  const id = positionals[0]!;
  const result = await planSession(io, values, [id]);
  const outcome = result.outcomes.get(id as never);
  if (!outcome) throw new Error(`stage ${id} was not planned`);
  const locked = result.lockfile.stages[id];
  const store = storeBeside(resolve(io.cwd, values.file));
  const stage = {
    ...plannedStage(outcome),
    locked_key: locked?.key ?? null,
    fingerprint: outcome.fingerprint,
    // Where each output's bytes are: an object of the store, read-only and named by its hash.
    ...(outcome.result
      ? {
          output_paths: Object.fromEntries(
            Object.entries(outcome.result.outputs).map(([name, a]) => [
              name,
              store.objectPath(a.hash),
            ]),
          ),
        }
      : {}),
  };
  if (values.json) {
    io.out(stableJson(stage));
    return result.exitCode;
  }
  const lines = [
    `${stage.id} (${stage.kind})`,
    `  status:  ${stage.status}${stage.status === 'pending' ? ' (waits for a stage that has to run first)' : ''}`,
    `  key:     ${stage.key ?? '(unknown until upstream stages run)'}`,
    `  locked:  ${stage.locked_key ?? '(not in the lockfile)'}`,
  ];
  if (stage.needs.length > 0) lines.push(`  needs:   ${stage.needs.join(', ')}`);
  if (stage.why.length > 0) {
    lines.push('  why:');
    for (const w of stage.why) {
      lines.push(`    ${w.what}`);
      if (w.what === 'stage' || w.what === 'outputs') lines.push(`      ${formatWhy(w)}`);
      else {
        lines.push(`      was: ${JSON.stringify(w.from)}`);
        lines.push(`      now: ${JSON.stringify(w.to)}`);
        const note = fileSetNote(w);
        if (note !== undefined) lines.push(`      files: ${note}`);
      }
    }
  }
  if (stage.fingerprint) {
    lines.push('  fingerprint:');
    for (const l of stableJson(stage.fingerprint).trimEnd().split('\n')) lines.push(`    ${l}`);
  }
  if (stage.outputs) {
    lines.push('  outputs:  (read-only objects in the store, each named by its sha256)');
    for (const [name, hash] of Object.entries(stage.outputs)) {
      lines.push(`    ${name}  ${hash}`);
      lines.push(`      ${stage.output_paths?.[name]}`);
    }
    lines.push(`  export:  ${ftCommandLine(['export', id], values)} --out <dir>`);
  }
  if (outcome.failure) lines.push(`  failed:  ${outcome.failure.message}`);
  io.out(`${lines.join('\n')}\n`);
  return result.exitCode;
}
