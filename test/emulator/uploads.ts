/**
 * The Uploads API (`POST /uploads`, `…/{id}/parts`, `…/{id}/complete`, `…/{id}/cancel`): how a
 * file over the Files API's 512 MB reaches OpenAI (SPEC.md 1.2, openapi.yaml `Upload`,
 * `UploadPart`). An Upload is `pending` until it is completed (it then holds a `file`, a File
 * like any other, in the file list under the Upload's filename), cancelled, or expired (one hour
 * after it was created, on the emulator's clock). Completing concatenates the named parts in the
 * order given; their byte count must equal the `bytes` announced at creation, and the `md5`,
 * when given, must match. Wordings of the refusals are GUESSes (not recorded from the live API).
 */
import {createHash} from 'node:crypto';
import {ApiError, invalid, notFound} from './errors.js';
import type {Handler} from './handlers.js';
import {checkJsonl, type UploadedFile} from './jsonl.js';
import type {FileObject, State, UploadObject, UploadRecord} from './state.js';

/** An Upload takes at most 8 GB; a part at most 64 MB (openapi.yaml's operation texts). */
export const UPLOAD_MAX_BYTES = 8 * 1024 ** 3;
export const PART_MAX_BYTES = 64 * 1024 ** 2;
/** An Upload expires an hour after it is created (SPEC.md 1.2). */
export const UPLOAD_TTL_S = 3600;

/**
 * MIME types accepted per purpose. GUESS: the live list is not recorded; `text/jsonl` is the
 * one openapi.yaml's own createUpload example sends for `fine-tune`.
 */
const MIME_TYPES: Readonly<Record<string, readonly string[]>> = {
  'fine-tune': ['text/jsonl'],
  batch: ['text/jsonl'],
};

function getUpload(state: State, id: string | undefined, org: string): UploadRecord {
  const u = id === undefined ? undefined : state.uploads.get(id);
  // GUESS: wording.
  if (!u || u.org !== org) throw notFound(`No such Upload object: ${id}`, 'upload_id');
  if (u.json.status === 'pending' && state.clock.peek() > u.json.expires_at) {
    u.json.status = 'expired';
  }
  return u;
}

/** Parts and completion need a pending Upload. */
function requirePending(u: UploadRecord, doing: string): void {
  if (u.json.status !== 'pending') {
    throw invalid(
      `Cannot ${doing} Upload ${u.json.id}: it is ${u.json.status}.`,
      'upload_id',
      'invalid_upload_state',
    );
  }
}

const createUpload: Handler = (state, req) => {
  const body = req.body as {
    filename: string;
    purpose: string;
    bytes: number;
    mime_type: string;
    expires_after?: {anchor: string; seconds: number};
  };
  if (body.bytes < 1 || body.bytes > UPLOAD_MAX_BYTES) {
    throw invalid(
      `Invalid 'bytes': an Upload takes between 1 byte and 8 GB (${UPLOAD_MAX_BYTES} bytes), got ${body.bytes}.`,
      'bytes',
      'invalid_value',
    );
  }
  const mimes = MIME_TYPES[body.purpose];
  if (mimes && !mimes.includes(body.mime_type)) {
    throw invalid(
      `Invalid 'mime_type': '${body.mime_type}' is not supported for purpose '${body.purpose}'. Supported: ${mimes.join(', ')}.`,
      'mime_type',
      'invalid_value',
    );
  }
  if (body.purpose === 'fine-tune' && !body.filename.endsWith('.jsonl')) {
    throw invalid(
      'Invalid file format for Fine-Tuning API. Must be .jsonl',
      'filename',
      'invalid_file_format',
    );
  }
  const id = state.ids.next('upload_', 24);
  const created = state.clock.stamp();
  const json: UploadObject = {
    id,
    object: 'upload',
    bytes: body.bytes,
    created_at: created,
    filename: body.filename,
    purpose: body.purpose,
    status: 'pending',
    expires_at: created + UPLOAD_TTL_S,
  };
  state.uploads.set(id, {
    seq: state.nextSeq(),
    org: req.org,
    json,
    mimeType: body.mime_type,
    parts: new Map(),
    fileExpiresAfter: body.expires_after?.seconds,
  });
  return {json};
};

