import {copyFileSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {execa} from 'execa';
import {describe, expect, it} from 'vitest';
import {buildJson, ft, project} from '../helpers/ft.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const TRAINER = join(root, 'dist/train/embedded/main.js');

interface Chat {
  messages: {role: string; content: string}[];
}

/** Exact match of a model's greedy answers on `examples`, through the trainer's `generate`. */
async function exactMatch(
  dir: string,
  examples: readonly Chat[],
  artifacts: Record<string, string> | null,
): Promise<number> {
  const inputs = join(dir, 'inputs.jsonl');
  const output = join(dir, 'output.jsonl');
  writeFileSync(
    inputs,
    examples.map((e, i) => `${JSON.stringify({id: String(i), messages: e.messages})}\n`).join(''),
  );
  const spec = join(dir, 'generate.json');
  writeFileSync(
    spec,
    JSON.stringify({
      protocol: 1,
      base_model: 'embedded:tiny',
      artifacts,
      inputs,
      output,
      params: {max_tokens: 16, temperature: 0},
    }),
  );
  await execa(process.execPath, [TRAINER, 'generate', '--spec', spec]);
  const answers = new Map(
    readFileSync(output, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as {id: string; output: string})
      .map((a) => [a.id, a.output]),
  );
  const right = examples.filter(
    (e, i) => answers.get(String(i))?.trim() === e.messages.at(-1)!.content,
  );
  return right.length / examples.length;
}

describe('the quickstart (the top-level finetune.yaml)', () => {
  it('its data is what scripts/make-tickets.mjs writes', async () => {
    const r = await execa(process.execPath, [join(root, 'scripts/make-tickets.mjs'), '--check'], {
      reject: false,
    });
    expect(r.exitCode, r.stderr).toBe(0);
  });

  it('trains offline, reproduces the committed lockfile byte for byte, and beats both baselines', async () => {
    const dir = await project({});
    mkdirSync(join(dir, 'data'));
    for (const file of ['finetune.yaml', 'data/tickets.jsonl']) {
      copyFileSync(join(root, file), join(dir, file));
    }
    const r = await buildJson(dir);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.statuses['train:default']).toBe('ran');
    // The embedded trainer is deterministic: another machine, another core count, the same bytes.
    expect(readFileSync(join(dir, 'finetune.lock'), 'utf8')).toBe(
      readFileSync(join(root, 'finetune.lock'), 'utf8'),
    );

    for (const stage of ['dataset', 'train:default']) {
      expect((await ft(dir, ['export', stage, '--out', 'out'])).exitCode).toBe(0);
    }
    const test = readFileSync(join(dir, 'out/test.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Chat);
    expect(test.length).toBeGreaterThanOrEqual(100);
    const counts = new Map<string, number>();
    for (const e of test) {
      const queue = e.messages.at(-1)!.content;
      counts.set(queue, (counts.get(queue) ?? 0) + 1);
    }
    const majority = Math.max(...counts.values()) / test.length;
    const tuned = await exactMatch(dir, test, {model: join(dir, 'out/model')});
    const base = await exactMatch(dir, test, null);
    expect(tuned).toBeGreaterThanOrEqual(majority + 0.2);
    expect(tuned - base).toBeGreaterThan(tuned - majority);
  });
});
