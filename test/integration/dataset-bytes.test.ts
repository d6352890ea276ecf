import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {buildJson, jsonl, project, stageEnd} from '../helpers/ft.js';

const RECIPE = `version: 1
name: bytes
seed: 11
sources:
  a: { path: a.jsonl }
  b: { path: b.jsonl }
transforms:
  - template: { system: "Sys {{meta.lang}}", user: "{{q}}", assistant: "{{n}}" }
  - split: { validation: 0.25, test: 0.25 }
`;

const records = (from: number, to: number) =>
  Array.from({length: to - from}, (_, k) => {
    const i = from + k;
    // Key order, spacing and escapes in the input vary; the output is canonical.
    return i % 2 === 0
      ? {q: `q${i} "quoted" é\n`, n: i, meta: {lang: 'en'}}
      : {meta: {lang: 'fr'}, n: i * 1.5, q: `q${i} \u2028 ✓`};
  });

function objectText(dir: string, hash: string): string {
  const hex = hash.slice('sha256:'.length);
  return readFileSync(join(dir, '.ft/objects', hex.slice(0, 2), hex), 'utf8');
}

describe('dataset outputs', () => {
  it('are canonical JSONL, in input order, split by source record: the exact bytes', async () => {
    const dir = await project({
      'finetune.yaml': RECIPE,
      'a.jsonl': jsonl(records(0, 12)),
      'b.jsonl': `\ufeff${jsonl(records(12, 20)).replaceAll('\n', '\r\n')}\n\n`,
    });
    const r = await buildJson(dir);
    expect(r.exitCode).toBe(0);
    const outputs = stageEnd(r.events, 'dataset').outputs as Record<string, string>;
    expect(Object.keys(outputs)).toEqual([
      'train.jsonl',
      'validation.jsonl',
      'test.jsonl',
      'train.ids',
      'validation.ids',
      'test.ids',
    ]);
    for (const [name, hash] of Object.entries(outputs)) {
      await expect(objectText(dir, hash)).toMatchFileSnapshot(`../fixtures/expected/bytes/${name}`);
    }
  });

  it('adding an example to a source never moves another between splits', async () => {
    const base = await project({
      'finetune.yaml': RECIPE,
      'a.jsonl': jsonl(records(0, 12)),
      'b.jsonl': jsonl(records(12, 20)),
    });
    const more = await project({
      'finetune.yaml': RECIPE,
      'a.jsonl': jsonl([...records(0, 12), ...records(100, 101)]),
      'b.jsonl': jsonl(records(12, 20)),
    });
    const read = async (dir: string) => {
      const r = await buildJson(dir);
      const outputs = stageEnd(r.events, 'dataset').outputs as Record<string, string>;
      return Object.fromEntries(
        Object.entries(outputs).map(([n, h]) => [
          n,
          objectText(dir, h).split('\n').filter(Boolean),
        ]),
      );
    };
    const before = await read(base);
    const after = await read(more);
    for (const split of Object.keys(before).filter((n) => n.endsWith('.jsonl'))) {
      const added = after[split]!.filter((l) => !before[split]!.includes(l));
      expect(after[split]!.filter((l) => !added.includes(l))).toEqual(before[split]);
      expect(added.length).toBeLessThanOrEqual(1);
    }
  });
});
