import {openAsBlob} from 'node:fs';
import type OpenAI from 'openai';
import {toFile} from 'openai';
import type {FileObject} from 'openai/resources/files';
import {hexOf, type Sha256} from '../core/hash.js';
import {StageFailure} from '../core/stage-failure.js';
import {apiFailure} from './errors.js';
import {uploadInParts, uploadLimits} from './uploads.js';

/** The name a training file is uploaded under: its content hash, so any machine can find it. */
export function uploadName(hash: Sha256): string {
  return `ft-${hexOf(hash)}.jsonl`;
}

/**
 * The id of an uploaded, processed copy of the file at `path` (content `hash`, `size` bytes):
 * the one ft recorded (`known`) if it is still there, else one the account's file list holds
 * under the content-hash name, else a new upload. A file over the Files API's 512 MB goes
 * through the Uploads API in parts (uploads.ts) under the same name, so it is found and reused
 * the same way. Smaller files go through the SDK's `toFile` over a file blob, which names the
 * file (a bare blob is sent as `unknown_file`, which would defeat reuse by name) and can be
 * re-sent: a retried upload at worst leaves a second copy of the same bytes, which costs nothing
 * and is reused by name afterwards.
 */
export async function ensureUploaded(
  api: OpenAI,
  file: {readonly path: string; readonly hash: Sha256; readonly size: number},
  known: string | undefined,
  signal: AbortSignal,
  log: (line: string) => void,
): Promise<{id: string; uploaded: boolean}> {
  const name = uploadName(file.hash);
  const usable = (f: FileObject) =>
    f.filename === name && f.bytes === file.size && f.status !== 'error';
  const byName = async () => {
    let best: FileObject | undefined;
    for await (const f of api.files.list({purpose: 'fine-tune'}, {signal})) {
      if (usable(f) && (!best || (best.status !== 'processed' && f.status === 'processed'))) {
        best = f;
      }
    }
    return best;
  };
  let found: FileObject | undefined;
  try {
    if (known) {
      const f = await api.files.retrieve(known, {signal}).catch((e: unknown) => {
        if ((e as {status?: number}).status === 404) return undefined;
        throw e;
      });
      if (f && usable(f)) found = f;
    }
    if (!found) found = await byName();
  } catch (e) {
    if (signal.aborted) throw e;
    throw apiFailure('looking for an earlier upload of the training data', e);
  }
  let uploaded = false;
  if (found) {
    log(`reusing upload ${found.id} (${name})`);
  } else {
    if (file.size > uploadLimits().filesApiBytes) {
      found = await uploadInParts(api, file, name, signal, log, byName);
    } else {
      try {
        const body = await toFile(await openAsBlob(file.path), name, {type: 'application/jsonl'});
        found = await api.files.create({file: body, purpose: 'fine-tune'}, {signal});
      } catch (e) {
        if (signal.aborted) throw e;
        throw apiFailure(`uploading ${name}`, e);
      }
    }
    uploaded = true;
    log(`uploaded ${name} as ${found.id}`);
  }
  if (found.status !== 'processed') {
    try {
      found = await api.files.waitForProcessing(found.id, {pollInterval: 1000});
    } catch (e) {
      throw apiFailure(`waiting for ${found.id} to be processed`, e);
    }
    if (found.status !== 'processed') {
      throw new StageFailure(
        'api-error',
        `OpenAI could not process ${name} (${found.id}): ${found.status_details ?? found.status}`,
      );
    }
  }
  return {id: found.id, uploaded};
}
