import {createHash} from 'node:crypto';
import {createReadStream, openAsBlob} from 'node:fs';
import type OpenAI from 'openai';
import {toFile} from 'openai';
import type {FileObject} from 'openai/resources/files';
import {StageFailure} from '../core/stage-failure.js';
import {describeApiError} from './errors.js';

/** The Files API takes up to 512 MB; a Part of the Uploads API up to 64 MB (SPEC.md 1.2). */
const FILES_API_LIMIT = 512 * 1024 * 1024;
const PART_LIMIT = 64 * 1024 * 1024;
/** An Upload takes at most 8 GB (SPEC.md 1.2). */
const UPLOADS_API_LIMIT = 8 * 1024 * 1024 * 1024;

/**
 * Where ft switches from the Files API to the Uploads API, and the size of its parts. The
 * variables FT_OPENAI_UPLOAD_LIMIT_BYTES and FT_OPENAI_UPLOAD_PART_BYTES lower them, for tests
 * (no test should need a 512 MB file); parts never exceed the API's 64 MB.
 */
export function uploadLimits(env: NodeJS.ProcessEnv = process.env): {
  filesApiBytes: number;
  partBytes: number;
} {
  const positive = (value: string | undefined, fallback: number) => {
    const n = Number(value);
    return Number.isInteger(n) && n > 0 ? n : fallback;
  };
  return {
    filesApiBytes: Math.min(
      positive(env.FT_OPENAI_UPLOAD_LIMIT_BYTES, FILES_API_LIMIT),
      FILES_API_LIMIT,
    ),
    partBytes: Math.min(positive(env.FT_OPENAI_UPLOAD_PART_BYTES, PART_LIMIT), PART_LIMIT),
  };
}

/** The md5 of a file, read as a stream (the file can be gigabytes). */
async function md5Of(path: string, signal: AbortSignal): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of createReadStream(path, {signal})) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Uploads a file over the Files API's limit through the Uploads API: an Upload named `name`
 * (purpose fine-tune, `text/jsonl`), parts of at most 64 MB sent one after the other, each a
 * slice of a blob over the store's file (read from disk as it is sent, never the whole file in
 * memory, and re-readable, so the SDK retries a part on 429, 5xx and dropped connections), then
 * a complete with the ordered part ids and the md5 of the whole file. Returns the File it made.
 *
 * A complete whose answer is lost or refused may still have made the File (a retried complete
 * finds the Upload completed): `lookUp` (the account's file list, by name) is asked before
 * failing. An Upload is not paid; one abandoned part-way (an error, Ctrl-C) is cancelled as a
 * courtesy, best effort (it would expire in an hour anyway).
 */
export async function uploadInParts(
  api: OpenAI,
  file: {readonly path: string; readonly size: number},
  name: string,
  signal: AbortSignal,
  log: (line: string) => void,
  lookUp: () => Promise<FileObject | undefined>,
): Promise<FileObject> {
  if (file.size > UPLOADS_API_LIMIT) {
    throw new StageFailure(
      'api-error',
      `${name} is ${file.size} bytes, over the 8 GB an OpenAI Upload takes; train on less data (a sample or limit transform)`,
    );
  }
  const {partBytes} = uploadLimits();
  const count = Math.max(1, Math.ceil(file.size / partBytes));
  const md5 = await md5Of(file.path, signal);
  let upload: OpenAI.Uploads.Upload;
  try {
    upload = await api.uploads.create(
      {filename: name, purpose: 'fine-tune', bytes: file.size, mime_type: 'text/jsonl'},
      {signal},
    );
  } catch (e) {
    if (signal.aborted) throw e;
    throw new StageFailure(
      'api-error',
      `OpenAI API error while creating an Upload for ${name} (${file.size} bytes, over the Files API's limit): ${describeApiError(e)}`,
    );
  }
  log(`uploading ${name} (${file.size} bytes) in ${count} parts as ${upload.id}`);
  const cancel = async () => {
    try {
      await api.uploads.cancel(upload.id, {maxRetries: 0, timeout: 10_000});
      log(`cancelled upload ${upload.id}`);
    } catch {
      // A courtesy: an Upload that is not cancelled expires an hour after it was made.
    }
  };
  const blob = await openAsBlob(file.path);
  const partIds: string[] = [];
  for (let i = 0; i < count; i++) {
    const start = i * partBytes;
    const end = Math.min(file.size, start + partBytes);
    try {
      const data = await toFile(blob.slice(start, end), `${name}.part${i + 1}`, {
        type: 'application/octet-stream',
      });
      const part = await api.uploads.parts.create(upload.id, {data}, {signal});
      partIds.push(part.id);
    } catch (e) {
      await cancel();
      if (signal.aborted) throw e;
      throw new StageFailure(
        'api-error',
        `OpenAI API error while uploading part ${i + 1} of ${count} (bytes ${start}-${end - 1}) of ${name} to upload ${upload.id}: ${describeApiError(e)}; the upload was cancelled and the next ft build starts it again`,
      );
    }
  }
  let completed: OpenAI.Uploads.Upload;
  try {
    completed = await api.uploads.complete(upload.id, {part_ids: partIds, md5}, {signal});
  } catch (e) {
    if (signal.aborted) {
      await cancel();
      throw e;
    }
    // The complete may have been carried out (its answer lost, a retry refused as completed).
    const made = await lookUp().catch(() => undefined);
    if (made) {
      log(`the complete of ${upload.id} did reach OpenAI: ${made.id}`);
      return made;
    }
    await cancel();
    throw new StageFailure(
      'api-error',
      `OpenAI API error while completing upload ${upload.id} of ${name} (${count} parts, md5 ${md5}): ${describeApiError(e)}`,
    );
  }
  if (!completed.file) {
    throw new StageFailure(
      'api-error',
      `OpenAI completed upload ${upload.id} of ${name} but returned no file (status ${completed.status})`,
    );
  }
  return completed.file;
}
