import {createHash} from 'node:crypto';
import OpenAI, {toFile} from 'openai';
import {describe, expect, it} from 'vitest';
import {chatJsonl, client, useEmulator} from '../helpers/emulator.js';

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
const part = (b: Buffer) => toFile(b, 'part');

describe('OpenAI emulator: the Uploads API', () => {
  it('creates, takes parts, completes in the given order into a File jobs can train on', async () => {
    const emu = await useEmulator();
    const api = client(emu);
    const bytes = Buffer.from(`${chatJsonl(12)}\n`);
    const upload = await api.uploads.create({
      filename: 'big.jsonl',
      purpose: 'fine-tune',
      bytes: bytes.length,
      mime_type: 'text/jsonl',
    });
    expect(upload).toMatchObject({object: 'upload', status: 'pending', bytes: bytes.length});
    expect(upload.expires_at).toBe(upload.created_at + 3600);
    expect(upload.id).toMatch(/^upload_[A-Za-z0-9]{24}$/);
    const cut = Math.floor(bytes.length / 3);
    // Sent out of order; completion names the order.
    const p2 = await api.uploads.parts.create(upload.id, {data: await part(bytes.subarray(cut))});
    const p1 = await api.uploads.parts.create(upload.id, {
      data: await part(bytes.subarray(0, cut)),
    });
    expect(p1).toMatchObject({object: 'upload.part', upload_id: upload.id});
    const done = await api.uploads.complete(upload.id, {part_ids: [p1.id, p2.id], md5: md5(bytes)});
    expect(done.status).toBe('completed');
    expect(done.file).toMatchObject({
      object: 'file',
      filename: 'big.jsonl',
      bytes: bytes.length,
      purpose: 'fine-tune',
      status: 'processed',
    });
    const id = done.file!.id;
    expect(await (await api.files.content(id)).text()).toBe(bytes.toString());
    expect((await api.files.list({purpose: 'fine-tune'})).data.map((f) => f.id)).toContain(id);
    const job = await api.fineTuning.jobs.create({model: 'gpt-4o-mini', training_file: id});
    expect(emu.runJob(job.id).status).toBe('succeeded');

    // A completed Upload takes no more parts and cannot be completed or cancelled again.
    const more = await api.uploads.parts
      .create(upload.id, {data: await part(Buffer.from('x'))})
      .catch((e: unknown) => e);
    expect(more).toBeInstanceOf(OpenAI.BadRequestError);
    expect((more as Error).message).toContain('completed');
    expect(await api.uploads.cancel(upload.id).catch((e: unknown) => e)).toBeInstanceOf(
      OpenAI.BadRequestError,
    );
  });

  it('refuses a byte count or md5 that does not match, and parts to cancelled or expired Uploads', async () => {
    const emu = await useEmulator();
    const api = client(emu);
    const bytes = Buffer.from(`${chatJsonl(12)}\n`);
    const create = () =>
      api.uploads.create({
        filename: 'big.jsonl',
        purpose: 'fine-tune',
        bytes: bytes.length,
        mime_type: 'text/jsonl',
      });
    const u = await create();
    const short = await api.uploads.parts.create(u.id, {data: await part(bytes.subarray(1))});
    const count = await api.uploads
      .complete(u.id, {part_ids: [short.id]})
      .catch((e: unknown) => e as InstanceType<typeof OpenAI.APIError>);
    expect(count).toBeInstanceOf(OpenAI.BadRequestError);
    expect((count as InstanceType<typeof OpenAI.APIError>).error).toMatchObject({
      code: 'bytes_mismatch',
      message: expect.stringContaining(`(${bytes.length - 1})`),
    });
    const whole = await api.uploads.parts.create(u.id, {data: await part(bytes)});
    const sum = await api.uploads
      .complete(u.id, {part_ids: [whole.id], md5: md5(Buffer.from('other'))})
      .catch((e: unknown) => e as InstanceType<typeof OpenAI.APIError>);
    expect((sum as InstanceType<typeof OpenAI.APIError>).status).toBe(400);
    expect((sum as InstanceType<typeof OpenAI.APIError>).code).toBe('md5_mismatch');
    // Still pending after refusals: the right parts complete it (md5 optional).
    expect((await api.uploads.complete(u.id, {part_ids: [whole.id]})).status).toBe('completed');

    const cancelled = await create();
    expect((await api.uploads.cancel(cancelled.id)).status).toBe('cancelled');
    const late = await api.uploads.parts
      .create(cancelled.id, {data: await part(bytes)})
      .catch((e: unknown) => e);
    expect((late as Error).message).toContain('cancelled');

    const expiring = await create();
    emu.advanceClock(3601);
    const expired = await api.uploads.parts
      .create(expiring.id, {data: await part(bytes)})
      .catch((e: unknown) => e);
    expect((expired as Error).message).toContain('expired');

    // Strict like the rest: a missing field, an unknown one, the wrong mime type.
    const missing = await api.uploads
      .create({filename: 'a.jsonl', purpose: 'fine-tune', bytes: 3} as never)
      .catch((e: unknown) => e);
    expect((missing as Error).message).toContain("Missing required parameter: 'mime_type'");
    const mime = await api.uploads
      .create({filename: 'a.jsonl', purpose: 'fine-tune', bytes: 3, mime_type: 'text/csv'})
      .catch((e: unknown) => e);
    expect((mime as InstanceType<typeof OpenAI.APIError>).param).toBe('mime_type');
    const unknown = await api.uploads
      .complete(expiring.id, {part_ids: [], extra: 1} as never)
      .catch((e: unknown) => e);
    expect((unknown as Error).message).toContain('Unrecognized request argument supplied: extra');
  });

  it('faults apply to parts and completes like any operation', async () => {
    const emu = await useEmulator();
    const bytes = Buffer.from(`${chatJsonl(12)}\n`);
    emu.faults.add({kind: 'server_error', operation: 'addUploadPart', skip: 1});
    emu.faults.add({kind: 'drop_after', operation: 'completeUpload'});
    const api = client(emu, 2);
    const u = await api.uploads.create({
      filename: 'big.jsonl',
      purpose: 'fine-tune',
      bytes: bytes.length,
      mime_type: 'text/jsonl',
    });
    const a = await api.uploads.parts.create(u.id, {data: await part(bytes.subarray(0, 10))});
    const b = await api.uploads.parts.create(u.id, {data: await part(bytes.subarray(10))});
    const parts = emu.requests.filter((r) => r.operation === 'addUploadPart');
    expect(parts.map((r) => r.status)).toEqual([200, 500, 200]);
    // The complete is carried out, its answer lost; the SDK's retry finds it completed.
    const retried = await api.uploads
      .complete(u.id, {part_ids: [a.id, b.id]})
      .catch((e: unknown) => e);
    expect((retried as Error).message).toContain('completed');
    expect((await api.files.list()).data.map((f) => f.filename)).toEqual(['big.jsonl']);
  });
});

