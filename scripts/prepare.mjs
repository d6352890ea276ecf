#!/usr/bin/env node
// npm's `prepare`: builds dist/ wherever npm prepares this package from its sources.
//   - `npm ci` / `npm install` in this checkout, `npm pack`, `npm publish`: the dev dependencies
//     are installed, so this is `npm run build`.
//   - `npm install <git URL>` in another project: npm clones the repository and installs its
//     dev dependencies before running this, so the same.
//   - `npm install <path to this checkout>` in another project: npm links the folder and runs
//     this in it, but installs none of its dependencies. Without them there is no TypeScript to
//     build with and nothing for dist/ to import at run time, so this first installs them here
//     from package-lock.json (`npm ci`, with the dev dependencies, without running scripts: the
//     locked packages have none, and this script would run again).
// Progress goes to stderr.
import {spawnSync} from 'node:child_process';
import {createRequire} from 'node:module';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Whether the packages the build needs resolve from this checkout. */
function canBuild() {
  const require = createRequire(join(root, 'package.json'));
  try {
    require.resolve('typescript/package.json');
    require.resolve('@types/node/package.json');
    require.resolve('assemblyscript/package.json');
    return true;
  } catch {
    return false;
  }
}

/** Runs the npm that runs this script (npm_execpath), in the checkout; exits on failure. */
function npm(args) {
  const cli = process.env.npm_execpath;
  const [command, first] = cli && /\.[cm]?js$/.test(cli) ? [process.execPath, [cli]] : ['npm', []];
  console.error(`prepare: npm ${args.join(' ')}`);
  const r = spawnSync(command, [...first, ...args], {cwd: root, stdio: ['ignore', 2, 2]});
  if (r.status !== 0) {
    console.error(`prepare: npm ${args[0]} failed in ${root}`);
    process.exit(r.status ?? 1);
  }
}

if (!canBuild()) {
  console.error(`prepare: ${root} has no node_modules to build with; installing them`);
  // Explicit prefix and scope: the settings of the npm that runs this reach it as npm_config_*
  // variables (a global install's would point this one at the global folder).
  npm([
    'ci',
    `--prefix=${root}`,
    '--global=false',
    '--include=dev',
    '--ignore-scripts',
    '--no-audit',
    '--no-fund',
  ]);
}
npm(['run', 'build', `--prefix=${root}`]);
