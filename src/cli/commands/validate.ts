import {diagnosticEvent} from '../../console/events.js';
import {UserError} from '../../core/diagnostic.js';
import {execPolicy} from '../../core/exec-policy.js';
import {EXIT} from '../../run/exit-code.js';
import {EXEC_OPTIONS, parse, RECIPE_OPTIONS} from '../args.js';
import type {Io} from '../io.js';
import {loadOrThrow} from '../load-or-report.js';

export const VALIDATE_HELP = `Usage: ft validate [options]

Checks the recipe against the schema and ft's rules and reports every problem at once.
Reads no data beyond checking that source files exist. Exit 0 when valid, 2 when not.

Options:
  -f, --file <recipe>     recipe file (default: finetune.yaml)
      --set <path>=<v>    validate with an override applied
      --json              {"ok": bool, "diagnostics": [...]} on stdout
      --no-exec           report each js and command step and URL fetch as an error, as
                          plan and build under --no-exec refuse them (also FT_NO_EXEC=1);
                          validate itself never runs recipe code
  -h, --help
`;

export async function validateCommand(args: readonly string[], io: Io): Promise<number> {
  const {values} = parse('validate', args, {
    ...RECIPE_OPTIONS,
    ...EXEC_OPTIONS,
    set: {type: 'string', multiple: true, default: []},
  });
  if (values.help) {
    io.out(VALIDATE_HELP);
    return EXIT.ok;
  }
  try {
    const exec = execPolicy(values['no-exec']);
    const loaded = await loadOrThrow(io, values.file, values.set, exec);
    const n = loaded.normalized;
    if (values.json) io.out(`${JSON.stringify({ok: true, diagnostics: []})}\n`);
    else {
      io.out(
        `${loaded.source.file}: valid (${n.sources.length} source(s), ${n.transforms.length} transform(s), ${n.targets.length} target(s))${exec.allowed ? '' : `; no code to run, nothing to fetch (${exec.refusedBy})`}\n`,
      );
    }
    return EXIT.ok;
  } catch (e) {
    if (!(e instanceof UserError) || !values.json) throw e;
    const diagnostics = e.diagnostics.map((d) => diagnosticEvent(d));
    io.out(`${JSON.stringify({ok: false, diagnostics})}\n`);
    return EXIT.usage;
  }
}
