import {describe, expect, it} from 'vitest';
import {
  DatasetReportBuilder,
  defaultEpochs,
  estimateOpenAI,
  openAIModelInfo,
} from '../../../../src/data/checks/index.js';
import {TOY_EXAMPLES} from '../../../fixtures/toy-dataset.js';

const toy = TOY_EXAMPLES;

function estimateToy(model: string, hyperparameters: {n_epochs?: number | 'auto'} = {}) {
  const info = openAIModelInfo(model);
  const builder = new DatasetReportBuilder(info);
  for (const example of toy) builder.add(example);
  return estimateOpenAI(builder.report(), info, hyperparameters, builder.billableTokens());
}

describe('estimateOpenAI on the toy dataset', () => {
  it('gives the cookbook figures for gpt-3.5-turbo-0125', () => {
    // 5*3 < 100 -> min(25, 100 // 5) = 20 epochs; 45+111+26+28+8032 = 8242 billable.
    expect(estimateToy('gpt-3.5-turbo-0125')).toEqual({
      epochs: 20,
      billable_tokens: 8242,
      charged_tokens: 164_840,
      usd: (164_840 / 1e6) * 8,
    });
  });

  it('caps each example at 4,096 for gpt-3.5-turbo-0613, whose price is unknown', () => {
    // 45+111+26+28+min(4096, 8032) = 4306, × 20 epochs.
    expect(estimateToy('gpt-3.5-turbo-0613')).toEqual({
      epochs: 20,
      billable_tokens: 4306,
      charged_tokens: 86_120,
      usd: null,
    });
  });

  it('uses the o200k_base counts and the $3 price for gpt-4o-mini', () => {
    // o200k_base totals 43+106+26+27+8031 = 8233 (under the 65,536 cap).
    expect(estimateToy('gpt-4o-mini-2024-07-18')).toEqual({
      epochs: 20,
      billable_tokens: 8233,
      charged_tokens: 164_660,
      usd: (164_660 / 1e6) * 3,
    });
  });

  it('takes n_epochs when set, and the default for auto', () => {
    expect(estimateToy('gpt-3.5-turbo-0125', {n_epochs: 2})).toEqual({
      epochs: 2,
      billable_tokens: 8242,
      charged_tokens: 16_484,
      usd: (16_484 / 1e6) * 8,
    });
    expect(estimateToy('gpt-3.5-turbo-0125', {n_epochs: 'auto'}).epochs).toBe(20);
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      expect(() => estimateToy('gpt-3.5-turbo-0125', {n_epochs: bad})).toThrow(RangeError);
    }
  });
});

describe('defaultEpochs (the notebook rule)', () => {
  it('raises epochs for small datasets: min(25, 100 // n) when n*3 < 100', () => {
    expect(defaultEpochs(1)).toBe(25);
    expect(defaultEpochs(3)).toBe(25); // 100 // 3 = 33
    expect(defaultEpochs(4)).toBe(25);
    expect(defaultEpochs(5)).toBe(20);
    expect(defaultEpochs(6)).toBe(16);
    expect(defaultEpochs(10)).toBe(10);
    expect(defaultEpochs(33)).toBe(3); // 99 < 100 -> 100 // 33 = 3
    expect(defaultEpochs(0)).toBe(25); // 100 // 0 taken as infinite
  });

  it('keeps 3 in between, bounds included', () => {
    expect(defaultEpochs(34)).toBe(3); // 102
    expect(defaultEpochs(1000)).toBe(3);
    expect(defaultEpochs(8333)).toBe(3); // 24999 is not > 25000
  });

  it('lowers epochs for large datasets: max(1, 25000 // n) when n*3 > 25000', () => {
    expect(defaultEpochs(8334)).toBe(2); // 25002 > 25000, 25000 // 8334 = 2
    expect(defaultEpochs(12_500)).toBe(2);
    expect(defaultEpochs(12_501)).toBe(1);
    expect(defaultEpochs(30_000)).toBe(1); // 25000 // 30000 = 0 -> 1
    expect(defaultEpochs(5_000_000)).toBe(1);
  });

  it('is what estimateOpenAI uses for n = report.examples', () => {
    const model = openAIModelInfo('gpt-4o-2024-08-06');
    expect(estimateOpenAI({examples: 10_000}, model, {}, 1_000_000)).toEqual({
      epochs: 2,
      billable_tokens: 1_000_000,
      charged_tokens: 2_000_000,
      usd: (2_000_000 / 1e6) * 25,
    });
  });

  it('gives no price for an empty dataset of an unknown model, and zero cost for a known one', () => {
    expect(estimateOpenAI({examples: 0}, openAIModelInfo('x'), {}, 0)).toEqual({
      epochs: 25,
      billable_tokens: 0,
      charged_tokens: 0,
      usd: null,
    });
    expect(estimateOpenAI({examples: 0}, openAIModelInfo('gpt-4o-2024-08-06'), {}, 0).usd).toBe(0);
  });
});
