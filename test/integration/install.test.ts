import {execFileSync} from 'node:child_process';
import {existsSync, lstatSync, readdirSync, readFileSync} from 'node:fs';
import {copyFile, mkdir, writeFile} from 'node:fs/promises';
import {delimiter, dirname, join} from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {execa} from 'execa';
import {describe, expect, it} from 'vitest';
import {project} from '../helpers/ft.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const NAME = 'finetune-build';

/**
 * The environment of the npm and npx these tests run: the npm beside the Node running the tests
 * first on PATH, and none of the npm_* variables of the `npx vitest` that may have started them
 * (they would point npm at this repository), except where the npm cache lives.
 */
function npmEnv(): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^npm_/i.test(k) || /^npm_config_(cache|userconfig)$/i.test(k)) env[k] = v;
  }
  env.PATH = `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`;
  env.npm_config_update_notifier = 'false';
  return env;
}

/**
 * Runs npm or npx in `cwd` with --offline: everything must come from the npm cache that the
 * `npm ci` of this checkout filled, so the test needs no network, and an `npx ft` that did not
 * find the installed command fails instead of fetching the registry's unrelated `ft`.
 */
async function npm(cwd: string, tool: 'npm' | 'npx', args: readonly string[]) {
  const r = await execa(tool, ['--offline', ...args], {
    cwd,
    env: npmEnv(),
    extendEnv: false,
    reject: false,
    all: true,
  });
  return {exitCode: r.exitCode ?? -1, stdout: String(r.stdout), all: String(r.all)};
}

/**
 * A never-built copy of this checkout in a temp folder: the files git tracks, as they are in the
 * working tree (so uncommitted edits are tested), without dist/ or node_modules/; committed to a
 * git repository of its own so it can also be installed from a git URL.
 */
async function neverBuiltCheckout(): Promise<string> {
  const dir = join(await project({}), 'checkout');
  const tracked = execFileSync('git', ['ls-files', '-z'], {cwd: root, encoding: 'utf8'})
    .split('\0')
    .filter((f) => f !== '' && existsSync(join(root, f)) && lstatSync(join(root, f)).isFile());
  for (const file of tracked) {
    await mkdir(dirname(join(dir, file)), {recursive: true});
    await copyFile(join(root, file), join(dir, file));
  }
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: dir,
      stdio: 'pipe',
      env: {
        ...process.env,
        GIT_CONFIG_GLOBAL: '/dev/null',
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_AUTHOR_NAME: 'test',
        GIT_AUTHOR_EMAIL: 'test@example.com',
        GIT_COMMITTER_NAME: 'test',
        GIT_COMMITTER_EMAIL: 'test@example.com',
      },
    });
  git('init', '--quiet');
  git('add', '--all');
  git('commit', '--quiet', '--message', 'checkout');
  return dir;
}

/** An empty project to install into; `lock` is its package-lock.json, if any. */
async function consumer(lock?: object): Promise<string> {
  const dir = await project({
    'package.json': '{"name": "consumer", "version": "1.0.0", "private": true}\n',
  });
  if (lock) await writeFile(join(dir, 'package-lock.json'), JSON.stringify(lock, null, 2));
  return dir;
}

/**
 * A consumer lockfile that already pins this package's runtime dependencies (those the
 * checkout's lockfile does not mark dev), as a project's committed lockfile does after its first
 * install. npm resolves a git dependency's dependencies from the registry's package documents,
 * which `npm ci` never caches; with them pinned, --offline needs only the cached tarballs.
 */
function lockPinningDependencies(checkout: string): object {
  const lock = JSON.parse(readFileSync(join(checkout, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, {dev?: boolean}>;
  };
  const packages: Record<string, unknown> = {'': {name: 'consumer', version: '1.0.0'}};
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path !== '' && !entry.dev) packages[path] = entry;
  }
  return {name: 'consumer', version: '1.0.0', lockfileVersion: 3, requires: true, packages};
}

/**
 * `npx ft init` (checking the schema it names) then `npx finetune-build validate` in `dir`;
 * returns validate's output.
 */
async function initAndValidate(dir: string): Promise<string> {
  const init = await npm(dir, 'npx', ['ft', 'init']);
  expect(init.all).toContain('wrote finetune.yaml, data/qa.jsonl and .gitignore');
  expect(init.exitCode).toBe(0);
  // The schema named through the installed package, not wherever its files really are.
  expect(readFileSync(join(dir, 'finetune.yaml'), 'utf8')).toMatch(
    /^# yaml-language-server: \$schema=node_modules\/finetune-build\/schemas\/finetune\.schema\.json\n/,
  );
  const validate = await npm(dir, 'npx', [NAME, 'validate']);
  expect(validate.exitCode, validate.all).toBe(0);
  return validate.stdout;
}

describe('installing a checkout that was never built', () => {
  it('works from its path and from a git URL, and ft runs there', async () => {
    const checkout = await neverBuiltCheckout();
    expect(existsSync(join(checkout, 'dist'))).toBe(false);
    expect(existsSync(join(checkout, 'node_modules'))).toBe(false);

    // From the path: npm links the folder and runs its prepare there, which installs the
    // checkout's own dependencies and builds.
    const byPath = await consumer();
    const linked = await npm(byPath, 'npm', ['install', '--no-audit', '--no-fund', checkout]);
    expect(linked.exitCode, linked.all).toBe(0);
    expect(lstatSync(join(byPath, 'node_modules', NAME)).isSymbolicLink()).toBe(true);
    expect(existsSync(join(checkout, 'dist', 'cli', 'bin.js'))).toBe(true);
    expect(await initAndValidate(byPath)).toBe(
      'finetune.yaml: valid (1 source(s), 2 transform(s), 1 target(s))',
    );

    // From git: npm clones the commit (which has no dist/ either), prepares it, and installs
    // what `files` packs.
    const byGit = await consumer(lockPinningDependencies(checkout));
    const url = `git+${pathToFileURL(checkout).href}`;
    const cloned = await npm(byGit, 'npm', ['install', '--no-audit', '--no-fund', url]);
    expect(cloned.exitCode, cloned.all).toBe(0);
    const installed = join(byGit, 'node_modules', NAME);
    expect(lstatSync(installed).isSymbolicLink()).toBe(false);
    expect(readdirSync(installed).sort()).toEqual([
      'README.md',
      'dist',
      'package.json',
      'schemas',
      'trainers',
    ]);
    expect(await initAndValidate(byGit)).toBe(
      'finetune.yaml: valid (1 source(s), 2 transform(s), 1 target(s))',
    );
  });
});
