import {describe, expect, it} from 'vitest';
import {openAIModelInfo} from '../../../../src/data/checks/index.js';

describe('openAIModelInfo', () => {
  it('has the SPEC.md contexts, encodings and prices of the known snapshots', () => {
    const rows = [
      ['gpt-4o-2024-08-06', 'o200k_base', 65_536, 25],
      ['gpt-4o-mini-2024-07-18', 'o200k_base', 65_536, 3],
      ['gpt-3.5-turbo-0125', 'cl100k_base', 16_385, 8],
      ['gpt-3.5-turbo-1106', 'cl100k_base', 16_385, null],
      ['gpt-3.5-turbo-0613', 'cl100k_base', 4_096, null],
      ['gpt-4-0613', 'cl100k_base', null, null],
      ['gpt-4.1-2025-04-14', 'o200k_base', null, null],
      ['gpt-4.1-mini-2025-04-14', 'o200k_base', null, null],
      ['gpt-4.1-nano-2025-04-14', 'o200k_base', null, null],
      ['o4-mini-2025-04-16', 'o200k_base', null, null],
      ['babbage-002', 'cl100k_base', null, null],
      ['davinci-002', 'cl100k_base', null, null],
    ] as const;
    for (const [id, encoding, trainingContext, price] of rows) {
      expect(openAIModelInfo(id)).toMatchObject({
        id,
        base: id,
        encoding,
        trainingContext,
        usdPerMillionTrainingTokens: price,
        minExamples: 10,
        known: true,
      });
    }
  });

  it('says why a figure is missing', () => {
    expect(openAIModelInfo('gpt-3.5-turbo-0125').notes).toEqual([]);
    expect(openAIModelInfo('gpt-4.1-mini-2025-04-14').notes.join('\n')).toMatch(
      /context of the gpt-4\.1 family not known[\s\S]*price not known for certain/,
    );
    expect(openAIModelInfo('davinci-002').notes.join('\n')).toMatch(/from memory/);
    expect(openAIModelInfo('gpt-3.5-turbo-0613').notes.join('\n')).toMatch(/price not known/);
  });

  it('resolves a fine-tuned id to its base (continued training)', () => {
    const info = openAIModelInfo('ft:gpt-3.5-turbo-0125:openai-gtm:drone:9atiPjeC');
    expect(info).toMatchObject({
      id: 'ft:gpt-3.5-turbo-0125:openai-gtm:drone:9atiPjeC',
      base: 'gpt-3.5-turbo-0125',
      encoding: 'cl100k_base',
      trainingContext: 16_385,
      usdPerMillionTrainingTokens: 8,
      known: true,
    });
    expect(info.notes[0]).toMatch(
      /continued training of ft:gpt-3\.5-turbo-0125.*base gpt-3\.5-turbo-0125/,
    );
    // An empty suffix slot and a checkpoint id resolve the same way.
    expect(openAIModelInfo('ft:davinci-002:arcade-labs::8AO3Tcpr').base).toBe('davinci-002');
    expect(openAIModelInfo('ft:gpt-4o-mini-2024-07-18:org:x:abcdefgh:ckpt-step-100')).toMatchObject(
      {base: 'gpt-4o-mini-2024-07-18', trainingContext: 65_536, known: true},
    );
  });

  it('treats an unknown id as unknown: o200k_base, no context, no price', () => {
    const info = openAIModelInfo('my-own-model');
    expect(info).toEqual({
      id: 'my-own-model',
      base: 'my-own-model',
      encoding: 'o200k_base',
      trainingContext: null,
      usdPerMillionTrainingTokens: null,
      minExamples: 10,
      known: false,
      notes: ['unknown model: statistics use o200k_base, no context limit or price known'],
    });
    expect(openAIModelInfo('ft:').known).toBe(false);
  });

  it('takes the encoding of its family for an id that is not in the table', () => {
    const family = [
      ['gpt-3.5-turbo', 'cl100k_base'],
      ['gpt-4-turbo', 'cl100k_base'],
      ['gpt-4', 'cl100k_base'],
      ['gpt-4o-mini', 'o200k_base'],
      ['gpt-4.1-2099-01-01', 'o200k_base'],
      ['o3-mini', 'o200k_base'],
      ['o1', 'o200k_base'],
    ] as const;
    for (const [id, encoding] of family) {
      const info = openAIModelInfo(id);
      expect(info).toMatchObject({encoding, known: false, trainingContext: null});
      expect(info.usdPerMillionTrainingTokens).toBeNull();
      expect(info.notes.join('\n')).toMatch(new RegExp(`not in ft's table.*${encoding}`));
    }
    // The spec's example id has an undated base: its family's encoding, no figures.
    expect(openAIModelInfo('ft:gpt-4o-mini:openai:custom-model-name:7p4lURel')).toMatchObject({
      base: 'gpt-4o-mini',
      encoding: 'o200k_base',
      known: false,
    });
  });
});
