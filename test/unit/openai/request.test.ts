import {describe, expect, it} from 'vitest';
import type {Sha256} from '../../../src/core/hash.js';
import {checkBudget} from '../../../src/openai/budget.js';
import {canonicalRequest, jobCreateBody} from '../../../src/openai/request.js';
import {metricsFromCsv, modelOutputBytes} from '../../../src/openai/results.js';
import {keyOf, remoteTrainFingerprint} from '../../../src/plan/fingerprint.js';
import type {OpenAIBackend} from '../../../src/recipe/recipe-types.js';

const hash = (c: string) => `sha256:${c.repeat(64)}` as Sha256;
const backend: OpenAIBackend = {type: 'openai', model: 'gpt-4o-mini-2024-07-18', suffix: 'router'};
const files = {train: hash('c'), validation: hash('d')};

describe('the OpenAI train key', () => {
  it('is the hash of the canonical request, pinned so it cannot drift', () => {
    const request = canonicalRequest(backend, {n_epochs: 3}, 7, files);
    expect(request).toEqual({
      model: 'gpt-4o-mini-2024-07-18',
      method: 'supervised',
      hyperparameters: {n_epochs: 3},
      suffix: 'router',
      seed: 7,
      training_file: hash('c'),
      validation_file: hash('d'),
    });
    // sha256 of the fingerprint's canonical JSON, computed independently (Python json.dumps with
    // sorted keys, no spaces). Changing it orphans every paid job users have: only on purpose.
    expect(keyOf(remoteTrainFingerprint({...request}))).toBe(
      'sha256:3bbcb0fba0be15d02c07af92630c81d863481116c36b7f62a82283a8ae9719a6',
    );
  });

  it('leaves out guards and routing; reads only the method’s hyperparameters', () => {
    const key = (b: OpenAIBackend, h = {n_epochs: 3}) =>
      keyOf(remoteTrainFingerprint({...canonicalRequest(b, h, 7, files)}));
    const same = key(backend);
    expect(
      key({
        ...backend,
        budget_usd: 99,
        price_per_1m_tokens: 4,
        base_url: 'https://proxy.example/v1',
        azure: {endpoint: 'https://x.openai.azure.com', api_version: '2025-04-01-preview'},
      }),
    ).toBe(same);
    // beta is DPO's: a supervised request does not carry it
    expect(key(backend, {n_epochs: 3, beta: 0.5} as never)).toBe(same);
    expect(key({...backend, method: 'dpo'})).not.toBe(same);
    expect(key(backend, {n_epochs: 4})).not.toBe(same);
  });

  it('sends the key as metadata, and a DPO method with its hyperparameters', () => {
    const request = canonicalRequest({...backend, method: 'dpo'}, {beta: 0.1}, 7, files);
    expect(jobCreateBody(request, {train: 'file-a'}, hash('e'))).toEqual({
      model: 'gpt-4o-mini-2024-07-18',
      training_file: 'file-a',
      suffix: 'router',
      seed: 7,
      method: {type: 'dpo', dpo: {hyperparameters: {beta: 0.1}}},
      metadata: {ft_stage_key: hash('e')},
    });
  });
});

describe('results and budget', () => {
  it('reads the metrics CSV, plain or base64, into metrics.jsonl lines', () => {
    const csv =
      'step,train_loss,train_accuracy,valid_loss,valid_mean_token_accuracy\n2,0.5,0.9,,\n1,1.5,0.1,1.7,0.2\n';
    const lines = [
      {step: 1, loss: 1.5, eval_loss: 1.7},
      {step: 2, loss: 0.5},
    ];
    expect(metricsFromCsv(csv)).toEqual(lines);
    expect(metricsFromCsv(Buffer.from(csv).toString('base64'))).toEqual(lines);
  });

  it('writes the model output canonically', () => {
    expect(
      modelOutputBytes({model: 'ft:x:o::abc', base: 'x', job: 'ftjob-1', organization_id: 'org-1'}),
    ).toBe(
      '{"backend":"openai","base_model":"x","fine_tuned_model":"ft:x:o::abc","job":"ftjob-1","organization_id":"org-1"}\n',
    );
  });

  it('refuses past the budget, and an unknown price unless allowed', () => {
    expect(checkBudget(undefined, 'm', {charged_tokens: 1, usd: 100}, false).ok).toBe(true);
    expect(checkBudget(10, 'm', {charged_tokens: 1, usd: 11}, false).ok).toBe(false);
    expect(checkBudget(10, 'm', {charged_tokens: 1, usd: 9}, false).ok).toBe(true);
    expect(checkBudget(10, 'm', {charged_tokens: 1, usd: null}, false).ok).toBe(false);
    expect(checkBudget(10, 'm', {charged_tokens: 1, usd: null}, true).ok).toBe(true);
  });
});
