import OpenAI, {type APIError} from 'openai';
import {describe, expect, it} from 'vitest';
import {WIND_DOWN_MESSAGE} from '../emulator/faults.js';
import {azureClient, chatJsonl, client, uploadJsonl, useEmulator} from '../helpers/emulator.js';

const err = async (p: Promise<unknown>) => (await p.catch((e: unknown) => e)) as APIError;

describe('OpenAI emulator: faults on demand, as the SDK sees them', () => {
  it('429 with retry-after: the SDK waits what the header says and retries', async () => {
    const emu = await useEmulator();
    const api = client(emu, 2);
    emu.faults.add({kind: 'rate_limit', operation: 'listPaginatedFineTuningJobs', retryAfter: 1});
    const page = await api.fineTuning.jobs.list();
    expect(page.data).toEqual([]);
    const tries = emu.requests.filter((r) => r.operation === 'listPaginatedFineTuningJobs');
    expect(tries.map((r) => [r.status, r.retryCount])).toEqual([
      [429, 0],
      [200, 1],
    ]);
    // A lower bound only: the SDK's own backoff for a first retry is at most 0.5 s, so a gap of
    // ~1 s shows it honoured `retry-after: 1`.
    expect((tries[1]?.at ?? 0) - (tries[0]?.at ?? 0)).toBeGreaterThanOrEqual(900);

    emu.faults.add({kind: 'rate_limit', path: '/fine_tuning/jobs', method: 'GET', count: null});
    const limited = await err(client(emu, 0).fineTuning.jobs.list());
    expect(limited).toBeInstanceOf(OpenAI.RateLimitError);
    expect(limited.headers?.get('retry-after')).toBe('1');
    expect(limited.code).toBe('rate_limit_exceeded');
  });

  it('500: surfaces as InternalServerError without retries and is retried with them', async () => {
    const emu = await useEmulator();
    emu.faults.add({kind: 'server_error', method: 'GET', path: '/models/*', count: 2});
    const e = await err(client(emu, 0).models.retrieve('gpt-4o-mini'));
    expect(e).toBeInstanceOf(OpenAI.InternalServerError);
    expect(e.requestID).toBe(emu.requests[0]?.requestId);
    // One failure left in the rule; the SDK's retry gets past it (the default backoff, < 1 s).
    const model = await client(emu, 1).models.retrieve('gpt-4o-mini');
    expect(model.id).toBe('gpt-4o-mini');
  });

  it('403 refusal: the wind-down message and the request id reach the caller; no job is made', async () => {
    const emu = await useEmulator();
    const api = client(emu, 2);
    const f = await uploadJsonl(api, chatJsonl(10));
    emu.faults.add({kind: 'refuse', operation: 'createFineTuningJob', count: null});
    const e = await err(api.fineTuning.jobs.create({model: 'gpt-4o-mini', training_file: f.id}));
    expect(e).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect(e.status).toBe(403);
    expect(e.message).toContain(WIND_DOWN_MESSAGE);
    const sent = emu.requests.filter((r) => r.operation === 'createFineTuningJob');
    expect(sent).toHaveLength(1); // 403 is not retried
    expect(e.requestID).toBe(sent[0]?.requestId);
    expect(emu.state.jobs.size).toBe(0);
  });

  it('a connection dropped before acting leaves nothing; one dropped after acting leaves a real job', async () => {
    const emu = await useEmulator();
    const api = client(emu, 0);
    const f = await uploadJsonl(api, chatJsonl(10));
    const create = () =>
      api.fineTuning.jobs.create({
        model: 'gpt-4o-mini',
        training_file: f.id,
        metadata: {run: 'x1'},
      });

    emu.faults.add({kind: 'drop_before', operation: 'createFineTuningJob'});
    expect(await err(create())).toBeInstanceOf(OpenAI.APIConnectionError);
    expect(emu.state.jobs.size).toBe(0);

    emu.faults.add({kind: 'drop_after', operation: 'createFineTuningJob'});
    expect(await err(create())).toBeInstanceOf(OpenAI.APIConnectionError);
    const found = await api.fineTuning.jobs.list({metadata: {run: 'x1'}});
    expect(found.data).toHaveLength(1); // the client saw an error, but the job exists

    // With retries, the SDK re-sends the POST: the API has no idempotency key, so it duplicates.
    emu.faults.add({kind: 'drop_after', operation: 'createFineTuningJob'});
    await client(emu, 1).fineTuning.jobs.create({
      model: 'gpt-4o-mini',
      training_file: f.id,
      metadata: {run: 'x2'},
    });
    expect((await api.fineTuning.jobs.list({metadata: {run: 'x2'}})).data).toHaveLength(2);
  });

  it('a job list that lags behind a create, and a job that fails after being created', async () => {
    const emu = await useEmulator();
    const api = client(emu, 0);
    const f = await uploadJsonl(api, chatJsonl(10));
    emu.faults.add({kind: 'list_lag', operation: 'createFineTuningJob', lagCalls: 2});
    const lagging = await api.fineTuning.jobs.create({model: 'gpt-4o-mini', training_file: f.id});
    expect((await api.fineTuning.jobs.list()).data).toEqual([]);
    expect((await api.fineTuning.jobs.list()).data).toEqual([]);
    expect((await api.fineTuning.jobs.retrieve(lagging.id)).id).toBe(lagging.id);
    expect((await api.fineTuning.jobs.list()).data.map((j) => j.id)).toEqual([lagging.id]);

    emu.faults.add({
      kind: 'fail_job',
      operation: 'createFineTuningJob',
      failWith: {code: 'server_error', message: 'Internal error while training.'},
    });
    const doomed = await api.fineTuning.jobs.create({model: 'gpt-4o-mini', training_file: f.id});
    expect(doomed.status).toBe('validating_files');
    const failed = emu.runJob(doomed.id);
    expect(failed.status).toBe('failed');
    expect(failed.error).toEqual({
      code: 'server_error',
      message: 'Internal error while training.',
      param: null,
    });
    const retrieved = await api.fineTuning.jobs.retrieve(doomed.id);
    expect(retrieved.error?.code).toBe('server_error');
  });

  it('slow responses: a client timeout shorter than the delay sees a timeout error', async () => {
    const emu = await useEmulator();
    emu.faults.add({kind: 'slow', operation: 'retrieveModel', delayMs: 400});
    const e = await err(client(emu, 0, {timeout: 50}).models.retrieve('gpt-4o-mini'));
    expect(e).toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
    // The next one is not slowed (count defaults to 1).
    expect((await client(emu, 0).models.retrieve('gpt-4o-mini')).id).toBe('gpt-4o-mini');
  });

  it('faults can be set over HTTP (POST /__emulator/faults) and jobs ticked (POST /__emulator/advance)', async () => {
    const emu = await useEmulator({advanceOnRetrieve: false});
    const api = client(emu, 0);
    const set = await fetch(`${emu.url}/__emulator/faults`, {
      method: 'POST',
      headers: {'content-type': 'application/json'},
      body: JSON.stringify({
        faults: [
          {
            kind: 'http_error',
            status: 503,
            operation: 'listFiles',
            error: {message: 'Overloaded', type: 'server_error'},
          },
        ],
      }),
    });
    expect(((await set.json()) as {ids: string[]}).ids).toHaveLength(1);
    const e = await err(api.files.list());
    expect(e.status).toBe(503);
    expect(e.message).toContain('Overloaded');

    const f = await uploadJsonl(api, chatJsonl(10));
    const job = await api.fineTuning.jobs.create({model: 'gpt-4o-mini', training_file: f.id});
    expect((await api.fineTuning.jobs.retrieve(job.id)).status).toBe('validating_files');
    const adv = await fetch(`${emu.url}/__emulator/advance`, {
      method: 'POST',
      headers: {'content-type': 'application/json'},
      body: JSON.stringify({job_id: job.id, ticks: 2}),
    });
    expect(((await adv.json()) as {jobs: {status: string}[]}).jobs[0]?.status).toBe('running');
    const state = (await (await fetch(`${emu.url}/__emulator/state`)).json()) as {
      schema_violations: unknown[];
    };
    expect(state.schema_violations).toEqual([]);
    await fetch(`${emu.url}/__emulator/faults`, {method: 'DELETE'});
    expect(emu.faults.list()).toEqual([]);
  });
});

