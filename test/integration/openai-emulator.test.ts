import {createReadStream, readFileSync} from 'node:fs';
import {fileURLToPath} from 'node:url';
import OpenAI, {type APIError} from 'openai';
import {describe, expect, it} from 'vitest';
import {chatJsonl, client, uploadJsonl, useEmulator} from '../helpers/emulator.js';

const TOY = fileURLToPath(new URL('../fixtures/data/toy_chat_fine_tuning.jsonl', import.meta.url));

describe('OpenAI emulator: files', () => {
  it('uploads a real JSONL file, lists, retrieves, downloads and deletes it', async () => {
    const emu = await useEmulator();
    const api = client(emu);
    const {data: file, request_id} = await api.files
      .create({file: createReadStream(TOY), purpose: 'fine-tune'})
      .withResponse();
    expect(request_id).toMatch(/^req_[0-9a-f]{32}$/);
    expect(file).toMatchObject({
      object: 'file',
      filename: 'toy_chat_fine_tuning.jsonl',
      purpose: 'fine-tune',
      status: 'processed',
      bytes: readFileSync(TOY).length,
    });
    expect(file.id).toMatch(/^file-[A-Za-z0-9]{24}$/);
    const second = await uploadJsonl(api, chatJsonl(12), 'second.jsonl');

    expect((await api.files.retrieve(file.id)).id).toBe(file.id);
    const listed = await api.files.list({purpose: 'fine-tune'});
    expect(listed.data.map((f) => f.id)).toEqual([second.id, file.id]); // newest first
    const asc = await api.files.list({order: 'asc', limit: 1});
    expect(asc.data.map((f) => f.id)).toEqual([file.id]);
    expect(asc.hasNextPage()).toBe(true);
    expect((await asc.getNextPage()).data.map((f) => f.id)).toEqual([second.id]);

    const content = await (await api.files.content(file.id)).text();
    expect(content).toBe(readFileSync(TOY, 'utf8'));

    expect(await api.files.delete(file.id)).toEqual({id: file.id, object: 'file', deleted: true});
    const gone = await api.files.retrieve(file.id).catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(OpenAI.NotFoundError);
    expect((gone as APIError).requestID).toMatch(/^req_/);
  });

  it('rejects a fine-tune upload that is not JSONL with the API error shape', async () => {
    const emu = await useEmulator();
    const api = client(emu);
    const bad = await uploadJsonl(api, '{"messages": []}\nnot json\n').catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(OpenAI.BadRequestError);
    expect((bad as APIError).error).toEqual({
      message: 'Invalid file format. Line 2 is not valid JSON.',
      type: 'invalid_request_error',
      param: 'file',
      code: 'invalid_file_format',
    });
    const csv = await uploadJsonl(api, chatJsonl(10), 'train.csv').catch((e: unknown) => e);
    expect((csv as APIError).status).toBe(400);
  });
});

