import {execa} from 'execa';
import {describe, expect, it} from 'vitest';
import {FT_BIN, project, SMOKE_DATA, SMOKE_RECIPE} from '../helpers/ft.js';

/** Runs ft in a pseudo-terminal (util-linux `script`), as a person at a terminal would. */
async function inTerminal(cwd: string, args: string, env: Record<string, string> = {}) {
  const command = `stty cols 100 rows 40; ${JSON.stringify(process.execPath)} ${JSON.stringify(FT_BIN)} ${args}`;
  const r = await execa('script', ['-qec', command, '/dev/null'], {
    cwd,
    reject: false,
    env: {CI: '', NO_COLOR: '', TERM: 'xterm-256color', ...env},
  });
  return {exitCode: r.exitCode, output: String(r.stdout)};
}

const ESC = '\u001b[';

describe('output on a terminal', () => {
  it('draws a live task list (listr2) with each stage and its outcome', async () => {
    const dir = await project({'finetune.yaml': SMOKE_RECIPE, 'data/qa.jsonl': SMOKE_DATA});
    const r = await inTerminal(dir, 'build');
    expect(r.exitCode).toBe(0);
    expect(r.output).toContain(ESC); // cursor movement and color
    expect(r.output).toMatch(/source:qa: ran in \d/);
    expect(r.output).toMatch(/dataset: ran in \d/);
    const again = await inTerminal(dir, 'build');
    expect(again.output).toContain('dataset: fresh');
  });

  it('prints plain lines when CI is set, even on a terminal', async () => {
    const dir = await project({'finetune.yaml': SMOKE_RECIPE, 'data/qa.jsonl': SMOKE_DATA});
    const r = await inTerminal(dir, 'build', {CI: '1'});
    expect(r.exitCode).toBe(0);
    expect(r.output).toContain('dataset: ran in');
    expect(r.output).not.toContain(`${ESC}2K`); // no line erasing
  });

  it('colors diagnostics on a terminal unless NO_COLOR is set', async () => {
    const dir = await project({
      'finetune.yaml': SMOKE_RECIPE.replace('0.2', '"x"'),
      'data/qa.jsonl': SMOKE_DATA,
    });
    const colored = await inTerminal(dir, 'build');
    expect(colored.exitCode).toBe(2);
    expect(colored.output).toContain(`${ESC}1;31merror${ESC}0m`);
    const plain = await inTerminal(dir, 'build', {NO_COLOR: '1'});
    expect(plain.exitCode).toBe(2);
    expect(plain.output).toContain('finetune.yaml:7:26: error: transforms[1].split.validation');
    expect(plain.output).not.toContain(ESC);
  });
});
