import {dirname, relative} from 'node:path';
import {type Lockfile, parseLockfile} from './lockfile.js';

/** The lockfile of the commit a build is compared with, or why there is none. */
export type Baseline =
  | {
      readonly found: true;
      readonly ref: string;
      readonly commit: string;
      readonly lockfile: Lockfile;
    }
  | {readonly found: false; readonly why: string};

async function git(cwd: string, args: string[]): Promise<string | undefined> {
  const {execa} = await import('execa');
  const r = await execa('git', args, {cwd, reject: false, stdin: 'ignore'});
  return r.exitCode === 0 ? String(r.stdout).trim() : undefined;
}

/**
 * The lockfile at `ref` (`ft build --baseline <ref>`), or by default at the merge base of HEAD
 * with the default branch (origin's HEAD, else main, else master), where git can tell. Never the
 * lockfile in the working tree: the build being checked rewrites that one, and comparing a
 * change with itself always passes.
 */
export async function readBaseline(lockPath: string, ref: string | undefined): Promise<Baseline> {
  const cwd = dirname(lockPath);
  const top = await git(cwd, ['rev-parse', '--show-toplevel']);
  if (top === undefined) return {found: false, why: 'the recipe is not in a git repository'};
  let base = ref;
  if (base === undefined) {
    const branch =
      (await git(cwd, ['rev-parse', '--abbrev-ref', 'origin/HEAD'])) ??
      ((await git(cwd, ['rev-parse', '--verify', '--quiet', 'refs/heads/main']))
        ? 'main'
        : undefined) ??
      ((await git(cwd, ['rev-parse', '--verify', '--quiet', 'refs/heads/master']))
        ? 'master'
        : undefined);
    if (branch === undefined) {
      return {
        found: false,
        why: 'git cannot tell the default branch; name a baseline with --baseline <ref>',
      };
    }
    const mergeBase = await git(cwd, ['merge-base', 'HEAD', branch]);
    if (mergeBase === undefined)
      return {found: false, why: `HEAD has no merge base with ${branch}`};
    base = mergeBase;
  }
  const commit = await git(cwd, ['rev-parse', '--verify', '--quiet', `${base}^{commit}`]);
  if (commit === undefined) return {found: false, why: `git knows no commit ${base}`};
  const path = relative(top, lockPath).split('\\').join('/');
  const text = await git(cwd, ['show', `${commit}:${path}`]);
  if (text === undefined) return {found: false, why: `${path} did not exist at ${base}`};
  const parsed = parseLockfile(text, `${path} at ${base}`);
  if (!parsed.ok) return {found: false, why: parsed.error.map((d) => d.message).join('; ')};
  return {
    found: true,
    ref: ref ?? `merge base with the default branch`,
    commit,
    lockfile: parsed.value,
  };
}

/** The commit a recipe is built at and whether its work tree has changes; null outside git. */
export async function gitState(dir: string): Promise<{commit: string; dirty: boolean} | null> {
  const commit = await git(dir, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']);
  if (commit === undefined) return null;
  const status = await git(dir, ['status', '--porcelain', '--untracked-files=no']);
  return {commit, dirty: status !== undefined && status !== ''};
}