describe('OpenAI emulator: fine-tuning jobs', () => {
  it('runs a job to succeeded, with events, checkpoints, a result file, a model and chat', async () => {
    const emu = await useEmulator();
    const api = client(emu);
    const training = await uploadJsonl(api, chatJsonl(12));
    const validation = await uploadJsonl(api, chatJsonl(10), 'valid.jsonl');
    const created = await api.fineTuning.jobs.create({
      model: 'gpt-4o-mini',
      training_file: training.id,
      validation_file: validation.id,
      suffix: 'demo',
      seed: 42,
      metadata: {run: 'r1'},
      method: {type: 'supervised', supervised: {hyperparameters: {n_epochs: 4}}},
    });
    expect(created).toMatchObject({
      object: 'fine_tuning.job',
      model: 'gpt-4o-mini-2024-07-18',
      status: 'validating_files',
      seed: 42,
      metadata: {run: 'r1'},
      fine_tuned_model: null,
      error: null,
      hyperparameters: {n_epochs: 4, batch_size: 'auto', learning_rate_multiplier: 'auto'},
    });
    expect(created.id).toMatch(/^ftjob-[A-Za-z0-9]{24}$/);

    // The clock is the client's polling: each retrieve is one tick.
    const seen: string[] = [created.status];
    let job = created;
    while (!['succeeded', 'failed', 'cancelled'].includes(job.status)) {
      job = await api.fineTuning.jobs.retrieve(created.id);
      if (seen[seen.length - 1] !== job.status) seen.push(job.status);
    }
    expect(seen).toEqual(['validating_files', 'queued', 'running', 'succeeded']);
    expect(job.fine_tuned_model).toMatch(
      /^ft:gpt-4o-mini-2024-07-18:emulator-org:demo:[A-Za-z0-9]{8}$/,
    );
    expect(job.hyperparameters).toEqual({n_epochs: 4, batch_size: 1, learning_rate_multiplier: 2});
    expect(job.method?.supervised?.hyperparameters).toEqual(job.hyperparameters);
    expect(job.trained_tokens).toBeGreaterThan(0);
    expect(job.finished_at).toBeGreaterThan(job.created_at);

    // Events: newest first, paginated by the SDK's cursor iteration.
    const events = [];
    for await (const e of api.fineTuning.jobs.listEvents(job.id, {limit: 7})) events.push(e);
    expect(events[0]?.message).toBe('The job has successfully completed');
    expect(events[events.length - 1]?.message).toBe(`Created fine-tuning job: ${job.id}`);
    const metrics = events.filter((e) => e.type === 'metrics');
    expect(metrics).toHaveLength(48); // 12 examples, batch 1, 4 epochs
    expect(metrics[0]?.data).toMatchObject({step: 48, total_steps: 48});
    expect(metrics[0]?.message).toMatch(
      /^Step 48\/48: training loss=\d\.\d\d, validation loss=\d\.\d\d$/,
    );
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);

    // Checkpoints: one per epoch, the last 3 kept, newest step first.
    const ckpts = await api.fineTuning.jobs.checkpoints.list(job.id);
    expect(ckpts.data.map((c) => c.step_number)).toEqual([48, 36, 24]);
    expect(ckpts.data[0]?.fine_tuned_model_checkpoint).toBe(`${job.fine_tuned_model}:ckpt-step-48`);
    expect(ckpts.data[0]?.metrics).toHaveProperty('full_valid_loss');

    // The result file: a CSV of step metrics.
    const [resultId] = job.result_files;
    const resultFile = await api.files.retrieve(resultId ?? '');
    expect(resultFile).toMatchObject({purpose: 'fine-tune-results', filename: 'step_metrics.csv'});
    const csv = (await (await api.files.content(resultFile.id)).text()).trim().split('\n');
    expect(csv[0]).toBe('step,train_loss,train_accuracy,valid_loss,valid_mean_token_accuracy');
    expect(csv).toHaveLength(49);

    // The model exists; chat is deterministic and "remembers" the training data.
    const ftModel = job.fine_tuned_model ?? '';
    expect(await api.models.retrieve(ftModel)).toMatchObject({id: ftModel, object: 'model'});
    const ask = (model: string, q: string) =>
      api.chat.completions.create({model, messages: [{role: 'user', content: q}]});
    const learned = await ask(ftModel, 'question 3');
    expect(learned.choices[0]?.message.content).toBe('answer 3');
    const base = await ask('gpt-4o-mini', 'question 3');
    expect(base.choices[0]?.message.content).toMatch(/^Emulated reply [0-9a-f]{16}$/);
    expect((await ask('gpt-4o-mini', 'question 3')).choices[0]?.message.content).toBe(
      base.choices[0]?.message.content,
    );
    expect(emu.state.jobs.get(job.id)?.json.status).toBe('succeeded');
  });

  it('fails a job whose training file has fewer than 10 examples with invalid_n_examples', async () => {
    const emu = await useEmulator();
    const api = client(emu);
    const toy = await api.files.create({file: createReadStream(TOY), purpose: 'fine-tune'});
    const job = await api.fineTuning.jobs.create({model: 'gpt-4o-mini', training_file: toy.id});
    const failed = await api.fineTuning.jobs.retrieve(job.id);
    expect(failed.status).toBe('failed');
    expect(failed.error).toEqual({
      code: 'invalid_n_examples',
      message: 'Training file has 5 example(s), but must have at least 10 examples',
      param: 'training_file',
    });
    expect(failed.finished_at).toBeNull();
  });

  it('takes legacy hyperparameters and the dpo method, and resolves "auto"', async () => {
    const emu = await useEmulator();
    const api = client(emu);
    const f = await uploadJsonl(api, chatJsonl(20));
    const legacy = await api.fineTuning.jobs.create({
      model: 'gpt-4.1-mini',
      training_file: f.id,
      hyperparameters: {n_epochs: 1, batch_size: 4},
    });
    expect(legacy.method).toEqual({
      type: 'supervised',
      supervised: {hyperparameters: {n_epochs: 1, batch_size: 4, learning_rate_multiplier: 'auto'}},
    });
    expect(emu.runJob(legacy.id).hyperparameters).toEqual({
      n_epochs: 1,
      batch_size: 4,
      learning_rate_multiplier: 2,
    });

    const dpoLines = Array.from({length: 10}, (_, i) =>
      JSON.stringify({
        input: {messages: [{role: 'user', content: `p${i}`}]},
        preferred_output: [{role: 'assistant', content: `good ${i}`}],
        non_preferred_output: [{role: 'assistant', content: `bad ${i}`}],
      }),
    ).join('\n');
    const d = await uploadJsonl(api, dpoLines, 'dpo.jsonl');
    const dpo = await api.fineTuning.jobs.create({
      model: 'gpt-4o-mini-2024-07-18',
      training_file: d.id,
      method: {type: 'dpo', dpo: {hyperparameters: {beta: 0.2}}},
    });
    const done = emu.runJob(dpo.id);
    expect(done.status).toBe('succeeded');
    expect(done.method?.dpo?.hyperparameters).toEqual({
      beta: 0.2,
      n_epochs: 10,
      batch_size: 1,
      learning_rate_multiplier: 2,
    });
    const chat = await api.chat.completions.create({
      model: done.fine_tuned_model ?? '',
      messages: [{role: 'user', content: 'p7'}],
    });
    expect(chat.choices[0]?.message.content).toBe('good 7');
  });

  it('lists jobs newest first with a metadata filter and cursor pagination', async () => {
    const emu = await useEmulator();
    const api = client(emu);
    const f = await uploadJsonl(api, chatJsonl(10));
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const j = await api.fineTuning.jobs.create({
        model: 'gpt-4o-mini',
        training_file: f.id,
        ...(i < 4 ? {metadata: {run: i % 2 === 0 ? 'even' : 'odd'}} : {}),
      });
      ids.push(j.id);
    }
    const newest = [...ids].reverse();
    const first = await api.fineTuning.jobs.list({limit: 2});
    expect(first.data.map((j) => j.id)).toEqual(newest.slice(0, 2));
    expect(first.has_more).toBe(true);
    const all: string[] = [];
    for await (const j of api.fineTuning.jobs.list({limit: 2})) all.push(j.id);
    expect(all).toEqual(newest);
    const even = await api.fineTuning.jobs.list({metadata: {run: 'even'}});
    expect(even.data.map((j) => j.id)).toEqual([ids[2], ids[0]]);
    expect(even.has_more).toBe(false);
    const after = await api.fineTuning.jobs.list({after: newest[1], limit: 10});
    expect(after.data.map((j) => j.id)).toEqual(newest.slice(2));
    // metadata=null: the jobs without metadata.
    const res = await fetch(`${emu.url}/v1/fine_tuning/jobs?metadata=null`, {
      headers: {authorization: 'Bearer k'},
    });
    const body = (await res.json()) as {data: {id: string}[]};
    expect(body.data.map((j) => j.id)).toEqual([ids[4]]);
  });

  it('pauses, resumes and cancels a job; a paused job does not move', async () => {
    const emu = await useEmulator();
    const api = client(emu);
    const f = await uploadJsonl(api, chatJsonl(10));
    const job = await api.fineTuning.jobs.create({model: 'gpt-4o-mini', training_file: f.id});
    await api.fineTuning.jobs.retrieve(job.id); // queued
    expect((await api.fineTuning.jobs.retrieve(job.id)).status).toBe('running');
    expect((await api.fineTuning.jobs.pause(job.id)).status).toBe('paused');
    expect((await api.fineTuning.jobs.retrieve(job.id)).status).toBe('paused');
    expect((await api.fineTuning.jobs.resume(job.id)).status).toBe('queued');
    expect((await api.fineTuning.jobs.retrieve(job.id)).status).toBe('running');
    expect((await api.fineTuning.jobs.cancel(job.id)).status).toBe('cancelled');
    expect((await api.fineTuning.jobs.retrieve(job.id)).status).toBe('cancelled');
    const again = await api.fineTuning.jobs.cancel(job.id).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(OpenAI.BadRequestError);
    const resumeBad = await api.fineTuning.jobs.resume(job.id).catch((e: unknown) => e);
    expect((resumeBad as APIError).status).toBe(400);
    const messages = (await api.fineTuning.jobs.listEvents(job.id, {limit: 50})).data.map(
      (e) => e.message,
    );
    expect(messages.slice(0, 3)).toEqual([
      'Fine-tuning job cancelled',
      'Fine-tuning job started',
      'Fine-tuning job resumed',
    ]);
  });
});

