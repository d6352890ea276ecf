import {existsSync} from 'node:fs';
import {resolve} from 'node:path';
import type {Artifact} from '../core/artifact-store.js';
import {canonicalJson} from '../core/canonical-json.js';
import {error, UserError} from '../core/diagnostic.js';
import {execWhat, requireExec} from '../core/exec-policy.js';
import {globFiles, isGlob} from '../core/glob.js';
import {type Sha256, sha256} from '../core/hash.js';
import {StageFailure} from '../core/stage-failure.js';
import {isPlainHttpToAnotherHost, withoutCredentials} from '../core/url-secrets.js';
import {
  FILE_SET_THRESHOLD,
  type FileSet,
  fileSetOf,
  sourceFingerprint,
} from '../plan/fingerprint.js';
import {
  formatFromName,
  type InlineSource,
  type NormalizedSource,
  type RecordFormat,
  type UrlSource,
} from '../recipe/normalized.js';
import type {StageContext, StageDefinition} from './stage-definition.js';

/** One file of a source, as the dataset stage will read it. */
export interface SourceFile {
  /** Relative to the recipe for local files; the URL (without credentials) or `<inline>` else. */
  readonly path: string;
  readonly sha256: Sha256;
  readonly size: number;
  readonly format: RecordFormat;
  readonly gzip: boolean;
  readonly delimiter: string;
  /** The bytes are an object in the store (fetched or inline), not a file of the project. */
  readonly stored: boolean;
}

/** What a source stage stores: the files the dataset stage will read and must find unchanged. */
export interface SourceManifest {
  readonly name: string;
  readonly on_error: 'fail' | 'skip';
  readonly files: readonly SourceFile[];
}

function sourceOf(ctx: StageContext): NormalizedSource {
  const source = ctx.recipe.sources.find((s) => s.name === ctx.node.name);
  if (!source) throw new Error(`no source named ${ctx.node.name}`);
  return source;
}

const problem = (source: NormalizedSource, message: string, hint?: string) =>
  new UserError([error('missing-file', `sources.${source.name}: ${message}`, undefined, hint)]);

function delimiterFor(source: NormalizedSource, name: string): string {
  return (
    source.delimiter ?? (name.toLowerCase().replace(/\.gz$/, '').endsWith('.tsv') ? '\t' : ',')
  );
}

/** The local files of a path or glob source, hashed through the stat cache, in sorted order. */
async function localFiles(
  ctx: StageContext,
  source: Extract<NormalizedSource, {kind: 'files'}>,
): Promise<SourceFile[]> {
  const glob = isGlob(source.path);
  const paths = glob ? globFiles(ctx.recipe.dir, source.path) : [source.path];
  if (paths.length === 0) throw problem(source, `no files match ${source.path}`);
  // A glob lists plain relative paths ('/'-separated names, no '.' or '..'): joining them to
  // the folder is all resolve() would do, at a fraction of its cost over 100,000 files.
  const base = `${resolve(ctx.recipe.dir)}/`;
  const absolute = paths.map((path) => (glob ? base + path : resolve(ctx.recipe.dir, path)));
  // The glob has just listed its files: one that is gone by now fails its stat below.
  if (!glob && !existsSync(absolute[0]!)) throw problem(source, `no such file: ${source.path}`);
  const formats = paths.map((path) => {
    const format = source.format ?? formatFromName(path);
    if (!format) {
      throw problem(
        source,
        `cannot tell the format of ${path}`,
        `set sources.${source.name}.format to jsonl, json or csv`,
      );
    }
    return format;
  });
  let hashed: {hash: Sha256; size: number}[];
  try {
    hashed = await ctx.hashFiles(absolute);
  } catch (e) {
    const {code, path} = e as NodeJS.ErrnoException;
    if (code === 'ENOENT' && path !== undefined) {
      throw problem(
        source,
        `no such file: ${path.startsWith(base) ? path.slice(base.length) : path}`,
      );
    }
    throw e;
  }
  const files: SourceFile[] = paths.map((path, i) => ({
    path,
    sha256: hashed[i]!.hash,
    size: hashed[i]!.size,
    format: formats[i]!,
    gzip: path.toLowerCase().endsWith('.gz'),
    delimiter: delimiterFor(source, path),
    stored: false,
  }));
  return files;
}

