import {readFileSync} from 'node:fs';
import {dirname, relative, resolve} from 'node:path';
import {type Alias, Document, isMap, LineCounter, parseAllDocuments, visit} from 'yaml';
import {type Diagnostic, error, locationInText} from '../core/diagnostic.js';
import {fail, ok, type Result} from '../core/result.js';
import {checkExec, type ExecCheck} from './exec-rules.js';
import {locate} from './locate.js';
import {normalizeRecipe, type ResolvedRecipe} from './normalized.js';
import {applyOverrides, parseOverrides} from './overrides.js';
import type {Override, RecipeText} from './recipe-text.js';
import type {Recipe} from './recipe-types.js';
import {checkRules} from './rules.js';
import {validateAgainstSchema} from './validate.js';

/** A recipe that passed every check, with what is needed to point later diagnostics at it. */
export interface LoadedRecipe extends ResolvedRecipe {
  readonly source: RecipeText;
  /** The data as validated: the file's content with `--set` overrides applied. */
  readonly recipe: Recipe;
  readonly overrides: readonly Override[];
}

export interface LoadOptions {
  /** `--set <path>=<value>` arguments. */
  readonly set?: readonly string[];
  /** For showing the file relative to where the user is. */
  readonly cwd?: string;
  /**
   * Under `--no-exec`: the recipe's code and fetches are errors at their place (checkExec).
   * Absent, or with an allowing policy, they are not checked.
   */
  readonly exec?: ExecCheck;
}

/**
 * Reads, parses and validates a recipe. Returns every problem found (YAML syntax, duplicate
 * keys, schema, rules, overrides, and under `--no-exec` the code it would run), never just the
 * first.
 */
export function loadRecipe(
  file: string,
  options: LoadOptions = {},
): Result<LoadedRecipe, Diagnostic[]> {
  const cwd = options.cwd ?? process.cwd();
  const path = resolve(cwd, file);
  const shown = relative(cwd, path).startsWith('..') ? path : relative(cwd, path) || file;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(e);
    return fail([error('missing-file', `cannot read recipe ${shown}: ${reason}`)]);
  }

  const parsed = parseOverrides(options.set ?? []);
  if (!parsed.ok) return parsed;
  const overrides = parsed.value;

  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, {lineCounter, uniqueKeys: true, prettyErrors: false});
  const all = Array.isArray(docs) ? docs : [];
  if (all.length === 0) {
    return fail([error('schema', 'the recipe is empty', {file: shown, line: 1, col: 1})]);
  }
  const doc = all[0]!;
  const problems: Diagnostic[] = [];
  for (const e of doc.errors) {
    const [start, end] = e.pos;
    const isDuplicate = e.code === 'DUPLICATE_KEY';
    const key = /^[^:\n]*/.exec(text.slice(start))?.[0]?.trim() || text.slice(start, end);
    const message = isDuplicate
      ? `duplicate key '${key}'`
      : `YAML syntax: ${e.message.split('\n')[0]}`;
    problems.push(
      error(
        isDuplicate ? 'duplicate-key' : 'yaml-syntax',
        message,
        locationInText(shown, text, start, isDuplicate ? start + key.length : end),
      ),
    );
  }
  for (const extra of all.slice(1)) {
    const start = extra.range[0];
    problems.push(
      error(
        'yaml-syntax',
        'a recipe is one YAML document; found another after ---',
        locationInText(shown, text, start, start + 3),
      ),
    );
  }
  // Syntax errors make the tree unreliable; duplicate keys alone do not, so schema checks
  // still run and the user sees everything in one go.
  if (problems.some((p) => p.code === 'yaml-syntax')) return fail(problems);

  const lenient = problems.length > 0 ? reparseLeniently(text, lineCounter) : doc;
  const source: RecipeText = {file: shown, text, doc: lenient, overrides};
  if (!isMap(lenient.contents)) {
    problems.push(
      error(
        'schema',
        'the recipe must be a mapping of keys (version, name, sources, ...)',
        locationInText(shown, text, 0, Math.max(1, text.indexOf('\n'))),
      ),
    );
    return fail(problems);
  }
  const data = toData(lenient, shown, text);
  if (!data.ok) return fail([...problems, ...data.error]);
  const applied = applyOverrides(data.value, overrides);
  if (!applied.ok) return fail([...problems, ...applied.error]);
  const value = applied.value;

  const dir = dirname(path);
  problems.push(
    ...validateAgainstSchema(source, value),
    ...checkRules(source, value, dir),
    ...(options.exec ? checkExec(source, value, options.exec) : []),
  );
  if (problems.length > 0) return fail(sortByPosition(problems));
  const recipe = value as Recipe;
  const normalized = normalizeRecipe(recipe, {
    dir,
    file: shown,
    exampleLines: exampleLines(source, recipe),
  });
  return ok({path, source, recipe, normalized, overrides});
}