describe('OpenAI emulator: strict requests and responses', () => {
  it('answers malformed requests with 400 and the API error shape', async () => {
    const emu = await useEmulator();
    const api = client(emu);
    const f = await uploadJsonl(api, chatJsonl(10));
    const err = async (p: Promise<unknown>) => (await p.catch((e: unknown) => e)) as APIError;

    const missing = await err(api.fineTuning.jobs.create({model: 'gpt-4o-mini'} as never));
    expect(missing).toBeInstanceOf(OpenAI.BadRequestError);
    expect(missing.error).toEqual({
      message: "Missing required parameter: 'training_file'.",
      type: 'invalid_request_error',
      param: 'training_file',
      code: 'missing_required_parameter',
    });
    expect(missing.requestID).toMatch(/^req_/);

    const badEpochs = await err(
      api.fineTuning.jobs.create({
        model: 'gpt-4o-mini',
        training_file: f.id,
        method: {type: 'supervised', supervised: {hyperparameters: {n_epochs: 0}}},
      }),
    );
    expect(badEpochs.status).toBe(400);
    expect(badEpochs.error).toEqual({
      message:
        "Invalid 'method.supervised.hyperparameters.n_epochs': integer below minimum value. Expected a value >= 1, but got 0 instead.",
      type: 'invalid_request_error',
      param: 'method.supervised.hyperparameters.n_epochs',
      code: 'integer_below_min_value',
    });
    const longSuffix = await err(
      api.fineTuning.jobs.create({
        model: 'gpt-4o-mini',
        training_file: f.id,
        suffix: 'x'.repeat(65),
      }),
    );
    expect(longSuffix.code).toBe('string_above_max_length');

    const unknownArg = await err(
      api.fineTuning.jobs.create({
        model: 'gpt-4o-mini',
        training_file: f.id,
        colour: 'red',
      } as never),
    );
    expect(unknownArg.error).toMatchObject({
      message: 'Unrecognized request argument supplied: colour',
    });

    const badMethod = await err(
      api.fineTuning.jobs.create({
        model: 'gpt-4o-mini',
        training_file: f.id,
        method: {type: 'magic'},
      } as never),
    );
    expect(badMethod.code).toBe('invalid_value');

    const badModel = await err(api.fineTuning.jobs.create({model: 'gpt-9', training_file: f.id}));
    expect(badModel.error).toEqual({
      message: 'Model gpt-9 is not available for fine-tuning or does not exist.',
      type: 'invalid_request_error',
      param: 'model',
      code: 'model_not_available',
    });

    const badLimit = await err(api.fineTuning.jobs.list({limit: 'many' as never}));
    expect(badLimit.status).toBe(400);
    expect(badLimit.param).toBe('limit');

    const noJob = await err(api.fineTuning.jobs.retrieve('ftjob-nope'));
    expect(noJob).toBeInstanceOf(OpenAI.NotFoundError);

    const noModel = await err(api.models.retrieve('ft:gpt-4o-mini:x::nope'));
    expect(noModel.code).toBe('model_not_found');

    // Below the SDK: bad JSON, no key, an unknown URL. Each still gets the shape and a request id.
    const raw = await fetch(`${emu.url}/v1/fine_tuning/jobs`, {
      method: 'POST',
      headers: {authorization: 'Bearer k', 'content-type': 'application/json'},
      body: '{"model": ',
    });
    expect(raw.status).toBe(400);
    expect(raw.headers.get('x-request-id')).toMatch(/^req_/);
    expect(((await raw.json()) as {error: {message: string}}).error.message).toMatch(
      /could not parse the JSON body/,
    );
    const noKey = await fetch(`${emu.url}/v1/fine_tuning/jobs`);
    expect(noKey.status).toBe(401);
    expect(((await noKey.json()) as {error: {type: string}}).error.type).toBe(
      'invalid_request_error',
    );
    const noUrl = await fetch(`${emu.url}/v1/fine_tunes`, {headers: {authorization: 'Bearer k'}});
    expect(noUrl.status).toBe(404);
    expect(await noUrl.json()).toEqual({
      error: {
        message: 'Invalid URL (GET /v1/fine_tunes)',
        type: 'invalid_request_error',
        param: null,
        code: null,
      },
    });
  });

  it('fails loudly when its own response would violate openapi.yaml, and records it', async () => {
    const emu = await useEmulator({advanceOnRetrieve: false});
    const api = client(emu, 2);
    const f = await uploadJsonl(api, chatJsonl(10));
    const job = await api.fineTuning.jobs.create({model: 'gpt-4o-mini', training_file: f.id});
    const record = emu.state.jobs.get(job.id);
    if (!record) throw new Error('job missing');
    (record.json as {status: string}).status = 'exploded';
    const err = (await api.fineTuning.jobs.retrieve(job.id).catch((e: unknown) => e)) as APIError;
    expect(err).toBeInstanceOf(OpenAI.InternalServerError);
    expect(err.message).toMatch(
      /EMULATOR BUG: the 200 response of retrieveFineTuningJob violates openapi\.yaml/,
    );
    expect(emu.requests.filter((r) => r.operation === 'retrieveFineTuningJob')).toHaveLength(1); // not retried
    expect(emu.schemaViolations).toHaveLength(1);
    expect(emu.schemaViolations[0]?.errors).toMatch(/\/status/);
    emu.schemaViolations.length = 0; // seen; the after-test check wants none left
  });
});
