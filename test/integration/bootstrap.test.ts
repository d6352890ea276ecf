import {execFileSync} from 'node:child_process';
import {createHash} from 'node:crypto';
import {existsSync, lstatSync, readFileSync} from 'node:fs';
import {copyFile, mkdir, symlink, writeFile} from 'node:fs/promises';
import {delimiter, dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {execa} from 'execa';
import {describe, expect, it} from 'vitest';
import {FT_BIN, project} from '../helpers/ft.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('scripts/bootstrap.sh', () => {
  it('replaces a node_modules that links to another checkout instead of emptying it', async () => {
    // A checkout with one dependency, pinned by its lockfile, whose node_modules links to a
    // folder shared with another checkout (git worktrees), installed for another lockfile.
    const dir = await project({
      'checkout/package.json':
        '{"name": "c", "version": "1.0.0", "dependencies": {"yaml": "2.9.1"}}\n',
      'shared/node_modules/.ft-lock-stamp': 'another lockfile\n',
      'shared/node_modules/yaml/package.json': '{"name": "yaml", "version": "0.0.0"}\n',
    });
    const checkout = join(dir, 'checkout');
    await mkdir(join(checkout, 'scripts'), {recursive: true});
    await copyFile(
      join(root, 'scripts', 'bootstrap.sh'),
      join(checkout, 'scripts', 'bootstrap.sh'),
    );
    const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
    await writeFile(
      join(checkout, 'package-lock.json'),
      JSON.stringify({
        name: 'c',
        version: '1.0.0',
        lockfileVersion: 3,
        requires: true,
        packages: {
          '': {name: 'c', version: '1.0.0', dependencies: {yaml: '2.9.1'}},
          'node_modules/yaml': lock.packages['node_modules/yaml'],
        },
      }),
    );
    const shared = join(dir, 'shared', 'node_modules');
    await symlink(shared, join(checkout, 'node_modules'), 'dir');

    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
    const r = await execa('bash', ['-c', 'source scripts/bootstrap.sh'], {
      cwd: checkout,
      env: {
        ...env,
        PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`,
        FT_SKIP_BUILD: '1',
        npm_config_offline: 'true',
      },
      extendEnv: false,
      reject: false,
      all: true,
    });
    expect(r.exitCode, String(r.all)).toBe(0);
    expect(String(r.all)).toContain('replacing the link with this checkout');
    // The other checkout's folder is as it was; this one has its own, installed from its lock.
    expect(readFileSync(join(shared, '.ft-lock-stamp'), 'utf8')).toBe('another lockfile\n');
    expect(existsSync(join(shared, 'yaml', 'package.json'))).toBe(true);
    expect(lstatSync(join(checkout, 'node_modules')).isDirectory()).toBe(true);
    const yaml = JSON.parse(readFileSync(join(checkout, 'node_modules/yaml/package.json'), 'utf8'));
    expect(yaml.version).toBe('2.9.1');
    const stamp = createHash('sha256')
      .update(readFileSync(join(checkout, 'package-lock.json')))
      .digest('hex');
    expect(readFileSync(join(checkout, 'node_modules/.ft-lock-stamp'), 'utf8').trim()).toBe(stamp);
  });
});

/** The machine's own Node when it is older than ft needs (these machines carry Node 20). */
const OLD_NODE = ['/usr/bin/node', '/usr/local/bin/node'].find((node) => {
  if (!existsSync(node)) return false;
  const version = execFileSync(node, ['--version'], {encoding: 'utf8'}).trim();
  const [major = 0, minor = 0] = version.slice(1).split('.').map(Number);
  return major < 22 || (major === 22 && minor < 13);
});

describe('ft on a Node.js older than it needs', () => {
  it.skipIf(!OLD_NODE)('says which Node it needs and which it found, and exits 1', async () => {
    const r = await execa(OLD_NODE!, [FT_BIN, 'plan'], {reject: false});
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(
      /^ft: error: ft needs Node\.js 22\.13 or newer; this is Node\.js \d+\.\d+\.\d+ \(\S+\)$/,
    );
  });
});
