import {type ParseArgsConfig, parseArgs} from 'node:util';
import {error, UserError} from '../core/diagnostic.js';

/** Options every recipe command takes. */
export const RECIPE_OPTIONS = {
  file: {type: 'string', short: 'f', default: 'finetune.yaml'},
  json: {type: 'boolean', default: false},
  help: {type: 'boolean', short: 'h', default: false},
} as const satisfies ParseArgsConfig['options'];

/**
 * `--no-exec`, for the commands that would run recipe code or fetch (validate, plan, build,
 * explain, data head, export): see core/exec-policy.ts.
 */
export const EXEC_OPTIONS = {
  'no-exec': {type: 'boolean', default: false},
} as const satisfies ParseArgsConfig['options'];

/** The line of `--no-exec` in those commands' --help. */
export const NO_EXEC_HELP = `      --no-exec           refuse js and command steps and URL fetches (exit 2): for recipes
                          you do not trust, such as CI on an outside pull request; also
                          FT_NO_EXEC=1`;

/** node:util parseArgs, with its errors turned into usage diagnostics (exit 2). */
export function parse<T extends NonNullable<ParseArgsConfig['options']>>(
  command: string,
  args: readonly string[],
  options: T,
  positionals = false,
) {
  try {
    return parseArgs({args: [...args], options, allowPositionals: positionals, strict: true});
  } catch (e) {
    throw new UserError([
      error(
        'usage',
        `ft ${command}: ${(e as Error).message}`,
        undefined,
        `see ft ${command} --help`,
      ),
    ]);
  }
}

/**
 * `ft <words>` as a line to paste into a shell, with the recipe and overrides a command was
 * given (`-f` only when it is not the default), so a hint names the same variation of the recipe.
 */
export function ftCommandLine(
  words: readonly string[],
  recipe: {readonly file: string; readonly set: readonly string[]},
): string {
  const all = [
    'ft',
    ...words,
    ...(recipe.file === RECIPE_OPTIONS.file.default ? [] : ['-f', recipe.file]),
    ...recipe.set.flatMap((s) => ['--set', s]),
  ];
  return all.map(shellWord).join(' ');
}

/** A word as a POSIX shell reads it back: bare when it is safe, else single-quoted. */
function shellWord(word: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}
