import {symlink} from 'node:fs/promises';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {execa} from 'execa';
import {describe, expect, it} from 'vitest';
import {project} from '../helpers/ft.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const SUMMARY = join(root, 'scripts', 'test-summary.mjs');

/**
 * Runs the real vitest on `files` (test files) in a temp project, as scripts/test runs it, then
 * scripts/test-summary.mjs on its JSON report and exit status; returns the summary's last line and
 * exit code.
 */
async function summarize(
  files: Readonly<Record<string, string>>,
): Promise<{line: string; exitCode: number}> {
  const dir = await project(files);
  await symlink(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const report = join(dir, 'vitest.json');
  // Without the variables of the vitest running this test, which would confuse the inner one.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^VITEST/.test(k)));
  const vitest = await execa(
    process.execPath,
    [
      join(root, 'node_modules', 'vitest', 'vitest.mjs'),
      'run',
      '--reporter=json',
      `--outputFile.json=${report}`,
    ],
    {cwd: dir, env, extendEnv: false, reject: false},
  );
  return lastLine(report, vitest.exitCode ?? -1);
}

/** scripts/test-summary.mjs on `report` with vitest's exit status. */
async function lastLine(report: string, status: number) {
  const r = await execa(process.execPath, [SUMMARY, report, String(status)], {reject: false});
  return {line: String(r.stdout).split('\n').at(-1)!, exitCode: r.exitCode ?? -1};
}

const PASSING = `import {it} from 'vitest';
it('passes', () => {});
it('passes too', () => {});
it.skip('is skipped', () => {});
it.todo('is to do');
`;

describe('the test summary', () => {
  it('counts passed, failed and skipped tests, and a suite that failed to load as failed', async () => {
    const r = await summarize({
      'a.test.ts': PASSING,
      'b.test.ts': `import {expect, it} from 'vitest';
it('fails', () => expect(1).toBe(2));
it('passes', () => {});
`,
      'c.test.ts': "import './missing-module.js';\n",
    });
    expect(r).toEqual({line: '3 passed, 2 failed, 2 skipped', exitCode: 1});
  });

  it('succeeds when nothing failed, skipped tests included', async () => {
    expect(await summarize({'a.test.ts': PASSING})).toEqual({
      line: '2 passed, 0 failed, 2 skipped',
      exitCode: 0,
    });
  });

  it('fails when vitest left no report or failed without saying which test', async () => {
    const dir = await project({});
    expect(await lastLine(join(dir, 'none.json'), 1)).toEqual({
      line: '0 passed, 1 failed, 0 skipped',
      exitCode: 1,
    });
    const empty = await project({
      'r.json': JSON.stringify({numPassedTests: 4, numFailedTests: 0, testResults: []}),
    });
    expect(await lastLine(join(empty, 'r.json'), 1)).toEqual({
      line: '4 passed, 1 failed, 0 skipped',
      exitCode: 1,
    });
  });
});
