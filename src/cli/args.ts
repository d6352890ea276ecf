import {type ParseArgsConfig, parseArgs} from 'node:util';
import {error, UserError} from '../core/diagnostic.js';

/** Options every recipe command takes. */
export const RECIPE_OPTIONS = {
  file: {type: 'string', short: 'f', default: 'finetune.yaml'},
  json: {type: 'boolean', default: false},
  help: {type: 'boolean', short: 'h', default: false},
} as const satisfies ParseArgsConfig['options'];

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
