import {mkdir, symlink} from 'node:fs/promises';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {execa} from 'execa';
import {describe, expect, it} from 'vitest';
import {project} from '../helpers/ft.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Runs an ES module in a project that depends on this package (node_modules/ft -> the repo). */
async function runAsConsumer(code: string): Promise<string> {
  const dir = await project({'package.json': '{"type": "module"}', 'main.js': code});
  await mkdir(join(dir, 'node_modules'), {recursive: true});
  await symlink(root, join(dir, 'node_modules', 'ft'), 'dir');
  const r = await execa(process.execPath, ['main.js'], {cwd: dir});
  return String(r.stdout);
}

describe('the built package', () => {
  it('exports ft/metrics', async () => {
    const out = await runAsConsumer(`
      import {corpusBleu, sentenceChrf, rougeScore, exactMatch, tokenF1} from 'ft/metrics';
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

  it('exports ft/tokens', async () => {
    const out = await runAsConsumer(`
      import {encode, countTokens, countChatTokens} from 'ft/tokens';
      console.log(JSON.stringify({
        ids: encode('hello world', 'cl100k_base'),
        count: countTokens('hello world', 'o200k_base'),
        chat: countChatTokens({messages: [{role: 'user', content: 'hi'}]}, 'cl100k_base'),
      }));
    `);
    expect(JSON.parse(out)).toEqual({ids: [15339, 1917], count: 2, chat: 8});
  });
});
