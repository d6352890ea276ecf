import {setTimeout as sleep} from 'node:timers/promises';
import type {Pool} from 'undici';

/** Where a chat model is and how to reach it. */
export interface ChatEndpoint {
  readonly model: string;
  /** Undefined: the OpenAI API (OPENAI_BASE_URL when set). */
  readonly baseUrl?: string;
  /** The key itself (never logged, never stored), or undefined for none. */
  readonly apiKey?: string;
  /**
   * The header that carries the key: `authorization` (the default) as `Bearer <key>`, any other
   * (Azure's `api-key`) the key as it is.
   */
  readonly apiKeyHeader?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * The organization that trained this fine-tuned model (the lockfile's `organization_id`), when
   * known: a key of another organization gets a 404 for it, which is then said as such.
   */
  readonly trainedBy?: string;
}

export interface ChatParams {
  readonly max_tokens: number;
  readonly temperature: number;
  readonly seed?: number;
}

/** An API's answer that is not a completion, after the retries: status, its message, request id. */
export class ChatError extends Error {
  override readonly name = 'ChatError';
  constructor(
    readonly status: number | undefined,
    message: string,
    readonly requestId: string | undefined,
    /** The key's organization as the OpenAI API names it (`openai-organization`), if it did. */
    readonly organization?: string,
  ) {
    super(message);
  }
}

/** Thrown when a fine-tuned model the recipe names is gone from the account. */
export class ModelGone extends Error {
  override readonly name = 'ModelGone';
}

/** Attempts of one request on 408, 409, 429, 5xx and dropped connections. */
const ATTEMPTS = 6;
/** The longest wait a retry-after may ask for before ft gives up on the request. */
const LONGEST_WAIT_MS = 60_000;
const TIMEOUT_MS = 600_000;

const OPENAI_API = 'https://api.openai.com/v1';

/** The fields of a chat message an API takes (ft's `weight` and the like stay home). */
function apiMessage(message: unknown): Record<string, unknown> {
  const m = message as Record<string, unknown>;
  const out: Record<string, unknown> = {role: m.role, content: m.content ?? ''};
  for (const key of ['name', 'tool_calls', 'tool_call_id']) {
    if (m[key] !== undefined) out[key] = m[key];
  }
  return out;
}

interface Response {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
  /** Wall time of the attempt that answered (its retries' waits left out), in milliseconds. */
  readonly ms: number;
}

/**
 * A small client for OpenAI-compatible chat APIs: a pool of keep-alive connections (undici's,
 * the fastest HTTP client Node has), JSON in and out, retries with backoff that honour
 * retry-after(-ms). Not the official SDK: an eval sends thousands of small requests, and the
 * SDK's per-request work caps a machine at a fraction of what a local server answers
 * (bench/generation.bench.mjs); fine-tuning, a few requests a job, uses the SDK.
 */
class ChatClient {
  readonly #base: URL;
  readonly #headers: Record<string, string>;
  readonly #pool: Pool;
  readonly #signal: AbortSignal;
  readonly #targets = new Map<string, string>();

