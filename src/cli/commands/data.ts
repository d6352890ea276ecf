import {createReadStream} from 'node:fs';
import {dirname, resolve} from 'node:path';
import {createInterface} from 'node:readline';
import {error, UserError} from '../../core/diagnostic.js';
import type {Sha256} from '../../core/hash.js';
import {DataProblems} from '../../data/records/data-error.js';
import {canonicalRecord} from '../../data/records/identity.js';
import {readRecords} from '../../data/records/read-records.js';
import type {SourceManifest} from '../../data/sources/manifest.js';
import {SPLIT_FILES} from '../../data/splits.js';
import {EXIT} from '../../run/exit-code.js';
import {storeBeside} from '../../run/session.js';
import {EXEC_OPTIONS, NO_EXEC_HELP, parse, RECIPE_OPTIONS} from '../args.js';
import type {Io} from '../io.js';
import {planSession} from './plan.js';

export const DATA_HELP = `Usage: ft data head <stage> [-n N] [--split train|validation|test] [options]

Prints the first records of a data stage's output, one JSON object per line: for source:<name>
the records as read from the source, for dataset the examples of a split (default train).
Computes the stage first if needed (like ft plan; never writes the lockfile).

Options:
  -f, --file <recipe>     recipe file (default: finetune.yaml)
      --set <path>=<v>    override a recipe value for this command
  -n <N>                  how many records (default 5)
      --split <name>      dataset split (default train)
${NO_EXEC_HELP}
  -h, --help
`;

export async function dataCommand(args: readonly string[], io: Io): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '--help' || sub === '-h') {
    io.out(DATA_HELP);
    return sub === undefined ? EXIT.usage : EXIT.ok;
  }
  if (sub !== 'head')
    throw new UserError([error('usage', `unknown data command '${sub}' (known: head)`)]);
  const {values, positionals} = parse(
    'data head',
    rest,
    {
      ...RECIPE_OPTIONS,
      ...EXEC_OPTIONS,
      set: {type: 'string', multiple: true, default: []},
      n: {type: 'string', short: 'n', default: '5'},
      split: {type: 'string', default: 'train'},
    },
    true,
  );
  if (values.help) {
    io.out(DATA_HELP);
    return EXIT.ok;
  }
  const count = Number(values.n);
  if (positionals.length !== 1 || !Number.isInteger(count) || count < 0) {
    throw new UserError([error('usage', 'usage: ft data head <stage> [-n N] [--split NAME]')]);
  }
  const id = positionals[0]!;
  if (!id.startsWith('source:') && id !== 'dataset') {
    throw new UserError([
      error('usage', `ft data head shows data stages (source:<name>, dataset), not ${id}`),
    ]);
  }
  const split = values.split as keyof typeof SPLIT_FILES;
  if (!(split in SPLIT_FILES)) {
    throw new UserError([
      error('usage', `--split must be train, validation or test, got '${values.split}'`),
    ]);
  }
  const result = await planSession(io, values, [id]);
  const outcome = result.outcomes.get(id as never);
  if (!outcome?.result) {
    if (outcome?.diagnostics?.length) throw new UserError(outcome.diagnostics);
    io.err(`${id}: ${outcome?.failure?.message ?? 'not computed'}\n`);
    return result.exitCode || EXIT.buildFailed;
  }
  const recipePath = resolve(io.cwd, values.file);
  const store = storeBeside(recipePath);
  let printed = 0;
  if (id === 'dataset') {
    const output = outcome.result.outputs[SPLIT_FILES[split]];
    if (!output) {
      throw new UserError([
        error(
          'usage',
          `the dataset has no ${split} split (outputs: ${Object.keys(outcome.result.outputs).join(', ')})`,
        ),
      ]);
    }
    const lines = createInterface({
      input: createReadStream(store.objectPath(output.hash), 'utf8'),
      crlfDelay: Infinity,
    });
    for await (const line of lines) {
      if (printed++ >= count) break;
      io.out(`${line}\n`);
    }
    lines.close();
    return EXIT.ok;
  }
  const manifest = JSON.parse(
    store.readObjectText(outcome.result.outputs['manifest.json']!.hash),
  ) as SourceManifest;
  const problems = new DataProblems([manifest.name]);
  const dir = dirname(recipePath);
  for (const file of manifest.files) {
    const path = file.stored ? store.objectPath(file.sha256 as Sha256) : resolve(dir, file.path);
    for await (const batch of readRecords(
      {...file, path, shown: file.path, source: manifest.name},
      problems,
    )) {
      for (const example of batch) {
        if (printed >= count) return EXIT.ok;
        // A record without canonical JSON (1e400, nested too deeply) is left out like the
        // source's other bad records; the dataset stage reports them.
        const line = canonicalRecord(example, problems);
        if (line === undefined) continue;
        printed++;
        io.out(`${line}\n`);
      }
    }
  }
  return EXIT.ok;
}
