import {existsSync, readdirSync, readFileSync, realpathSync} from 'node:fs';
import {mkdir, readFile, writeFile} from 'node:fs/promises';
import {dirname, join, relative} from 'node:path';
import {fileURLToPath} from 'node:url';
import {error, UserError} from '../../core/diagnostic.js';
import {EXIT} from '../../run/exit-code.js';
import {parse} from '../args.js';
import type {Io} from '../io.js';

export const INIT_HELP = `Usage: ft init [options]

Writes a working recipe (finetune.yaml), sample data (data/qa.jsonl) and .gitignore lines for .ft/
and ft-report/ into the current folder, which must not already hold a recipe.

Options:
  -f, --file <recipe>     recipe file to create (default: finetune.yaml)
  -h, --help
`;

const SAMPLE: readonly [string, string][] = [
  ['What is the capital of France?', 'Paris'],
  ['What is the capital of Japan?', 'Tokyo'],
  ['What is the capital of Canada?', 'Ottawa'],
  ['What is the capital of Australia?', 'Canberra'],
  ['What is the capital of Kenya?', 'Nairobi'],
  ['What is the capital of Brazil?', 'Brasília'],
  ['What is the capital of Norway?', 'Oslo'],
  ['What is the capital of Egypt?', 'Cairo'],
  ['What is the capital of Peru?', 'Lima'],
  ['What is the capital of Vietnam?', 'Hanoi'],
  ['How many centimetres are in a metre?', '100'],
  ['How many grams are in a kilogram?', '1000'],
  ['How many minutes are in an hour?', '60'],
  ['How many days are in a leap year?', '366'],
  ['How many sides does a hexagon have?', '6'],
  ['What is the chemical symbol for gold?', 'Au'],
  ['What is the chemical symbol for sodium?', 'Na'],
  ['What is the boiling point of water at sea level in Celsius?', '100'],
  ['What planet is closest to the Sun?', 'Mercury'],
  ['What is the largest ocean on Earth?', 'The Pacific Ocean'],
];

export async function initCommand(args: readonly string[], io: Io): Promise<number> {
  const {values} = parse('init', args, {
    file: {type: 'string', short: 'f', default: 'finetune.yaml'},
    help: {type: 'boolean', short: 'h', default: false},
  });
  if (values.help) {
    io.out(INIT_HELP);
    return EXIT.ok;
  }
  const recipe = join(io.cwd, values.file);
  const data = join(io.cwd, 'data', 'qa.jsonl');
  const clash = [recipe, data].filter((p) => existsSync(p));
  if (clash.length > 0) {
    throw new UserError([
      error(
        'usage',
        `ft init will not overwrite ${clash.map((p) => relative(io.cwd, p)).join(', ')}`,
        undefined,
        readdirSync(io.cwd).length > 0 ? 'run it in an empty folder' : undefined,
      ),
    ]);
  }
  const schema = schemaPath(dirname(recipe));
  await writeFile(
    recipe,
    `# yaml-language-server: $schema=${schema}
# An ft recipe: sources -> transforms -> (backend, hyperparameters) -> eval.
# \`ft plan\` shows what \`ft build\` would do and why; \`ft build\` does it.
version: 1
name: capitals-and-units
seed: 0
sources:
  qa: { path: data/qa.jsonl }
transforms:
  - template:
      system: Answer in as few words as possible.
      user: "{{prompt}}"
      assistant: "{{response}}"
  - split: { validation: 0.2 }
# ft's embedded trainer: a small model trained from scratch on the CPU, in seconds. For a
# pretrained model, use trainer: hf (transformers + peft, on a GPU) or type: openai.
backend: { type: local, trainer: embedded, model: "embedded:tiny" }
hyperparameters: { n_epochs: 40, batch_size: 4, learning_rate: 0.005 }
# The tuned model and its untrained base answer; a smoke check on the training examples (with
# more data, evaluate held-out ones: add test to the split and set dataset: test).
eval:
  dataset: train
  models: [tuned, base]
  metrics: [exact_match, chrf]
  generation: { max_tokens: 32 }
  gates:
    - { metric: chrf, better: tuned, than: base }
`,
  );
  await mkdir(join(io.cwd, 'data'), {recursive: true});
  await writeFile(
    data,
    SAMPLE.map(([prompt, response]) => `${JSON.stringify({prompt, response})}\n`).join(''),
  );
  const ignored = await ignoreInGit(join(io.cwd, '.gitignore'));
  io.out(
    `wrote ${values.file}, data/qa.jsonl${ignored ? ` and ${ignored}` : ''}\nnext: ft plan, then ft build\n`,
  );
  return EXIT.ok;
}

/** This package's folder: where Node runs it from, the real path even when npm linked it. */
const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SCHEMA = join('schemas', 'finetune.schema.json');

/**
 * The schema's path as the recipe at `recipeDir` names it, relative to that folder. Through
 * `node_modules/<package>/` when the project around the recipe has this package installed
 * there, even as a link (npm links a package installed from a folder, and Node then runs it
 * from the link's real target, a path that belongs to another checkout and breaks when the
 * project moves); the package's real folder otherwise (ft run from its own checkout).
 */
function schemaPath(recipeDir: string): string {
  const name = (
    JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as {name: string}
  ).name;
  const real = realpathSync(PACKAGE_ROOT);
  for (let dir = recipeDir; ; dir = dirname(dir)) {
    const installed = join(dir, 'node_modules', name);
    if (realpathOrUndefined(installed) === real)
      return relative(recipeDir, join(installed, SCHEMA));
    if (dirname(dir) === dir) return relative(recipeDir, join(PACKAGE_ROOT, SCHEMA));
  }
}

function realpathOrUndefined(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

/** What ft writes beside a recipe and git should not track: the store and the build reports. */
const IGNORED = ['.ft/', 'ft-report/'];

/**
 * Adds the store and the report folder to .gitignore (made if missing, appended to if not);
 * says what it did, or undefined when both were there already.
 */
async function ignoreInGit(path: string): Promise<string | undefined> {
  const text = existsSync(path) ? await readFile(path, 'utf8') : undefined;
  const have = new Set((text ?? '').split(/\r?\n/).map((l) => l.trim().replace(/^\//, '')));
  const missing = IGNORED.filter((p) => !have.has(p) && !have.has(p.slice(0, -1)));
  if (missing.length === 0) return undefined;
  if (text === undefined) {
    await writeFile(path, missing.map((p) => `${p}\n`).join(''));
    return '.gitignore';
  }
  const sep = text === '' || text.endsWith('\n') ? '' : '\n';
  await writeFile(path, `${text}${sep}${missing.map((p) => `${p}\n`).join('')}`);
  return `${missing.join(' and ')} in .gitignore`;
}
