/**
 * Faults on demand. A test adds rules (JS: `emulator.faults.add(rule)`; HTTP:
 * `POST /__emulator/faults`); each request is checked against the rules in the order they were
 * added. A rule matches on `operation` (the openapi operationId) and/or `method` + `path` (the API
 * path without `/v1` or `/openai`, `*` matching within one segment and a trailing `**` matching
 * the rest), skips its first `skip` matches, then fires `count` times (default 1; `null` = always).
 *
 * Kinds and what the client sees:
 * - `rate_limit`: 429 `rate_limit_exceeded`, `retry-after: <retryAfter s>` (default 1), and
 *   `retry-after-ms` when `retryAfterMs` is set. The request is not acted on.
 * - `server_error`: 500 `server_error` (SDK retries it). Not acted on.
 * - `refuse`: 403 with an error body; default message is the fine-tuning wind-down refusal
 *   (SPEC.md section 0), overridable with `error`. Not acted on.
 * - `http_error`: any `status` with any `error` body. Not acted on.
 * - `drop_before`: the socket is destroyed before the request is acted on.
 * - `drop_after`: the request is acted on (the job or file really exists), then the socket is
 *   destroyed instead of answering; the client sees a connection error.
 * - `slow`: waits `delayMs` (default 200) before handling; combines with other faults.
 * - `list_lag`: on a create (`createFineTuningJob`), the new job stays out of `GET
 *   /fine_tuning/jobs` for the next `lagCalls` list calls (default 1). Retrieve sees it.
 * - `fail_job`: on a create, the job is created normally and later turns `failed` with
 *   `failWith` (default `{code: "server_error", message: ...}`) when it would start running
 *   (or while validating files, with `failAt: "validating_files"`).
 */
import type {ErrorBody} from './errors.js';

export type FaultKind =
  | 'rate_limit'
  | 'server_error'
  | 'refuse'
  | 'http_error'
  | 'drop_before'
  | 'drop_after'
  | 'slow'
  | 'list_lag'
  | 'fail_job';

export const FAULT_KINDS: readonly FaultKind[] = [
  'rate_limit',
  'server_error',
  'refuse',
  'http_error',
  'drop_before',
  'drop_after',
  'slow',
  'list_lag',
  'fail_job',
];

export interface FaultRule {
  readonly kind: FaultKind;
  readonly operation?: string;
  readonly method?: string;
  readonly path?: string;
  /** How many times it fires; default 1, `null` for every matching request. */
  readonly count?: number | null;
  /** Matching requests to let through before it starts firing; default 0. */
  readonly skip?: number;
  readonly retryAfter?: number;
  readonly retryAfterMs?: number;
  readonly status?: number;
  readonly error?: Partial<ErrorBody> & {message: string};
  readonly delayMs?: number;
  readonly lagCalls?: number;
  readonly failWith?: {code: string; message: string; param?: string | null};
  readonly failAt?: 'validating_files' | 'running';
}

/** A rule the registry holds, with its live counters. */
export interface ActiveFault {
  readonly id: string;
  readonly rule: FaultRule;
  seen: number;
  fired: number;
}

/** The wind-down refusal (SPEC.md section 0); the exact live wording is not recorded: GUESS. */
export const WIND_DOWN_MESSAGE =
  'Fine-tuning is no longer available for new jobs on this organization. OpenAI is winding down the fine-tuning platform.';

export interface RequestInfo {
  readonly method: string;
  readonly path: string;
  readonly operation: string | undefined;
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob
    .split('**')
    .map((part) =>
      part
        .split('*')
        .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('[^/]*'),
    )
    .join('.*');
  return new RegExp(`^${escaped}$`);
}

export class Faults {
  readonly #rules: ActiveFault[] = [];
  #next = 0;

  /** Adds a rule; returns its id (for `remove`). Throws on an unknown kind. */
  add(rule: FaultRule): string {
    if (!FAULT_KINDS.includes(rule.kind)) throw new Error(`unknown fault kind: ${rule.kind}`);
    const id = `fault_${++this.#next}`;
    this.#rules.push({id, rule, seen: 0, fired: 0});
    return id;
  }

  remove(id: string): void {
    const i = this.#rules.findIndex((r) => r.id === id);
    if (i >= 0) this.#rules.splice(i, 1);
  }

  clear(): void {
    this.#rules.length = 0;
  }

  /** The rules with their counters (a copy). */
  list(): ActiveFault[] {
    return this.#rules.map((r) => ({...r}));
  }

  /** The rules that fire for this request, in order; their counters move. */
  take(req: RequestInfo): FaultRule[] {
    const out: FaultRule[] = [];
    for (const f of this.#rules) {
      const r = f.rule;
      if (r.operation !== undefined && r.operation !== req.operation) continue;
      if (r.method !== undefined && r.method.toUpperCase() !== req.method) continue;
      if (r.path !== undefined && !globToRegExp(r.path).test(req.path)) continue;
      f.seen += 1;
      if (f.seen <= (r.skip ?? 0)) continue;
      const count = r.count === undefined ? 1 : r.count;
      if (count !== null && f.fired >= count) continue;
      f.fired += 1;
      out.push(r);
    }
    return out;
  }
}
