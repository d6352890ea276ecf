import {describe, expect, it} from 'vitest';
import {useEmulator} from '../helpers/emulator.js';
import {type FtResult, ft, jsonl, project} from '../helpers/ft.js';

/**
 * A method trains on one shape of data: `dpo` on preference pairs, `supervised` on chat
 * examples. A target fed the other shape is refused at plan time (a warning in `ft plan`) and by
 * `ft build` (exit 2, a located message), before anything is uploaded.
 */
const PAIRS = jsonl(
  Array.from({length: 12}, (_, i) => ({
    prompt: `q${i}`,
    chosen: `good ${i}`,
    rejected: `bad ${i}`,
  })),
);
const QA = jsonl(Array.from({length: 12}, (_, i) => ({prompt: `q${i}`, response: `a${i}`})));
const recipe = (method: string, data: 'pairs' | 'qa') => `version: 1
name: shapes
sources:
  src: { path: data/${data}.jsonl }
${data === 'qa' ? 'transforms:\n  - template: { user: "{{prompt}}", assistant: "{{response}}" }\n' : ''}backend: { type: openai, model: gpt-4o-mini-2024-07-18, method: ${method} }
`;
const show = (r: FtResult) => `${r.stdout}\n${r.stderr}`;

async function planOf(dir: string) {
  const r = await ft(dir, ['plan', '--json']);
  expect(r.exitCode, show(r)).toBe(0);
  return JSON.parse(r.stdout).stages.find((s: {id: string}) => s.id === 'train:default') as {
    method: {name: string; refused?: string};
    warnings?: string[];
  };
}

describe('openai backend: the data shape each method trains on', () => {
  it('a dpo target whose dataset has no preference records is refused before any upload', async () => {
    const emu = await useEmulator();
    const dir = await project({'finetune.yaml': recipe('dpo', 'qa'), 'data/qa.jsonl': QA});
    const plan = await planOf(dir);
    expect(plan.method.name).toBe('dpo');
    expect(plan.method.refused).toContain('method dpo trains on preference pairs');
    expect(
      (plan.warnings ?? []).some((w) => w.startsWith('ft build will refuse this training:')),
    ).toBe(true);
    const r = await ft(dir, ['build'], {
      OPENAI_API_KEY: 'sk-test',
      OPENAI_BASE_URL: `${emu.url}/v1`,
    });
    expect(r.exitCode, show(r)).toBe(2);
    expect(show(r)).toContain(
      'train:default: method dpo trains on preference pairs ({input, preferred_output, non_preferred_output}; a source of {prompt, chosen, rejected} records writes them), but the training file (train.jsonl) has none: its 12 example(s) are chat examples ({messages}; the template transform writes them); feed the target preference records, or set method: supervised; nothing was uploaded',
    );
    expect(emu.requests).toEqual([]);
  });

  it('a supervised target fed preference records is refused; the same data with dpo plans clean', async () => {
    const emu = await useEmulator();
    const dir = await project({
      'finetune.yaml': recipe('supervised', 'pairs'),
      'data/pairs.jsonl': PAIRS,
    });
    const plan = await planOf(dir);
    expect(plan.method.refused).toContain('set backend.method: dpo');
    const r = await ft(dir, ['build'], {
      OPENAI_API_KEY: 'sk-test',
      OPENAI_BASE_URL: `${emu.url}/v1`,
    });
    expect(r.exitCode, show(r)).toBe(2);
    expect(show(r)).toContain(
      "train:default: method supervised trains on chat examples ({messages}; the template transform writes them), but the training file's 12 example(s) are preference pairs",
    );
    expect(emu.requests).toEqual([]);

    const dpo = await project({'finetune.yaml': recipe('dpo', 'pairs'), 'data/pairs.jsonl': PAIRS});
    const ok = await planOf(dpo);
    expect(ok.method).toEqual({name: 'dpo'});
    expect((ok.warnings ?? []).filter((w) => w.includes('refuse'))).toEqual([]);
  });
});
