import {EXIT} from '../../run/exit-code.js';
import {checkLocalTraining} from '../../train/doctor.js';
import {parse} from '../args.js';
import type {Io} from '../io.js';

export const DOCTOR_HELP = `Usage: ft doctor [--python <interpreter>] [--json]

Says what local training with the hf trainer needs and what is missing (Python, torch,
transformers, peft; accelerate and bitsandbytes where asked for; CUDA devices), each missing
piece with the command that fixes it. Installs nothing. Exit 0 when everything required is
there, 1 when something is missing.

Options:
      --python <path>   the interpreter to check (default python3; a venv's is best)
      --json            the checks as JSON on stdout
  -h, --help
`;

export async function doctorCommand(args: readonly string[], io: Io): Promise<number> {
  const {values} = parse('doctor', args, {
    python: {type: 'string', default: 'python3'},
    json: {type: 'boolean', default: false},
    help: {type: 'boolean', short: 'h', default: false},
  });
  if (values.help) {
    io.out(DOCTOR_HELP);
    return EXIT.ok;
  }
  const checks = await checkLocalTraining(values.python);
  const ready = checks.every((c) => c.ok || c.optional);
  if (values.json) {
    io.out(`${JSON.stringify({ready, checks})}\n`);
    return ready ? EXIT.ok : EXIT.buildFailed;
  }
  const width = Math.max(...checks.map((c) => c.name.length));
  for (const c of checks) {
    const mark = c.ok ? 'ok     ' : c.optional ? 'absent ' : 'MISSING';
    io.out(`${mark}  ${c.name.padEnd(width)}  ${c.found}\n`);
    if (!c.ok && c.fix) io.out(`${' '.repeat(9 + width + 2)}fix: ${c.fix}\n`);
  }
  io.out(
    ready
      ? 'local training with the hf trainer has what it needs\n'
      : 'local training with the hf trainer is missing something required (above)\n',
  );
  return ready ? EXIT.ok : EXIT.buildFailed;
}
