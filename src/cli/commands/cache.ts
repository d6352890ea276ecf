import {existsSync, readdirSync} from 'node:fs';
import {dirname, join, relative, resolve} from 'node:path';
import {error, UserError} from '../../core/diagnostic.js';
import {shortHash} from '../../core/hash.js';
import {EXIT} from '../../run/exit-code.js';
import {type Lockfile, lockfilePath, readLockfile} from '../../run/lockfile.js';
import {sharedCaches, storeBeside, storeFor} from '../../run/session.js';
import {collectGarbage} from '../../run/store/gc.js';
import type {LocalStore} from '../../run/store/local-store.js';
import {ProjectLock} from '../../run/store/project-lock.js';
import {StageCache} from '../../run/store/stage-cache.js';
import {foundProblems, verifyStore} from '../../run/store/verify.js';
import {parse, RECIPE_OPTIONS} from '../args.js';
import type {Io} from '../io.js';
import {loadOrThrow} from '../load-or-report.js';

export const CACHE_HELP = `Usage: ft cache <gc|verify> [options]

  gc       removes from .ft/ everything that neither the lockfiles nor the last N builds
           (default 5) use; records of training and evaluation stay unless --include-trained
  verify   reads and hashes every object and stage record of .ft/; removes what is damaged
           and restores it from FT_SHARED_CACHE where that has good bytes. Exit 0: nothing
           was wrong; 1: something was (what it repaired is listed)

Options:
  -f, --file <recipe>     recipe file (default: finetune.yaml); its folder holds .ft/
      --keep-builds <n>   gc: builds whose stages are kept (default 5)
      --include-trained   gc: also remove records of training and evaluation that no lockfile
                          or kept build uses (they may cost money to remake)
      --json              a JSON summary on stdout
  -h, --help
`;

export async function cacheCommand(args: readonly string[], io: Io): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === '--help' || sub === '-h' || sub === undefined) {
    io.out(CACHE_HELP);
    return sub === undefined ? EXIT.usage : EXIT.ok;
  }
  if (sub === 'gc') return gc(rest, io);
  if (sub === 'verify') return verify(rest, io);
  throw new UserError([error('usage', `unknown cache command '${sub}' (known: gc, verify)`)]);
}

async function gc(args: readonly string[], io: Io): Promise<number> {
  const {values} = parse('cache gc', args, {
    ...RECIPE_OPTIONS,
    'keep-builds': {type: 'string', default: '5'},
    'include-trained': {type: 'boolean', default: false},
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
  const store = storeFor(loaded);
  store.init();
  const lock = new ProjectLock(store.lockFile);
  await lock.acquire('ft cache gc', (holder) => io.err(`waiting for ${holder}\n`), io.signal);
  try {
    // Under the lock: a build that finished meanwhile has written its lockfile.
    const lockfiles = readLockfiles(loaded.path, io.cwd);
    const result = await collectGarbage(store, {
      lockfiles,
      keepBuilds: keep,
      includeTrained: values['include-trained'],
    });
    if (values.json) io.out(`${JSON.stringify(result)}\n`);
    else {
      io.out(
        `removed ${result.removedStages} stage record(s) and ${result.removedObjects} object(s) (${result.removedBytes} bytes); kept ${result.keptStages} stage record(s)\n`,
      );
      if (result.keptTrained > 0) {
        io.out(
          `kept ${result.keptTrained} record(s) of training or evaluation that no lockfile uses (another branch may); --include-trained removes them\n`,
        );
      }
    }
  } finally {
    await lock.release();
  }
  return EXIT.ok;
}

/**
 * The lockfiles of every recipe that shares this store: this one and each `<name>.lock` beside
 * a `<name>.yaml` in the folder (a `yarn.lock` is not ours). One that cannot be read stops gc
 * before it deletes anything: without it, that recipe's records would look unused.
 */
function readLockfiles(recipePath: string, cwd: string): Lockfile[] {
  const dir = dirname(recipePath);
  const own = lockfilePath(recipePath);
  const lockfiles: Lockfile[] = [];
  for (const path of [
    own,
    ...readdirSync(dir)
      .filter((name) => name.endsWith('.lock'))
      .map((name) => join(dir, name))
      .filter((path) => path !== own && hasRecipe(path)),
  ]) {
    const shown = relative(cwd, path) || path;
    const read = readLockfile(path, shown);
    if (!read.ok) {
      throw new UserError(
        read.error.map((d) => ({
          ...d,
          hint: `${d.hint ? `${d.hint}. ` : ''}ft cache gc deleted nothing: without this lockfile, the records it uses would look unused`,
        })),
      );
    }
    lockfiles.push(read.value);
  }
  return lockfiles;
}

const hasRecipe = (lock: string) =>
  ['.yaml', '.yml'].some((ext) => existsSync(lock.replace(/\.lock$/, ext)));

async function verify(args: readonly string[], io: Io): Promise<number> {
  const {values} = parse('cache verify', args, RECIPE_OPTIONS);
  if (values.help) {
    io.out(CACHE_HELP);
    return EXIT.ok;
  }
  // The recipe need not load: a store is checked whatever state the recipe is in.
  const store: LocalStore = storeBeside(resolve(io.cwd, values.file));
  if (!existsSync(store.root)) {
    throw new UserError([
      error(
        'usage',
        `no store to verify: ${relative(io.cwd, store.root) || store.root} does not exist`,
      ),
    ]);
  }
  const warnings: string[] = [];
  const warn = (message: string) => warnings.push(message);
  const cache = new StageCache(store, sharedCaches(warn), warn);
  const lock = new ProjectLock(store.lockFile);
  await lock.acquire('ft cache verify', (holder) => io.err(`waiting for ${holder}\n`), io.signal);
  let report: Awaited<ReturnType<typeof verifyStore>>;
  try {
    await store.removeLeftovers();
    report = await verifyStore(store, cache);
  } finally {
    await lock.release();
  }
  const bad = foundProblems(report);
  if (values.json) {
    io.out(`${JSON.stringify({ok: !bad, ...report, warnings})}\n`);
    return bad ? EXIT.buildFailed : EXIT.ok;
  }
  for (const w of warnings) io.err(`ft: warning: ${w}\n`);
  const shown = (path: string) => relative(io.cwd, path) || path;
  for (const o of report.objects.damaged) {
    const what = o.usedBy.length > 0 ? ` (${o.usedBy.join(', ')})` : ' (no record uses it)';
    const done =
      o.action === 'restored'
        ? 'restored good bytes from the shared cache'
        : 'removed it; the next build remakes or restores it';
    io.out(`damaged object ${shortHash(o.hash)}${what}: ${o.why}; ${done}\n`);
  }
  for (const r of report.records.damaged) {
    io.out(`damaged stage record ${shown(r.path)}: ${r.why}; removed it\n`);
  }
  for (const r of report.records.incomplete) {
    io.out(
      `${r.id} (${shortHash(r.key)}): ${r.missing.join(', ')} not in the store; ${r.action === 'restored' ? 'restored from the shared cache' : 'the next build remakes or restores it'}\n`,
    );
  }
  const mib = (report.objects.bytes / 2 ** 20).toFixed(1);
  io.out(
    `checked ${report.objects.checked} object(s) (${mib} MiB) and ${report.records.checked} stage record(s): ${bad ? `${report.objects.damaged.length + report.records.damaged.length} damaged (repaired as above)` : 'all sound'}\n`,
  );
  return bad ? EXIT.buildFailed : EXIT.ok;
}
