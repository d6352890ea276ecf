import type {Artifact} from '../../core/artifact-store.js';
import {error, UserError} from '../../core/diagnostic.js';
import {execWhat, requireExec} from '../../core/exec-policy.js';
import type {Sha256} from '../../core/hash.js';
import {StageFailure} from '../../core/stage-failure.js';
import {isPlainHttpToAnotherHost, withoutCredentials} from '../../core/url-secrets.js';
import type {UrlSource} from '../../recipe/normalized.js';
import type {DataContext} from '../context.js';
import {sourceProblem} from './problem.js';

/**
 * The bytes of a pinned URL, from the store when they are already there, else downloaded to a
 * work file while hashing and kept only if the hash is the pin. The token of `auth_env` goes
 * only into the request header. A server silent for FT_FETCH_TIMEOUT_MS (before its response
 * headers, or between two chunks of the body) fails the stage (exit 1) and nothing is stored.
 */
export async function fetchPinned(
  ctx: Pick<DataContext, 'store' | 'signal' | 'exec' | 'log'>,
  source: UrlSource,
): Promise<Artifact> {
  const pin = source.sha256 as Sha256;
  const have = await ctx.store.sizeOf(pin);
  // Bytes already in the store are used even under --no-exec: nothing is sent (exec-rules.ts).
  if (have !== undefined) return {hash: pin, size: have};
  const shown = withoutCredentials(source.url);
  requireExec(ctx.exec, `sources.${source.name}`, execWhat.url(shown));
  const silence = new Silence(fetchTimeoutMs());
  const headers: Record<string, string> = {};
  if (source.auth) {
    const token = process.env[source.auth.env];
    if (!token) {
      throw sourceProblem(
        source,
        `the environment variable ${source.auth.env} (auth_env) is not set`,
      );
    }
    headers[source.auth.header] = source.auth.scheme ? `${source.auth.scheme} ${token}` : token;
  }
  const signal = AbortSignal.any([ctx.signal, silence.signal]);
  let stored: Artifact;
  try {
    const response = await get(source.url, headers, signal, shown, silence);
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      throw new StageFailure(
        'fetch-failed',
        `GET ${shown}: ${response.status} ${response.statusText}`,
      );
    }
    try {
      stored = await ctx.store.putStream(
        silence.watch(response.body as unknown as AsyncIterable<Uint8Array>),
        pin,
      );
    } catch (e) {
      if (ctx.signal.aborted) throw e;
      if (silence.timedOut) {
        throw new StageFailure(
          'fetch-failed',
          `GET ${shown}: no data for ${silence.shown} (timed out)`,
        );
      }
      throw new StageFailure('fetch-failed', `GET ${shown}: ${(e as Error).message}`);
    }
  } finally {
    silence.stop();
  }
  const {hash: actual, size} = stored;
  if (actual !== pin) {
    throw new UserError([
      error(
        'data',
        `sources.${source.name}: ${shown} has ${actual}, but the recipe pins ${pin}`,
        undefined,
        `if the new content is expected, update sources.${source.name}.sha256`,
      ),
    ]);
  }
  ctx.log(`fetched ${shown}: ${size} bytes`);
  return {hash: actual, size};
}

/** How long a fetch waits for a silent server, unless FT_FETCH_TIMEOUT_MS says otherwise. */
export const DEFAULT_FETCH_TIMEOUT_MS = 30_000;

/** FT_FETCH_TIMEOUT_MS, or the default; a value that is not a positive number fails (exit 1). */
function fetchTimeoutMs(): number {
  const raw = process.env.FT_FETCH_TIMEOUT_MS;
  if (raw === undefined || raw.trim() === '') return DEFAULT_FETCH_TIMEOUT_MS;
  const ms = Number(raw);
  if (!Number.isFinite(ms) || ms <= 0) {
    throw new StageFailure(
      'fetch-failed',
      `FT_FETCH_TIMEOUT_MS must be a positive number of milliseconds, got '${raw}'`,
    );
  }
  return ms;
}

