import {existsSync, readFileSync} from 'node:fs';
import {mkdir, symlink} from 'node:fs/promises';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {execa} from 'execa';
import {describe, expect, it} from 'vitest';
import {project} from '../helpers/ft.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The package's name: not `ft`, which the npm registry serves to an unrelated package, so
 * `npx ft` anywhere this one is not installed would run someone else's code.
 */
const NAME = 'finetune-build';

/** Runs an ES module in a project that depends on this package (node_modules/<NAME> -> the repo). */
async function runAsConsumer(code: string): Promise<string> {
  const dir = await project({'package.json': '{"type": "module"}', 'main.js': code});
  await mkdir(join(dir, 'node_modules'), {recursive: true});
  await symlink(root, join(dir, 'node_modules', NAME), 'dir');
  const r = await execa(process.execPath, ['main.js'], {cwd: dir});
  return String(r.stdout);
}

describe('the built package', () => {
  it('is named finetune-build, and the README installs, runs and imports it by that name', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(pkg.name).toBe(NAME);
    expect(pkg.bin).toEqual({ft: 'dist/cli/bin.js'});
    // What it packs exists (integration tests run after the build, so dist/ does too).
    expect(pkg.files.filter((f: string) => !existsSync(join(root, f)))).toEqual([]);
    const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
    expect([lock.name, lock.packages[''].name]).toEqual([NAME, NAME]);
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const npx = [...readme.matchAll(/`npx ([^`\s]+)/g)].map((m) => m[1]);
    // The one `npx ft` left is the warning against it.
    expect(npx.filter((n) => n !== NAME)).toEqual(['ft']);
    expect(readme.replace(/\s+/g, ' ')).toContain('Do not type `npx ft`');
    const imports = [...readme.matchAll(/from '([^']+)'/g)].map((m) => m[1]);
    expect(imports).toEqual([`${NAME}/tokens`, `${NAME}/metrics`]);
  });

  it('exports finetune-build/metrics', async () => {
    const out = await runAsConsumer(`
      import {corpusBleu, sentenceChrf, rougeScore, exactMatch, tokenF1} from 'finetune-build/metrics';
      const bleu = corpusBleu(['the cat sat on the mat'], [['the cat sat on the mat']]);
      console.log(JSON.stringify({
        bleu: bleu.score,
        chrf: sentenceChrf('the cat', ['the cat']).score,
        rouge: rougeScore('the cat sat', 'the cat', {types: ['rouge1']}).rouge1.recall,
        em: exactMatch('The Cat!', ['the cat']),
        f1: tokenF1('a cat sat', ['the cat sat down']),
      }));
    `);
    // sacreBLEU's own arithmetic: exp(log(100)) is 100.00000000000004 in Python too.
    expect(JSON.parse(out)).toEqual({
      bleu: 100.00000000000004,
      chrf: 100,
      rouge: 2 / 3,
      em: 1,
      f1: 0.8,
    });
  });

  it('exports finetune-build/tokens', async () => {
    const out = await runAsConsumer(`
      import {encode, countTokens, countChatTokens} from 'finetune-build/tokens';
      console.log(JSON.stringify({
        ids: encode('hello world', 'cl100k_base'),
        count: countTokens('hello world', 'o200k_base'),
        chat: countChatTokens({messages: [{role: 'user', content: 'hi'}]}, 'cl100k_base'),
      }));
    `);
    expect(JSON.parse(out)).toEqual({ids: [15339, 1917], count: 2, chat: 8});
  });
});