/**
 * How many times aliases may be expanded in all, counted as the yaml library counts: an alias
 * whose anchor holds aliases counts as all of them. Far more than a recipe needs to share a few
 * values; far fewer than a "billion laughs" (ten lines of aliases of aliases that expand to
 * gigabytes) takes.
 */
const MAX_ALIAS_COUNT = 1000;

/**
 * The document as plain data, or a diagnostic at the alias that cannot be expanded: past
 * MAX_ALIAS_COUNT, or with no anchor of its name before it. The yaml library throws for those
 * without saying which alias, so each alias of this document notes itself when it throws.
 */
function toData(doc: Document.Parsed, shown: string, text: string): Result<unknown, Diagnostic[]> {
  let culprit: Alias | undefined;
  visit(doc, {
    Alias(_key, alias) {
      const toJSON = alias.toJSON.bind(alias);
      alias.toJSON = (arg, ctx) => {
        try {
          return toJSON(arg, ctx);
        } catch (e) {
          culprit ??= alias; // the innermost alias that failed
          throw e;
        }
      };
    },
  });
  try {
    return ok(doc.toJS({maxAliasCount: MAX_ALIAS_COUNT}));
  } catch (e) {
    if (!(e instanceof ReferenceError) || culprit === undefined) throw e;
    const [start, end] = culprit.range ?? [0, 1];
    const name = culprit.source;
    const message = e.message.startsWith('Excessive alias count')
      ? `alias *${name} takes the recipe past ${MAX_ALIAS_COUNT} alias expansions (an alias of an anchor that holds aliases counts as all of them), the limit that keeps a few lines of YAML from expanding to gigabytes ("billion laughs"); write the values out, or alias less deeply`
      : e.message.startsWith('Unresolved alias')
        ? `alias *${name} has no anchor &${name} before it`
        : `alias *${name}: ${e.message}`;
    return fail([error('yaml-syntax', message, locationInText(shown, text, start, end))]);
  }
}

/** The line of each inline example in the recipe, so data messages can point at it. */
function exampleLines(source: RecipeText, recipe: Recipe): Record<string, number[]> {
  const lines: Record<string, number[]> = {};
  for (const [name, s] of Object.entries(recipe.sources)) {
    if (!s.examples) continue;
    lines[name] = s.examples.map((_, i) => {
      const span = locate(source.doc, source.text, ['sources', name, 'examples', i]);
      return locationInText(source.file, source.text, span.start, span.end).line;
    });
  }
  return lines;
}

/** File order, then `--set` arguments: the order a person reads them in. */
function sortByPosition(problems: Diagnostic[]): Diagnostic[] {
  const rank = (d: Diagnostic) =>
    d.location ? (d.location.file === '--set' ? 1e12 : d.location.line * 1e6 + d.location.col) : 0;
  return problems
    .map((d, i) => [d, i] as const)
    .sort((a, b) => rank(a[0]) - rank(b[0]) || a[1] - b[1])
    .map(([d]) => d);
}

/** The same document without the duplicate-key check (the last value wins, as in YAML 1.1). */
function reparseLeniently(text: string, lineCounter: LineCounter): Document.Parsed {
  const docs = parseAllDocuments(text, {lineCounter, uniqueKeys: false, prettyErrors: false});
  const first = Array.isArray(docs) ? docs[0] : undefined;
  return first ?? (new Document() as Document.Parsed);
}