/**
 * A watchdog over one download: it aborts `signal` when the server has been silent for `ms`,
 * counted from the request (or redirect hop) and again from each chunk of the body, so a slow
 * but steady download of any size completes, and a stalled one fails instead of hanging.
 */
class Silence {
  readonly #controller = new AbortController();
  #timer: NodeJS.Timeout | undefined;
  #timedOut = false;

  constructor(readonly ms: number) {}

  get signal(): AbortSignal {
    return this.#controller.signal;
  }
  /** The watchdog fired (and not the user's Ctrl-C). */
  get timedOut(): boolean {
    return this.#timedOut;
  }
  /** The limit for messages: `30 s`, `0.2 s`. */
  get shown(): string {
    return `${this.ms / 1000} s`;
  }
  /** The server just showed a sign of life (or is about to be asked): start counting again. */
  restart(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timedOut = true;
      this.#controller.abort(new Error(`no data for ${this.shown}`));
    }, this.ms);
  }
  stop(): void {
    clearTimeout(this.#timer);
  }
  /** The body's chunks, each one restarting the count. */
  async *watch(body: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
    this.restart();
    for await (const chunk of body) {
      this.restart();
      yield chunk;
    }
  }
}

/** Redirects followed at most. */
const MAX_REDIRECTS = 5;

/**
 * GET with redirects followed by hand: the token goes only to the URL's own origin (fetch would
 * forward a custom header such as X-Api-Key to any host a redirect names), never over plain http
 * to another machine (the recipe rules refuse such a URL; this re-checks every hop), a redirect
 * from https to http is refused, and so is one to any scheme but http(s) (`file:`). Error
 * messages name the URL as shown, never its credentials, nor where a redirect pointed (a
 * signed URL's query is a credential too).
 */
async function get(
  url: string,
  auth: Record<string, string>,
  signal: AbortSignal,
  shown: string,
  silence: Silence,
): Promise<Response> {
  const origin = new URL(url).origin;
  let current = url;
  for (let hop = 0; ; hop++) {
    let response: Response;
    const target = new URL(current);
    const headers = target.origin === origin ? auth : {};
    if (Object.keys(headers).length > 0 && isPlainHttpToAnotherHost(target)) {
      throw new StageFailure(
        'fetch-failed',
        `GET ${shown}: refused to send the auth_env token over plain http to ${target.host}`,
      );
    }
    silence.restart();
    try {
      response = await fetch(current, {headers, signal, redirect: 'manual'});
    } catch (e) {
      if (silence.timedOut) {
        throw new StageFailure(
          'fetch-failed',
          `GET ${shown}: no response for ${silence.shown} (timed out)`,
        );
      }
      if (signal.aborted) throw e; // the user's Ctrl-C
      const reason = String((e as Error).cause ?? (e as Error).message).replaceAll(url, shown);
      throw new StageFailure('fetch-failed', `GET ${shown}: ${reason}`);
    }
    const location = response.headers.get('location');
    if (response.status < 300 || response.status >= 400 || !location) return response;
    await response.body?.cancel();
    let next: URL;
    try {
      next = new URL(location, current);
    } catch {
      throw new StageFailure(
        'fetch-failed',
        `GET ${shown}: the server redirected to an invalid URL`,
      );
    }
    if (hop >= MAX_REDIRECTS) {
      throw new StageFailure('fetch-failed', `GET ${shown}: more than ${MAX_REDIRECTS} redirects`);
    }
    if (next.protocol !== 'http:' && next.protocol !== 'https:') {
      throw new StageFailure(
        'fetch-failed',
        `GET ${shown}: refused a redirect to a ${next.protocol} URL (ft follows only http and https)`,
      );
    }
    if (target.protocol === 'https:' && next.protocol !== 'https:') {
      throw new StageFailure(
        'fetch-failed',
        `GET ${shown}: refused a redirect from https to ${next.protocol}`,
      );
    }
    current = next.href;
  }
}
