import {createHash} from 'node:crypto';
import {existsSync, readdirSync, rmSync, writeFileSync} from 'node:fs';
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

describe('--no-exec', () => {
  let server: Server;
  let base = '';
  let requests = 0;
  const body = jsonl([{prompt: 'remote', response: 'r'}]);
  const pin = createHash('sha256').update(body).digest('hex');
  beforeAll(async () => {
    ({server, base} = await serve((_req, res) => {
      requests++;
      res.end(body);
    }));
  });
  afterAll(() => close(server));

  /** A recipe with one of each: a URL fetch, a js step and a command step (each leaves a mark). */
  const untrusted = () =>
    project({
      'finetune.yaml': [
        'version: 1',
        'name: pr',
        'sources:',
        '  local: { path: d.jsonl }',
        `  remote: { url: "${base}/data.jsonl", sha256: ${pin} }`,
        'transforms:',
        '  - js: { module: t.mjs }',
        '  - command: { run: [node, tools/pipe.cjs] }',
        '',
      ].join('\n'),
      'd.jsonl': jsonl([{prompt: 'p', response: 'r'}]),
      't.mjs':
        "import {writeFileSync} from 'node:fs';\nwriteFileSync('js-ran', '');\nexport default (r) => r;\n",
      'tools/pipe.cjs':
        "require('node:fs').writeFileSync('command-ran', '');\nprocess.stdin.pipe(process.stdout);\n",
    });
  const refusals = (by: string) => [
    `finetune.yaml:5:13: error: a url source fetches ${base}/data.jsonl (refused by ${by})`,
    `finetune.yaml:7:5: error: a js step runs t.mjs inside ft's process (refused by ${by})`,
    `finetune.yaml:8:5: error: a command step runs node tools/pipe.cjs (refused by ${by})`,
  ];
  /** Nothing ran, nothing was fetched, nothing was written. */
  const untouched = (dir: string) =>
    expect({
      files: readdirSync(dir).sort(),
      requests,
    }).toEqual({files: ['d.jsonl', 'finetune.yaml', 't.mjs', 'tools'], requests: 0});

  it('refuses js and command steps and URL sources in every command that runs them, at their place, writing nothing', async () => {
    const dir = await untrusted();
    requests = 0;
    for (const command of [
      ['validate'],
      ['plan'],
      ['build'],
      ['explain', 'dataset'],
      ['data', 'head', 'dataset'],
      ['data', 'head', 'source:local'],
      ['export', 'dataset', '--out', 'out'],
    ]) {
      const r = await ft(dir, [...command, '--no-exec']);
      expect([command, r.exitCode]).toEqual([command, 2]);
      const lines = r.stderr.split('\n').filter((l) => l.startsWith('finetune.yaml:'));
      expect([command, lines]).toEqual([command, refusals('--no-exec')]);
      untouched(dir);
    }
    const json = await buildJson(dir, ['--no-exec']);
    expect(json.exitCode).toBe(2);
    expect(
      json.events.filter((e) => e.event === 'diagnostic').map((e) => [e.code, e.line]),
    ).toEqual([
      ['no-exec', 5],
      ['no-exec', 7],
      ['no-exec', 8],
    ]);
    untouched(dir);
  });

  it('FT_NO_EXEC=1 does the same, and says so', async () => {
    const dir = await untrusted();
    requests = 0;
    for (const command of [['validate'], ['plan'], ['build'], ['data', 'head', 'dataset']]) {
      const r = await ft(dir, command, {FT_NO_EXEC: '1'});
      expect([command, r.exitCode]).toEqual([command, 2]);
      const lines = r.stderr.split('\n').filter((l) => l.startsWith('finetune.yaml:'));
      expect([command, lines]).toEqual([command, refusals('FT_NO_EXEC=1')]);
      untouched(dir);
    }
  });

  it('without it, the same recipe runs its code and fetches', async () => {
    const dir = await untrusted();
    requests = 0;
    for (const env of [{}, {FT_NO_EXEC: '0'}] as Record<string, string>[]) {
      expect((await ft(dir, ['validate'], env)).exitCode).toBe(0);
    }
    const r = await ft(dir, ['build'], {FT_NO_EXEC: ''});
    expect(r.exitCode).toBe(0);
    expect(existsSync(join(dir, 'js-ran'))).toBe(true);
    expect(existsSync(join(dir, 'command-ran'))).toBe(true);
    expect(existsSync(join(dir, 'finetune.lock'))).toBe(true);
    expect(requests).toBe(1);
  });

  it('allows a URL source whose pinned bytes are in the store: nothing is sent', async () => {
    const recipe = (sha: string) =>
      urlRecipe(`{ url: "${base}/data.jsonl", sha256: ${sha}, auth_env: DATA_TOKEN }`);
    const dir = await project({'finetune.yaml': recipe(pin)});
    requests = 0;
    expect((await ft(dir, ['build'], {DATA_TOKEN: 't'})).exitCode).toBe(0);
    expect(requests).toBe(1);
    const valid = await ft(dir, ['validate', '--no-exec']);
    expect(valid.stdout).toBe(
      'finetune.yaml: valid (1 source(s), 0 transform(s), 0 target(s)); no code to run, nothing to fetch (--no-exec)',
    );
    // The stage records and the lockfile gone, the source stage runs again, from the store.
    for (const f of readdirSync(join(dir, '.ft/stages'))) rmSync(join(dir, '.ft/stages', f));
    rmSync(join(dir, 'finetune.lock'));
    const again = await buildJson(dir, ['--no-exec']);
    expect(again.statuses).toEqual({'source:r': 'ran', dataset: 'ran'});
    expect(requests).toBe(1);
    // Another pin is not in the store: refused, not fetched.
    writeFileSync(join(dir, 'finetune.yaml'), recipe('b'.repeat(64)));
    const other = await ft(dir, ['plan', '--no-exec']);
    expect(other.exitCode).toBe(2);
    expect(other.stderr).toContain(
      `finetune.yaml:4:8: error: a url source fetches ${base}/data.jsonl (refused by --no-exec)`,
    );
    expect(requests).toBe(1);
  });

  it('is in the --help of every command that runs recipe code', async () => {
    const dir = await project({});
    for (const command of [
      ['validate'],
      ['plan'],
      ['build'],
      ['explain'],
      ['data', 'head'],
      ['export'],
    ]) {
      const r = await ft(dir, [...command, '--help']);
      expect([command, r.stdout]).toEqual([command, expect.stringContaining('--no-exec')]);
    }
  });
});
