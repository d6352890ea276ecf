import {readdirSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {error, UserError} from '../../core/diagnostic.js';
import {EXIT} from '../../run/exit-code.js';
import {lockfilePath, readLockfile} from '../../run/lockfile.js';
import {storeFor} from '../../run/session.js';
import {collectGarbage} from '../../run/store/gc.js';
import {ProjectLock} from '../../run/store/project-lock.js';
import {parse, RECIPE_OPTIONS} from '../args.js';
import type {Io} from '../io.js';
import {loadOrThrow} from '../load-or-report.js';

export const CACHE_HELP = `Usage: ft cache gc [--keep-builds N] [options]

Removes from .ft/ everything that neither the lockfile nor the last N builds (default 5) use.

Options:
  -f, --file <recipe>     recipe file (default: finetune.yaml)
      --keep-builds <n>   builds whose stages are kept (default 5)
      --json              a JSON summary on stdout
  -h, --help
`;

export async function cacheCommand(args: readonly string[], io: Io): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === '--help' || sub === '-h' || sub === undefined) {
    io.out(CACHE_HELP);
    return sub === undefined ? EXIT.usage : EXIT.ok;
  }
  if (sub !== 'gc') {
    throw new UserError([error('usage', `unknown cache command '${sub}' (known: gc)`)]);
  }
  const {values} = parse('cache gc', rest, {
    ...RECIPE_OPTIONS,
    'keep-builds': {type: 'string', default: '5'},
  });
  if (values.help) {
    io.out(CACHE_HELP);
    return EXIT.ok;
  }
  const keep = Number(values['keep-builds']);
  if (!Number.isInteger(keep) || keep < 0) {
    throw new UserError([
      error('usage', `--keep-builds must be a whole number, got '${values['keep-builds']}'`),
    ]);
  }
  const loaded = await loadOrThrow(io, values.file);
  const lockPath = lockfilePath(loaded.path);
  const lockfile = readLockfile(lockPath, lockPath);
  if (!lockfile.ok) throw new UserError(lockfile.error);
  // Every recipe beside this one shares the store: what their lockfiles name stays too.
  const dir = dirname(loaded.path);
  const lockfiles = [lockfile.value];
  for (const name of readdirSync(dir)) {
    const other = join(dir, name);
    if (!name.endsWith('.lock') || other === lockPath) continue;
    const read = readLockfile(other, name);
    if (read.ok) lockfiles.push(read.value);
  }
  const store = storeFor(loaded);
  store.init();
  const lock = new ProjectLock(store.lockFile);
  await lock.acquire('ft cache gc', (holder) => io.err(`waiting for ${holder}\n`), io.signal);
  try {
    const result = await collectGarbage(store, lockfiles, keep);
    if (values.json) io.out(`${JSON.stringify(result)}\n`);
    else {
      io.out(
        `removed ${result.removedStages} stage record(s) and ${result.removedObjects} object(s) (${result.removedBytes} bytes); kept ${result.keptStages} stage record(s)\n`,
      );
    }
  } finally {
    await lock.release();
  }
  return EXIT.ok;
}