describe('OpenAI emulator: organizations', () => {
  it('names the key organization in openai-organization and hides other organizations objects', async () => {
    const emu = await useEmulator({organizations: {'sk-a': 'org-A', 'sk-b': 'org-B'}});
    const a = client(emu, 0, {apiKey: 'sk-a'});
    const b = client(emu, 0, {apiKey: 'sk-b'});
    const file = await a.files.create({
      file: await toFile(Buffer.from(chatJsonl(12)), 't.jsonl'),
      purpose: 'fine-tune',
    });
    const {data: job, response} = await a.fineTuning.jobs
      .create({model: 'gpt-4o-mini', training_file: file.id})
      .withResponse();
    expect(response.headers.get('openai-organization')).toBe('org-A');
    expect(job.organization_id).toBe('org-A');
    const model = emu.runJob(job.id).fine_tuned_model!;
    expect((await a.models.retrieve(model)).id).toBe(model);

    const gone = (await b.models.retrieve(model).catch((e: unknown) => e)) as InstanceType<
      typeof OpenAI.APIError
    >;
    expect(gone).toBeInstanceOf(OpenAI.NotFoundError);
    expect(gone.headers?.get('openai-organization')).toBe('org-B');
    expect(await b.fineTuning.jobs.retrieve(job.id).catch((e: unknown) => e)).toBeInstanceOf(
      OpenAI.NotFoundError,
    );
    expect(await b.files.retrieve(file.id).catch((e: unknown) => e)).toBeInstanceOf(
      OpenAI.NotFoundError,
    );
    expect((await b.files.list()).data).toEqual([]);
    expect((await b.fineTuning.jobs.list()).data).toEqual([]);
    // Any other key is the default organization's.
    const other = await client(emu).models.list().withResponse();
    expect(other.response.headers.get('openai-organization')).toBe('org-emulator0000000000000000');
  });
});