const addUploadPart: Handler = (state, req) => {
  const u = getUpload(state, req.params.upload_id, req.org);
  requirePending(u, 'add a Part to');
  const data = (req.body as {data: UploadedFile}).data;
  if (data.content.length > PART_MAX_BYTES) {
    throw invalid(
      `Invalid 'data': a Part can be at most 64 MB (${PART_MAX_BYTES} bytes), got ${data.content.length}.`,
      'data',
      'invalid_value',
    );
  }
  let total = data.content.length;
  for (const p of u.parts.values()) total += p.length;
  if (total > UPLOAD_MAX_BYTES) {
    throw invalid(`Upload ${u.json.id} would exceed 8 GB.`, 'data', 'invalid_value');
  }
  const id = state.ids.next('part_', 24);
  u.parts.set(id, data.content);
  return {json: {id, object: 'upload.part', created_at: state.clock.stamp(), upload_id: u.json.id}};
};

const completeUpload: Handler = (state, req) => {
  const u = getUpload(state, req.params.upload_id, req.org);
  requirePending(u, 'complete');
  const body = req.body as {part_ids: string[]; md5?: string};
  const seen = new Set<string>();
  const chunks: Buffer[] = [];
  for (const id of body.part_ids) {
    const part = u.parts.get(id);
    if (!part || seen.has(id)) {
      throw invalid(
        `Invalid 'part_ids': ${id} is ${part ? 'listed twice' : `not a Part of Upload ${u.json.id}`}.`,
        'part_ids',
        'invalid_value',
      );
    }
    seen.add(id);
    chunks.push(part);
  }
  const content = Buffer.concat(chunks);
  if (content.length !== u.json.bytes) {
    throw invalid(
      `The number of bytes uploaded (${content.length}) does not match the number of bytes specified when the Upload was created (${u.json.bytes}).`,
      'part_ids',
      'bytes_mismatch',
    );
  }
  if (body.md5 !== undefined) {
    const md5 = createHash('md5').update(content).digest('hex');
    if (body.md5.toLowerCase() !== md5) {
      throw invalid(
        `The md5 checksum of the uploaded bytes (${md5}) does not match the md5 given (${body.md5}).`,
        'md5',
        'md5_mismatch',
      );
    }
  }
  if (u.json.purpose === 'fine-tune') checkJsonl({filename: u.json.filename, content});
  const id = state.ids.next('file-', 24);
  const created = state.clock.stamp();
  const file: FileObject = {
    id,
    object: 'file',
    bytes: content.length,
    created_at: created,
    filename: u.json.filename,
    purpose: u.json.purpose,
    status: 'processed',
    ...(u.fileExpiresAfter !== undefined ? {expires_at: created + u.fileExpiresAfter} : {}),
  };
  state.files.set(id, {seq: state.nextSeq(), org: u.org, json: file, content});
  u.json.status = 'completed';
  u.json.file = file;
  return {json: u.json};
};

const cancelUpload: Handler = (state, req) => {
  const u = getUpload(state, req.params.upload_id, req.org);
  if (u.json.status !== 'pending') {
    // GUESS: the live API's answer to cancelling a finished Upload is not recorded.
    throw new ApiError(400, {
      message: `Cannot cancel Upload ${u.json.id}: it is ${u.json.status}.`,
      param: 'upload_id',
      code: 'invalid_upload_state',
    });
  }
  u.json.status = 'cancelled';
  return {json: u.json};
};

export const UPLOAD_HANDLERS = {createUpload, addUploadPart, completeUpload, cancelUpload};