describe('OpenAI emulator: Azure mode', () => {
  it('serves /openai/* with api-version and api-key through AzureOpenAI', async () => {
    const emu = await useEmulator();
    const az = azureClient(emu);
    const f = await az.files.create({
      file: await (await import('openai')).toFile(Buffer.from(chatJsonl(10)), 'train.jsonl'),
      purpose: 'fine-tune',
    });
    const job = await az.fineTuning.jobs.create({
      model: 'gpt-4o-mini-2024-07-18',
      training_file: f.id,
      suffix: 'az',
      metadata: {run: 'azure-1'},
    });
    expect(
      (await az.fineTuning.jobs.list({metadata: {run: 'azure-1'}})).data.map((j) => j.id),
    ).toEqual([job.id]);
    let j = job;
    while (j.status !== 'succeeded') j = await az.fineTuning.jobs.retrieve(job.id);
    expect(j.fine_tuned_model).toMatch(/^gpt-4o-mini-2024-07-18\.ft-[0-9a-f]{32}-az$/);
    const sent = emu.requests.filter((r) => r.operation !== undefined);
    expect(sent.every((r) => r.path.startsWith('/openai/'))).toBe(true);

    // Chat goes to /openai/deployments/{deployment}/chat/completions (the SDK names the
    // deployment by the model); a deployment answers once the model is deployed under it.
    const undeployed = await az.chat.completions
      .create({model: j.fine_tuned_model ?? '', messages: [{role: 'user', content: 'question 4'}]})
      .catch((e: unknown) => e as {status: number; code: string});
    expect(undeployed).toMatchObject({status: 404, code: 'DeploymentNotFound'});
    emu.deploy(j.fine_tuned_model ?? '', j.fine_tuned_model ?? '');
    const chat = await az.chat.completions.create({
      model: j.fine_tuned_model ?? '',
      messages: [{role: 'user', content: 'question 4'}],
    });
    expect(chat.choices[0]?.message.content).toBe('answer 4');
    expect(emu.requests[emu.requests.length - 1]?.path).toMatch(
      /^\/openai\/deployments\/.+\/chat\/completions$/,
    );

    const noVersion = await fetch(`${emu.url}/openai/fine_tuning/jobs`, {
      headers: {'api-key': 'k'},
    });
    expect(noVersion.status).toBe(400);
    const noKey = await fetch(`${emu.url}/openai/fine_tuning/jobs?api-version=2025-04-01-preview`);
    expect(noKey.status).toBe(401);
    expect(((await noKey.json()) as {error: {code: string}}).error.code).toBe('401');
  });
});