  /** `undici`: the module, loaded by the caller (only a build that asks a model loads it). */
  constructor(
    undici: typeof import('undici'),
    endpoint: ChatEndpoint,
    concurrency: number,
    signal: AbortSignal,
  ) {
    this.#base = baseOf(endpoint.baseUrl ?? process.env.OPENAI_BASE_URL ?? OPENAI_API);
    const openai = endpoint.baseUrl === undefined;
    const keyHeader = (endpoint.apiKeyHeader ?? 'authorization').toLowerCase();
    this.#headers = {
      'content-type': 'application/json',
      accept: 'application/json',
      ...(endpoint.headers ?? {}),
      ...(endpoint.apiKey !== undefined
        ? {
            [keyHeader]:
              keyHeader === 'authorization' ? `Bearer ${endpoint.apiKey}` : endpoint.apiKey,
          }
        : {}),
      // Only the OpenAI API gets the account's organization and project.
      ...(openai && process.env.OPENAI_ORG_ID
        ? {'openai-organization': process.env.OPENAI_ORG_ID}
        : {}),
      ...(openai && process.env.OPENAI_PROJECT_ID
        ? {'openai-project': process.env.OPENAI_PROJECT_ID}
        : {}),
    };
    this.#pool = new undici.Pool(this.#base.origin, {
      connections: concurrency,
      headersTimeout: TIMEOUT_MS,
      bodyTimeout: TIMEOUT_MS,
    });
    this.#signal = signal;
    // One listener for every request (a signal per request costs more than a small answer):
    // an abort tears down the connections, failing what is in flight.
    signal.addEventListener('abort', () => void this.#pool.destroy().catch(() => undefined), {
      once: true,
    });
  }

  close(): void {
    void this.#pool.close().catch(() => undefined);
  }

  /** The request path (and query) of `path` on the base, worked out once per path. */
  #target(path: string): string {
    let target = this.#targets.get(path);
    if (target === undefined) {
      const url = requestUrl(this.#base, path);
      target = `${url.pathname}${url.search}`;
      this.#targets.set(path, target);
    }
    return target;
  }

  /**
   * One attempt, through undici's dispatcher with a handler that gathers the body's chunks:
   * `pool.request` makes a stream per response, which at thousands of small answers a second
   * costs ft more CPU than the server spends answering them (bench/generation.bench.mjs).
   */
  #send(
    path: string,
    method: 'GET' | 'POST',
    payload: string | undefined,
  ): Promise<Omit<Response, 'ms'>> {
    return new Promise((resolve, reject) => {
      let status = 0;
      let headers: Response['headers'] = {};
      const chunks: Buffer[] = [];
      this.#pool.dispatch(
        {path, method, headers: this.#headers, ...(payload !== undefined ? {body: payload} : {})},
        {
          onConnect() {},
          onHeaders(statusCode: number, raw: Buffer[] | string[] | null) {
            status = statusCode;
            headers = parseHeaders(raw);
            return true;
          },
          onData(chunk: Buffer) {
            chunks.push(chunk);
            return true;
          },
          onComplete() {
            const body =
              chunks.length === 1
                ? chunks[0]!.toString('utf8')
                : Buffer.concat(chunks).toString('utf8');
            resolve({status, headers, body});
          },
          onError(error: Error) {
            reject(error);
          },
        },
      );
    });
  }

  /** `method path` with a JSON body, retried as the API asks; the 2xx response or a ChatError. */
  async request(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Response> {
    const target = this.#target(path);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    for (let attempt = 1; ; attempt++) {
      this.#signal.throwIfAborted();
      let response: Response | undefined;
      let dropped: Error | undefined;
      const started = performance.now();
      try {
        const r = await this.#send(target, method, payload);
        response = {...r, ms: performance.now() - started};
      } catch (e) {
        if (this.#signal.aborted) throw e;
        dropped = e as Error;
      }
      if (response && response.status >= 200 && response.status < 300) return response;
      const retry =
        dropped !== undefined ||
        [408, 409, 429].includes(response!.status) ||
        response!.status >= 500;
      const wait = response ? retryAfterMs(response.headers) : undefined;
      if (!retry || attempt === ATTEMPTS || (wait !== undefined && wait > LONGEST_WAIT_MS)) {
        if (dropped) {
          throw new ChatError(undefined, `the connection failed: ${dropped.message}`, undefined);
        }
        throw errorOf(response!);
      }
      // The API's own wait when it says one; else exponential backoff from half a second.
      await sleep(
        wait ?? Math.min(8_000, 500 * 2 ** (attempt - 1)) * (0.75 + Math.random() / 2),
        undefined,
        {signal: this.#signal},
      );
    }
  }
}

/**
 * A base URL as requests are resolved against: its path ending in `/` (so `chat/completions`
 * joins onto it rather than replacing its last segment), its query kept for every request.
 */
export function baseOf(base: string): URL {
  const url = new URL(base);
  if (!url.pathname.endsWith('/')) url.pathname = `${url.pathname}/`;
  return url;
}

/** `path` joined onto a base (from baseOf), with the base's query (Azure's api-version). */
export function requestUrl(base: URL, path: string): URL {
  const url = new URL(path, base);
  for (const [name, value] of base.searchParams) {
    if (!url.searchParams.has(name)) url.searchParams.append(name, value);
  }
  return url;
}

/** retry-after-ms, or retry-after in seconds or as an HTTP date; undefined when absent. */
function retryAfterMs(headers: Response['headers']): number | undefined {
  const ms = Number(headers['retry-after-ms']);
  if (headers['retry-after-ms'] !== undefined && Number.isFinite(ms) && ms >= 0) return ms;
  const after = headers['retry-after'];
  if (typeof after !== 'string') return undefined;
  const seconds = Number(after);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(after);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** The API's error: its `error.message` when the body has one, and the request id. */
function errorOf(response: Response): ChatError {
  let message = response.body.slice(0, 500) || `HTTP ${response.status}`;
  try {
    const data = JSON.parse(response.body) as {error?: {message?: unknown} | string};
    const error = data.error;
    if (typeof error === 'string') message = error;
    else if (typeof error?.message === 'string') message = error.message;
  } catch {
    // not JSON: the body's start is the message
  }
  const id = response.headers['x-request-id'];
  const org = response.headers['openai-organization'];
  return new ChatError(
    response.status,
    message,
    typeof id === 'string' ? id : undefined,
    typeof org === 'string' && org !== '' ? org : undefined,
  );
}

/**
 * Answers each prompt with one chat completion, at most `concurrency` in flight, in the
 * prompts' order; `onAnswer` gets each as it arrives (the caller keeps it). An endpoint without a
 * key sends no Authorization header. Each answer comes with its latency: the wall time of the
 * request that answered it, in milliseconds (retries' waits left out). A fine-tuned model of the OpenAI API is asked for once
 * first: a deleted or retired one fails plainly, before any prompt is sent. A request that still
 * fails after its retries fails the whole call.
 */
export async function answerWithChat(options: {
  readonly endpoint: ChatEndpoint;
  readonly prompts: readonly (readonly unknown[])[];
  readonly params: ChatParams;
  readonly concurrency: number;
  readonly signal: AbortSignal;
  onAnswer(index: number, answer: string, ms: number): Promise<void> | void;
}): Promise<string[]> {
  const {endpoint, prompts, params, signal} = options;
  const openai = endpoint.baseUrl === undefined;
  // The first request that fails for good stops the others.
  const stop = new AbortController();
  const stopped = AbortSignal.any([signal, stop.signal]);
  const undici = await import('undici');
  parseRawHeaders = undici.util.parseHeaders;
  const client = new ChatClient(undici, endpoint, options.concurrency, stopped);
  try {
    if (openai && endpoint.model.startsWith('ft:')) {
      await checkExists(client, endpoint.model, endpoint.trainedBy);
    }
    const answers = new Array<string>(prompts.length);
    let next = 0;
    const worker = async () => {
      while (next < prompts.length) {
        const index = next++;
        const response = await client.request('POST', 'chat/completions', {
          model: endpoint.model,
          messages: prompts[index]!.map(apiMessage),
          // The OpenAI API has renamed it; other servers know the old name.
          ...(openai
            ? {max_completion_tokens: params.max_tokens}
            : {max_tokens: params.max_tokens}),
          temperature: params.temperature,
          ...(params.seed !== undefined ? {seed: params.seed} : {}),
        });
        const completion = JSON.parse(response.body) as {
          choices?: {message?: {content?: unknown}}[];
        };
        const content = completion.choices?.[0]?.message?.content;
        answers[index] = typeof content === 'string' ? content : '';
        await options.onAnswer(index, answers[index], response.ms);
      }
    };
    const settled = await Promise.allSettled(
      Array.from({length: Math.min(options.concurrency, prompts.length)}, () =>
        worker().catch((e: unknown) => {
          stop.abort();
          throw e;
        }),
      ),
    );
    signal.throwIfAborted();
    // The first real failure, not the aborts it caused in the other workers.
    const failures = settled.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    const first =
      failures.find((e) => e instanceof ChatError || e instanceof ModelGone) ?? failures[0];
    if (first !== undefined) throw first;
    return answers;
  } finally {
    client.close();
  }
}

/**
 * A fine-tuned model can be deleted, or retired with its base: asking it then fails on every
 * prompt with a message that does not say so. Ask once, plainly, before generating. A model is
 * also invisible to a key of another organization than the one that trained it (`trainedBy`,
 * from the lockfile): when the API's `openai-organization` header names another one, that is
 * what the message says.
 */
async function checkExists(
  client: ChatClient,
  model: string,
  trainedBy: string | undefined,
): Promise<void> {
  try {
    await client.request('GET', `models/${encodeURIComponent(model)}`);
  } catch (e) {
    if (e instanceof ChatError && e.status === 404) {
      const request = e.requestId ? `; request id ${e.requestId}` : '';
      // Compared only when the header is an organization id, as the lockfile's is (an
      // assumption: SPEC.md does not describe the header; a name would prove nothing).
      const other = e.organization?.startsWith('org-') ? e.organization : undefined;
      if (trainedBy !== undefined && other !== undefined && other !== trainedBy) {
        throw new ModelGone(
          `the model ${model} was trained by organization ${trainedBy} (finetune.lock); OPENAI_API_KEY belongs to ${other}, which cannot see it; use a key of ${trainedBy}${request ? ` (${request.slice(2)})` : ''}`,
        );
      }
      const whose =
        trainedBy !== undefined
          ? `; it was trained by organization ${trainedBy} (finetune.lock), and a key of another organization cannot see it`
          : '';
      throw new ModelGone(
        `the model ${model} no longer exists for this API key (deleted, or retired with its base model${whose}${request}); evaluate its replacement, or drop it from eval.models`,
      );
    }
    throw e;
  }
}

/** Raw header pairs as a record of lower-cased names (repeated names: their values in a list). */
function parseHeaders(raw: Buffer[] | string[] | null): Response['headers'] {
  return raw ? (parseRawHeaders!(raw as Buffer[]) as Response['headers']) : {};
}

/** undici's header parser, set when a client is made (answerWithChat loads undici). */
let parseRawHeaders: typeof import('undici').util.parseHeaders | undefined;
