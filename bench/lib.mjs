// What the benches share: timing, medians, and running the built ft in a folder.
import {spawnSync} from 'node:child_process';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

/** The built CLI: benches measure what users run. */
export const FT = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli', 'bin.js');

/** Wall seconds of a synchronous call. */
export function time(fn) {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** `ft <args>` in `cwd` (CI set: plain output); its stdout, or an error with both streams. */
export function runFt(cwd, args) {
  const r = spawnSync(process.execPath, [FT, ...args], {
    cwd,
    encoding: 'utf8',
    env: {...process.env, CI: '1'},
  });
  if (r.status !== 0)
    throw new Error(`ft ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/**
 * No-op builds of the project in `cwd` (after one that settles the stat cache for files hashed
 * in the same second), alternating with `baseline` so both see the same machine; fails if a
 * build ran anything. Returns the seconds of each side's `rounds` runs.
 */
export function noopRounds(cwd, baseline, rounds = 5) {
  runFt(cwd, ['build']);
  const noop = [];
  const base = [];
  for (let round = 0; round < rounds; round++) {
    noop.push(
      time(() => {
        const out = runFt(cwd, ['build', '--json']);
        if (/"status":"(ran|cached)"/.test(out))
          throw new Error(`no-op build ran something:\n${out}`);
      }),
    );
    base.push(time(baseline));
  }
  return {noop, base};
}
