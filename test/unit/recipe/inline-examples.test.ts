import {mkdtemp, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it, onTestFinished} from 'vitest';
import {locationInText} from '../../../src/core/diagnostic.js';
import {loadRecipe} from '../../../src/recipe/load.js';

const COUNT = 3000;

/**
 * A recipe of COUNT inline examples in both YAML styles (every seventh one a block mapping over
 * two lines), so an example's line is not a fixed offset from its index; `bad` examples are
 * written as the given YAML instead.
 */
function recipeText(bad: Readonly<Record<number, string>> = {}): string {
  const lines = ['version: 1', 'name: inline', 'sources:', '  qa:', '    examples:'];
  for (let i = 0; i < COUNT; i++) {
    if (bad[i] !== undefined) lines.push(`      - ${bad[i]}`);
    else if (i % 7 === 0) lines.push(`      - prompt: "q${i}"`, `        response: "a${i}"`);
    else lines.push(`      - { prompt: "q${i}", response: "a${i}" }`);
  }
  lines.push('transforms:', '  - split: { validation: 0.1 }');
  return `${lines.join('\n')}\n`;
}

/** The 1-based line of the first line of `text` that contains `needle`. */
const lineOf = (text: string, needle: string) =>
  text.split('\n').findIndex((l) => l.includes(needle)) + 1;

async function load(text: string) {
  const dir = await mkdtemp(join(tmpdir(), 'ft-inline-'));
  onTestFinished(() => rm(dir, {recursive: true, force: true}));
  await writeFile(join(dir, 'finetune.yaml'), text);
  return loadRecipe('finetune.yaml', {cwd: dir});
}

describe('a recipe with many inline examples', () => {
  it('knows the line of every example', async () => {
    const text = recipeText();
    const loaded = await load(text);
    if (!loaded.ok) throw new Error(loaded.error.map((d) => d.message).join('\n'));
    const source = loaded.value.normalized.sources[0]!;
    if (source.kind !== 'inline') throw new Error('not inline');
    expect(source.lines).toHaveLength(COUNT);
    for (const i of [0, 1, 6, 7, 8, 1234, 2099, COUNT - 1]) {
      expect(source.lines[i]).toBe(lineOf(text, `"q${i}"`));
    }
  });

  it('points a schema error in example N at its line and column', async () => {
    const text = recipeText({2001: '42', 2999: '"just text"'});
    const loaded = await load(text);
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    expect(loaded.error.map((d) => [d.message, d.location?.line, d.location?.col])).toEqual([
      ['sources.qa.examples[2001] must be an object, got 42', lineOf(text, '- 42'), 9],
      [
        'sources.qa.examples[2999] must be an object, got "just text"',
        lineOf(text, '- "just text"'),
        9,
      ],
    ]);
  });
});

describe('locationInText', () => {
  it('finds the line, column and text of any offset, as counting the lines before it does', () => {
    const text = '\nfirst\r\nsecond line\n\n  third\nlast';
    const other = 'a\nb\n';
    for (let start = 0; start <= text.length; start++) {
      const before = text.slice(0, start);
      const line = before.split('\n').length;
      const col = start - (before.lastIndexOf('\n') + 1) + 1;
      const location = locationInText('f', text, start, start + 1);
      expect([location.line, location.col]).toEqual([line, col]);
      expect(location.sourceLine).toBe(text.split('\n')[line - 1]!.replace(/\r$/, ''));
      // Another text in between must not leave the first one's lines behind.
      expect(locationInText('g', other, 2, 3).line).toBe(2);
    }
  });
});
