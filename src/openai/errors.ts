import {APIConnectionError, APIError} from 'openai';
import {StageFailure} from '../core/stage-failure.js';

/**
 * What the API said, as people need it: the HTTP status, the API's own message and code, and
 * the request id OpenAI support asks for. The message is shown as the API wrote it, never
 * matched on: OpenAI is winding fine-tuning down (SPEC.md section 0) and the wording of its
 * refusals is not known in advance.
 */
export function describeApiError(e: unknown): string {
  if (e instanceof APIError && e.status !== undefined) {
    const inner = e.error as {message?: unknown} | undefined;
    const message =
      typeof inner?.message === 'string' && inner.message !== '' ? inner.message : e.message;
    const code = e.code ? ` (${e.code})` : '';
    const id = e.requestID ? ` [request id ${e.requestID}]` : '';
    return `HTTP ${e.status}${code}: ${message}${id}`;
  }
  if (e instanceof APIConnectionError) return `no response: ${e.message}`;
  return e instanceof Error ? e.message : String(e);
}

/** An API error as a stage failure: `doing` says what ft was doing ("creating the job"). */
export function apiFailure(doing: string, e: unknown): StageFailure {
  return new StageFailure('api-error', `OpenAI API error while ${doing}: ${describeApiError(e)}`);
}

/** Whether the API answered (any status): then it said what it did; else nobody knows. */
export function answered(e: unknown): e is APIError & {status: number} {
  return e instanceof APIError && typeof e.status === 'number';
}

/** The wait an answer asks for (retry-after-ms, retry-after seconds), within [0.1, 60] s. */
export function retryAfterMs(e: APIError, fallback: number): number {
  const ms = Number(e.headers?.get('retry-after-ms'));
  if (Number.isFinite(ms) && ms > 0) return Math.min(ms, 60_000);
  const s = Number(e.headers?.get('retry-after'));
  if (Number.isFinite(s) && s > 0) return Math.min(s * 1000, 60_000);
  return fallback;
}

/**
 * The organization the API says the key belongs to, when a 404 came with an
 * `openai-organization` header naming another organization id than `expected`; else undefined.
 */
export function otherOrganization(e: unknown, expected: string | undefined): string | undefined {
  if (expected === undefined || !answered(e) || e.status !== 404) return undefined;
  const org = e.headers?.get('openai-organization');
  // Only an organization id is compared (an assumption: SPEC.md does not describe the header).
  return org?.startsWith('org-') && org !== expected ? org : undefined;
}
