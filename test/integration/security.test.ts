import {createHash} from 'node:crypto';
import {existsSync, readdirSync} from 'node:fs';
import {createServer, type IncomingMessage, type Server} from 'node:http';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {buildJson, ft, jsonl, project, stageEnd} from '../helpers/ft.js';

const PIN = 'a'.repeat(64);
const urlRecipe = (source: string) => `version: 1\nname: u\nsources:\n  r: ${source}\n`;

/** A server on 127.0.0.1 with `handler`, closed (connections and all) after the file's tests. */
async function serve(
  handler: (req: IncomingMessage, res: import('node:http').ServerResponse) => void,
): Promise<{server: Server; base: string}> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    server,
    base: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
  };
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

describe('secrets in source URLs', () => {
  it('refuses a token in the query, at the url, before anything runs', async () => {
    const dir = await project({
      'finetune.yaml': urlRecipe(
        `{ url: "https://example.invalid/x.jsonl?v=2&access_token=s3cret", sha256: ${PIN} }`,
      ),
    });
    const r = await ft(dir, ['build']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(
      "finetune.yaml:4:13: error: a token in the URL's query (?access_token=) would reach keys, logs and the lockfile; put the token in an environment variable and name it in auth_env",
    );
    expect(existsSync(join(dir, 'finetune.lock'))).toBe(false);
    expect(existsSync(join(dir, '.ft'))).toBe(false);
    const plain = await project({
      'finetune.yaml': urlRecipe(`{ url: "https://example.invalid/x.jsonl?v=2", sha256: ${PIN} }`),
    });
    expect((await ft(plain, ['validate'])).exitCode).toBe(0);
  });

  it('refuses auth_env over plain http to another machine, and allows it to this one', async () => {
    const dir = await project({
      'finetune.yaml': urlRecipe(
        `{ url: "http://example.invalid/x.jsonl", sha256: ${PIN}, auth_env: DATA_TOKEN }`,
      ),
    });
    const r = await ft(dir, ['validate']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(
      'finetune.yaml:4:13: error: auth_env would send the token over plain http to example.invalid; use https (plain http is allowed only to this machine: localhost, 127.0.0.1, [::1])',
    );
    for (const host of ['127.0.0.1:8080', 'localhost', '[::1]:9']) {
      const local = await project({
        'finetune.yaml': urlRecipe(
          `{ url: "http://${host}/x.jsonl", sha256: ${PIN}, auth_env: DATA_TOKEN }`,
        ),
      });
      expect([host, (await ft(local, ['validate'])).exitCode]).toEqual([host, 0]);
    }
    const noToken = await project({
      'finetune.yaml': urlRecipe(`{ url: "http://example.invalid/x.jsonl", sha256: ${PIN} }`),
    });
    expect((await ft(noToken, ['validate'])).exitCode).toBe(0);
  });
});

describe('fetching', () => {
  let server: Server;
  let base = '';
  const body = jsonl([{prompt: 'p', response: 'r'}]);
  const pin = createHash('sha256').update(body).digest('hex');
  beforeAll(async () => {
    ({server, base} = await serve((req, res) => {
      if (req.url === '/to-file.jsonl') {
        res.writeHead(302, {location: 'file:///etc/passwd'}).end();
      } else if (req.url === '/silent.jsonl') {
        // Accepts the request and never answers.
      } else if (req.url === '/stalls.jsonl') {
        res.writeHead(200, {'content-length': String(body.length)});
        res.write(body.slice(0, 5)); // then nothing more
      } else res.end(body);
    }));
  });
  afterAll(() => close(server));

  it('refuses a redirect to file:, naming the URL (exit 1, nothing stored)', async () => {
    const dir = await project({
      'finetune.yaml': urlRecipe(`{ url: "${base}/to-file.jsonl", sha256: ${pin} }`),
    });
    const r = await buildJson(dir);
    expect(r.exitCode).toBe(1);
    expect(stageEnd(r.events, 'source:r').error).toEqual({
      reason: 'fetch-failed',
      message: `GET ${base}/to-file.jsonl: refused a redirect to a file: URL (ft follows only http and https)`,
    });
    expect(readdirSync(join(dir, '.ft/objects'))).toEqual([]);
  });

  it('gives up on a server that never answers, or stops sending, after FT_FETCH_TIMEOUT_MS', async () => {
    for (const [path, message] of [
      ['silent.jsonl', 'no response for 0.2 s (timed out)'],
      ['stalls.jsonl', 'no data for 0.2 s (timed out)'],
    ] as const) {
      const dir = await project({
        'finetune.yaml': urlRecipe(`{ url: "${base}/${path}", sha256: ${pin} }`),
      });
      const r = await ft(dir, ['build'], {FT_FETCH_TIMEOUT_MS: '200'});
      expect([path, r.exitCode]).toEqual([path, 1]);
      expect(r.stdout).toContain(`GET ${base}/${path}: ${message}`);
      expect(readdirSync(join(dir, '.ft/objects'))).toEqual([]);
      expect(readdirSync(join(dir, '.ft/tmp'))).toEqual([]);
      expect(readdirSync(join(dir, '.ft/stages'))).toEqual([]);
    }
  });

  it('refuses a timeout that is not a positive number', async () => {
    const dir = await project({
      'finetune.yaml': urlRecipe(`{ url: "${base}/data.jsonl", sha256: ${pin} }`),
    });
    const r = await ft(dir, ['build'], {FT_FETCH_TIMEOUT_MS: 'soon'});
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain(
      "FT_FETCH_TIMEOUT_MS must be a positive number of milliseconds, got 'soon'",
    );
    const ok = await ft(dir, ['build'], {FT_FETCH_TIMEOUT_MS: '60000'});
    expect(ok.exitCode).toBe(0);
  });
});
