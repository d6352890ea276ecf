import {UserError} from '../core/diagnostic.js';
import {environmentDiagnostics} from '../core/environment-error.js';
import {ftVersion} from '../core/version.js';
import {EXIT} from '../run/exit-code.js';
import {type Io, printDiagnostics} from './io.js';

const HELP = `ft: a content-hashed build system for LLM fine-tunes

Usage: ft <command> [options]

Commands:
  init               write a working recipe and sample data in an empty folder
  validate           check the recipe; every problem at once
  plan [stage...]    what a build would do, and why
  build [stage...]   build what changed, restore the rest
  explain <stage>    one stage's status, reasons, fingerprint and outputs
  graph              the stage graph (--format mermaid|dot|json)
  cache gc           remove what neither the lockfile nor recent builds use
  cache verify       hash every object and record of .ft/; remove and restore damaged ones
  data head <stage>  the first records of a data stage (source:<name>, dataset)
  export <stage>     copy a stage's outputs out of the store as files (--out <dir>)
  doctor             what local training needs (Python, torch, transformers, peft, CUDA)
  cancel <stage>     cancel a train stage's OpenAI job
  report             the last build's report again (--list, --build <id>, --open)

Every command takes -f <recipe> (default ./finetune.yaml); --help on any command for more.
Exit codes: 0 ok, 1 build failed, 2 invalid recipe or usage, 3 eval gate failed, 130 interrupted.
`;

type Command = (args: readonly string[], io: Io) => Promise<number>;

/** Loaded on demand: start-up time is part of every no-op build. */
const COMMANDS: Readonly<Record<string, () => Promise<Command>>> = {
  init: async () => (await import('./commands/init.js')).initCommand,
  validate: async () => (await import('./commands/validate.js')).validateCommand,
  plan: async () => (await import('./commands/plan.js')).planCommand,
  build: async () => (await import('./commands/build.js')).buildCommand,
  explain: async () => (await import('./commands/explain.js')).explainCommand,
  graph: async () => (await import('./commands/graph.js')).graphCommand,
  cache: async () => (await import('./commands/cache.js')).cacheCommand,
  data: async () => (await import('./commands/data.js')).dataCommand,
  export: async () => (await import('./commands/export.js')).exportCommand,
  doctor: async () => (await import('./commands/doctor.js')).doctorCommand,
  cancel: async () => (await import('./commands/cancel.js')).cancelCommand,
  report: async () => (await import('./commands/report.js')).reportCommand,
};

export async function main(argv: readonly string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-v') {
    io.out(`${ftVersion()}\n`);
    return EXIT.ok;
  }
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(HELP);
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const load = COMMANDS[name];
  try {
    if (!load) {
      throw new UserError([
        {code: 'usage', severity: 'error', message: `unknown command '${name}'; see ft --help`},
      ]);
    }
    return await (await load())(rest, io);
  } catch (e) {
    if (e instanceof UserError) {
      printDiagnostics(io, e.diagnostics);
      return EXIT.usage;
    }
    if (io.signal.aborted) return EXIT.interrupted;
    const environment = environmentDiagnostics(e);
    if (environment) {
      printDiagnostics(io, environment);
      return EXIT.buildFailed;
    }
    io.err(
      `ft: unexpected error: ${(e as Error)?.stack ?? String(e)}\nThis is a bug in ft; please report it with the command you ran.\n`,
    );
    return EXIT.buildFailed;
  }
}
