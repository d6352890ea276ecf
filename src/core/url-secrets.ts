/**
 * Where a secret may travel in a URL: never inside it (it would reach keys, logs and the
 * lockfile), and never over plain http except to this machine.
 */

/**
 * Query parameters that carry a secret by convention (compared lowercased, `-` read as `_`):
 * tokens (`token`, `access_token`, OAuth's `id_token`, `refresh_token`, `auth`, `auth_token`),
 * API keys (`key`, Google's `api_key`/`apikey`), passwords and client secrets, and the signatures
 * and credentials of signed URLs (`sig`, Azure SAS; `signature`; S3's `X-Amz-Signature`,
 * `X-Amz-Credential`, `X-Amz-Security-Token`; GCS's `X-Goog-Signature`, `X-Goog-Credential`).
 * Any name ending in `_token`, `_secret`, `_password`, `_signature` or `_api_key` is one too.
 */
export const SECRET_QUERY_PARAMETERS: ReadonlySet<string> = new Set([
  'token',
  'access_token',
  'auth',
  'auth_token',
  'id_token',
  'refresh_token',
  'key',
  'api_key',
  'apikey',
  'password',
  'passwd',
  'pwd',
  'secret',
  'client_secret',
  'sig',
  'signature',
  'x_amz_signature',
  'x_amz_credential',
  'x_amz_security_token',
  'x_goog_signature',
  'x_goog_credential',
]);

const SECRET_SUFFIXES = ['_token', '_secret', '_password', '_signature', '_api_key'];

/** The query parameters of `url` that look like they carry a secret, as written, in order. */
export function secretQueryParameters(url: URL): string[] {
  const found: string[] = [];
  for (const name of new Set(url.searchParams.keys())) {
    const normal = name.toLowerCase().replaceAll('-', '_');
    if (SECRET_QUERY_PARAMETERS.has(normal) || SECRET_SUFFIXES.some((s) => normal.endsWith(s))) {
      found.push(name);
    }
  }
  return found;
}

/**
 * Whether `url` names this machine: `localhost`, 127.0.0.0/8 or [::1] (the URL parser has
 * already turned `127.1` and the like into dotted form). Plain http to it never crosses a
 * network, so a token may go there (a test server, a local proxy). `*.localhost` is left out:
 * the system resolver may ask DNS for it.
 */
export function isLoopback(url: URL): boolean {
  const host = url.hostname.toLowerCase();
  return host === 'localhost' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** Whether a token sent to `url` would cross a network unencrypted. */
export function isPlainHttpToAnotherHost(url: URL): boolean {
  return url.protocol === 'http:' && !isLoopback(url);
}

/** A URL without user:password, which must never reach a key or a lockfile. */
export function withoutCredentials(url: string): string {
  const parsed = new URL(url);
  parsed.username = '';
  parsed.password = '';
  return parsed.href;
}