/**
 * What identifies a files source's bytes in its fingerprint: each file's hash or, above
 * FILE_SET_THRESHOLD files, their file set, whose list is put in the store (once) so that
 * `ft plan` can name the files that changed from one set to the next.
 */
async function filesContent(
  ctx: StageContext,
  files: readonly SourceFile[],
): Promise<{files: Record<string, Sha256>} | {file_set: FileSet; list: Artifact}> {
  if (files.length <= FILE_SET_THRESHOLD) {
    return {files: Object.fromEntries(files.map((f) => [f.path, f.sha256]))};
  }
  const {set, text} = fileSetOf(files.map((f) => [f.path, f.sha256] as const));
  const have = await ctx.store.sizeOf(set.sha256);
  const list = have !== undefined ? {hash: set.sha256, size: have} : await ctx.store.putBytes(text);
  return {file_set: set, list};
}

/** Canonical JSONL of inline examples: the bytes stored, and whose hash keys the source. */
function inlineBytes(source: InlineSource): string {
  return source.examples.map((e) => `${canonicalJson(e)}\n`).join('');
}

/**
 * source:<name> identifies the bytes of a source and makes them available: it hashes local
 * files (through the stat cache, so an unchanged file is only stat'ed), fetches a pinned URL
 * into the store once (verified against the pin; never again while the pin matches), or
 * stores inline examples. Its output is a small manifest; the dataset stage reads the files it
 * names and checks them against it. A source of more than FILE_SET_THRESHOLD files also outputs
 * its file list (files.json), the one its key holds the hash of.
 */
export const sourceStage: StageDefinition = {
  async fingerprint(ctx) {
    const source = sourceOf(ctx);
    switch (source.kind) {
      case 'files': {
        const content = await filesContent(ctx, await localFiles(ctx, source));
        return sourceFingerprint(
          source,
          'file_set' in content ? {file_set: content.file_set} : {files: content.files},
        );
      }
      case 'url':
        return sourceFingerprint(source, {});
      case 'inline':
        return sourceFingerprint(source, {examples: sha256(inlineBytes(source))});
    }
  },
  async run(ctx) {
    const source = sourceOf(ctx);
    const outputs: Record<string, Artifact> = {};
    let files: SourceFile[];
    switch (source.kind) {
      case 'files': {
        files = await localFiles(ctx, source);
        const content = await filesContent(ctx, files);
        if ('list' in content) outputs['files.json'] = content.list;
        break;
      }
      case 'url': {
        const artifact = await fetchPinned(ctx, source);
        outputs.content = artifact;
        const name = new URL(source.url).pathname;
        files = [
          {
            path: withoutCredentials(source.url),
            sha256: artifact.hash,
            size: artifact.size,
            format: source.format,
            gzip: name.toLowerCase().endsWith('.gz'),
            delimiter: delimiterFor(source, name),
            stored: true,
          },
        ];
        break;
      }
      case 'inline': {
        const artifact = await ctx.store.putBytes(inlineBytes(source));
        outputs.content = artifact;
        files = [
          {
            path: '<inline>',
            sha256: artifact.hash,
            size: artifact.size,
            format: 'jsonl',
            gzip: false,
            delimiter: ',',
            stored: true,
          },
        ];
        break;
      }
    }
    const manifest: SourceManifest = {name: source.name, on_error: source.on_error, files};
    outputs['manifest.json'] = await ctx.store.putBytes(`${canonicalJson(manifest)}\n`);
    const bytes = files.reduce((sum, f) => sum + f.size, 0);
    ctx.log(`${files.length} file(s), ${bytes} bytes`);
    return {outputs, summary: {files: files.length, bytes}};
  },
};

/**
 * The bytes of a pinned URL, from the store when they are already there, else downloaded to a
 * work file while hashing and kept only if the hash is the pin. The token of `auth_env` goes
 * only into the request header. A server silent for FT_FETCH_TIMEOUT_MS (before its response
 * headers, or between two chunks of the body) fails the stage (exit 1) and nothing is stored.
 */
async function fetchPinned(ctx: StageContext, source: UrlSource): Promise<Artifact> {
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
      throw problem(source, `the environment variable ${source.auth.env} (auth_env) is not set`);
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
