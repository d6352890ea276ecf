import {existsSync} from 'node:fs';
import {resolve} from 'node:path';
import {globFiles, isGlob} from '../../core/glob.js';
import type {Sha256} from '../../core/hash.js';
import {formatFromName, type NormalizedSource} from '../../recipe/normalized.js';
import type {DataContext} from '../context.js';
import {delimiterFor, type SourceFile} from './manifest.js';
import {sourceProblem} from './problem.js';

/** The local files of a path or glob source, hashed through the stat cache, in sorted order. */
export async function localFiles(
  ctx: Pick<DataContext, 'recipe' | 'hashFiles'>,
  source: Extract<NormalizedSource, {kind: 'files'}>,
): Promise<SourceFile[]> {
  const glob = isGlob(source.path);
  const paths = glob ? globFiles(ctx.recipe.dir, source.path) : [source.path];
  if (paths.length === 0) throw sourceProblem(source, `no files match ${source.path}`);
  // A glob lists plain relative paths ('/'-separated names, no '.' or '..'): joining them to
  // the folder is all resolve() would do, at a fraction of its cost over 100,000 files.
  const base = `${resolve(ctx.recipe.dir)}/`;
  const absolute = paths.map((path) => (glob ? base + path : resolve(ctx.recipe.dir, path)));
  // The glob has just listed its files: one that is gone by now fails its stat below.
  if (!glob && !existsSync(absolute[0]!)) {
    throw sourceProblem(source, `no such file: ${source.path}`);
  }
  const formats = paths.map((path) => {
    const format = source.format ?? formatFromName(path);
    if (!format) {
      throw sourceProblem(
        source,
        `cannot tell the format of ${path}`,
        `set sources.${source.name}.format to jsonl, json or csv`,
      );
    }
    return format;
  });
  let hashed: {hash: Sha256; size: number}[];
  try {
    hashed = await ctx.hashFiles(absolute);
  } catch (e) {
    const {code, path} = e as NodeJS.ErrnoException;
    if (code === 'ENOENT' && path !== undefined) {
      throw sourceProblem(
        source,
        `no such file: ${path.startsWith(base) ? path.slice(base.length) : path}`,
      );
    }
    throw e;
  }
  const files: SourceFile[] = paths.map((path, i) => ({
    path,
    sha256: hashed[i]!.hash,
    size: hashed[i]!.size,
    format: formats[i]!,
    gzip: path.toLowerCase().endsWith('.gz'),
    delimiter: delimiterFor(source, path),
    stored: false,
  }));
  return files;
}
