import {readFileSync} from 'node:fs';
import {relative, resolve} from 'node:path';
import {pathToFileURL} from 'node:url';
import {sha256} from '../../core/hash.js';
import {StageFailure} from '../../core/stage-failure.js';
import type {Example} from '../records/example.js';
import type {TransformContext, TransformStep} from './transform.js';

export interface JsStepOptions {
  readonly module: string;
  readonly function: string;
  readonly options: Readonly<Record<string, unknown>>;
  readonly seed: number;
}

/** What the user's function may return for one record. */
type Returned = Record<string, unknown> | Record<string, unknown>[] | null | undefined;

/**
 * What the user's function receives besides the record: everything in it is part of the
 * dataset's key (options, the recipe's seed) or fixed by the data (where the record is: its
 * source, its file relative to the recipe, its line), so the output never depends on anything
 * the key does not see, such as the folder ft was run from.
 */
interface UserContext {
  readonly options: unknown;
  readonly seed: number;
  readonly origin: {readonly source?: string; readonly file: string; readonly line: number};
}
type UserFunction = (
  record: Record<string, unknown>,
  context: UserContext,
) => Returned | Promise<Returned>;

/**
 * Runs the named export of a user module on every record: it returns a record, a list of
 * records, or null to drop it, possibly asynchronously. The module is imported with its content
 * hash in the URL, so an edited module is loaded afresh. A throw is a data error at the record.
 */
export function jsTransform(options: JsStepOptions, ctx: TransformContext): TransformStep {
  let fn: UserFunction | undefined;
  let seen = 0;
  let out = 0;
  let dropped = 0;
  const load = async (): Promise<UserFunction> => {
    if (fn) return fn;
    const path = resolve(ctx.dir, options.module);
    const url = `${pathToFileURL(path).href}?ft=${sha256(readFileSync(path)).slice(7, 23)}`;
    let mod: Record<string, unknown>;
    try {
      mod = (await import(url)) as Record<string, unknown>;
    } catch (e) {
      throw new StageFailure(
        'bad-input',
        `cannot load ${options.module}: ${(e as Error)?.message ?? e}`,
      );
    }
    const exported = mod[options.function];
    if (typeof exported !== 'function') {
      throw new StageFailure(
        'bad-input',
        `${options.module} has no exported function '${options.function}' (transforms: js.function)`,
      );
    }
    fn = exported as UserFunction;
    return fn;
  };
  return {
    name: 'js',
    async process(batch) {
      const run = await load();
      const kept: Example[] = [];
      for (const example of batch) {
        seen++;
        let result: Returned;
        try {
          result = await run(example.record, {
            options: options.options,
            seed: options.seed,
            origin: {
              ...(example.origin.source !== undefined ? {source: example.origin.source} : {}),
              file: recipeRelative(ctx.dir, example.origin.file),
              line: example.origin.line,
            },
          });
        } catch (e) {
          ctx.problems.add(
            example.origin,
            `js ${options.module}: ${(e as Error)?.message ?? String(e)}`,
          );
          continue;
        }
        if (result === null || result === undefined) {
          dropped++;
          continue;
        }
        let made = 0;
        for (const record of Array.isArray(result) ? result : [result]) {
          if (record === null || typeof record !== 'object' || Array.isArray(record)) {
            ctx.problems.add(
              example.origin,
              `js ${options.module}: returned a ${Array.isArray(record) ? 'list inside a list' : typeof record}, not a record`,
            );
            continue;
          }
          // The records one record becomes keep its identity (and so its split); the k-th
          // extra one is told apart by `.k`.
          kept.push({
            record,
            origin: example.origin,
            id: made === 0 ? example.id : `${example.id}.${made}`,
            ...(example.group !== undefined ? {group: example.group} : {}),
          });
          made++;
        }
      }
      out += kept.length;
      return kept;
    },
    summary: () => ({in: seen, out, dropped: {'returned null': dropped}}),
  };
}

/** A record's file relative to the recipe (URLs and command outputs as they are). */
function recipeRelative(dir: string, file: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(file) || file.startsWith('command ')) return file;
  return relative(dir, resolve(file)).replaceAll('\\', '/');
}
