import {isSha256, type Sha256} from '../../core/hash.js';
import {fail, ok, type Result} from '../../core/result.js';
import {STAGE_KINDS, type StageKind} from '../../plan/stage-id.js';

/** One artifact a stage produced, as stored: an object in the store. */
export interface OutputRef {
  readonly hash: Sha256;
  readonly size: number;
}

/**
 * What `.ft/stages/<key>.json` holds: enough to restore a stage without running it (the
 * run-cache) and to explain it later.
 */
export interface StageRecord {
  readonly version: 1;
  readonly id: string;
  readonly kind: StageKind;
  readonly key: Sha256;
  readonly fingerprint: unknown;
  readonly outputs: Readonly<Record<string, OutputRef>>;
  /** Stage-specific facts: record counts, statistics, backend references. */
  readonly summary: Readonly<Record<string, unknown>>;
  readonly durationMs: number;
  /** When it ran (only in the store; the lockfile has no timestamps). */
  readonly createdAt: string;
}

/**
 * Reads a stage record's text, checking what ft relies on: the layout, that it is the record of
 * `key` (a record filed under another key is not this stage's), and that every output names an
 * object by hash with a size. Returns why not otherwise: a damaged record is a cache miss.
 */
export function parseStageRecord(text: string, key: Sha256): Result<StageRecord, string> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return fail(`not JSON (${(e as Error).message})`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return fail('not a JSON object');
  }
  const r = data as Record<string, unknown>;
  if (r.version !== 1) return fail(`version is ${JSON.stringify(r.version)}, not 1`);
  if (r.key !== key) return fail(`its key is ${JSON.stringify(r.key)}, not ${key}`);
  if (typeof r.id !== 'string') return fail('it has no stage id');
  if (!STAGE_KINDS.includes(r.kind as StageKind))
    return fail(`unknown kind ${JSON.stringify(r.kind)}`);
  if (!isPlainObject(r.outputs))
    return fail(`outputs is ${JSON.stringify(r.outputs)}, not an object`);
  for (const [name, output] of Object.entries(r.outputs)) {
    const o = output as Partial<OutputRef> | null;
    if (!isPlainObject(o) || !isSha256(o.hash) || !Number.isSafeInteger(o.size) || o.size! < 0) {
      return fail(`output ${JSON.stringify(name)} is not {hash, size}`);
    }
  }
  if (!isPlainObject(r.summary)) return fail('summary is not an object');
  return ok(data as StageRecord);
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
