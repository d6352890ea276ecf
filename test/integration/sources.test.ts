import {createHash} from 'node:crypto';
import {readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import {createServer, type IncomingMessage, type Server} from 'node:http';
import {join} from 'node:path';
import {gzipSync} from 'node:zlib';
import {execa} from 'execa';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {buildJson, FT_BIN, ft, jsonl, project, stageEnd} from '../helpers/ft.js';

const recipe = (sources: string, transforms = '') =>
  `version: 1\nname: s\nsources:\n${sources}\n${transforms ? `transforms:\n${transforms}\n` : ''}`;

/** The dataset's train.jsonl as parsed records. */
async function trainRecords(dir: string, args: string[] = []): Promise<unknown[]> {
  const r = await ft(dir, ['data', 'head', 'dataset', '-n', '1000', ...args]);
  if (r.exitCode !== 0) throw new Error(`ft data head failed:\n${r.stderr}`);
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

describe('local sources', () => {
  it('reads JSONL, JSON arrays, CSV, TSV and gzip, and normalizes record formats', async () => {
    const dir = await project({
      'finetune.yaml': recipe(
        [
          '  a: { path: data/a.jsonl }',
          '  b: { path: data/b.json }',
          '  c: { path: data/c.csv }',
          '  d: { path: data/d.tsv }',
          '  e: { path: data/e.jsonl.gz }',
        ].join('\n'),
      ),
      'data/a.jsonl': jsonl([{prompt: 'pa', response: 'ra'}]),
      'data/b.json': JSON.stringify([{prompt: 'pb', completion: 'cb'}], null, 2),
      'data/c.csv': 'prompt,response\n"p, c","r ""c"""\n',
      'data/d.tsv': 'prompt\tresponse\npd\trd\n',
    });
    writeFileSync(
      join(dir, 'data/e.jsonl.gz'),
      gzipSync(
        jsonl([
          {
            conversations: [
              {from: 'human', value: 'pe'},
              {from: 'gpt', value: 're'},
            ],
          },
        ]),
      ),
    );
    const r = await buildJson(dir);
    expect(r.exitCode).toBe(0);
    const chat = (p: string, a: string) => ({
      messages: [
        {role: 'user', content: p},
        {role: 'assistant', content: a},
      ],
    });
    expect(await trainRecords(dir)).toEqual([
      chat('pa', 'ra'),
      chat('pb', 'cb'),
      chat('p, c', 'r "c"'),
      chat('pd', 'rd'),
      chat('pe', 're'),
    ]);
    const head = await ft(dir, ['data', 'head', 'source:c']);
    expect(head.stdout).toBe('{"prompt":"p, c","response":"r \\"c\\""}');
  });

  it('expands globs in sorted order, and a new file shows in why', async () => {
    const dir = await project({
      'finetune.yaml': recipe('  parts: { path: "data/**/*.jsonl" }'),
      'data/2.jsonl': jsonl([{prompt: 'two', response: '2'}]),
      'data/1.jsonl': jsonl([{prompt: 'one', response: '1'}]),
      'data/sub/3.jsonl': jsonl([{prompt: 'three', response: '3'}]),
      'data/ignored.txt': 'not matched',
    });
    await buildJson(dir);
    const prompts = async () =>
      (await trainRecords(dir)).map(
        (r) => (r as {messages: {content: string}[]}).messages[0]!.content,
      );
    expect(await prompts()).toEqual(['one', 'two', 'three']);
    writeFileSync(join(dir, 'data/0.jsonl'), jsonl([{prompt: 'zero', response: '0'}]));
    const r = await buildJson(dir);
    expect(stageEnd(r.events, 'source:parts').why).toEqual([
      {
        what: 'sources.parts.files["data/0.jsonl"]',
        from: null,
        to: expect.stringMatching(/^sha256:/),
      },
    ]);
    expect(await prompts()).toEqual(['zero', 'one', 'two', 'three']);
  });

  it('takes inline examples, and points data errors at their line in the recipe', async () => {
    const dir = await project({
      'finetune.yaml': recipe(
        [
          '  inline:',
          '    examples:',
          '      - { prompt: "hi", response: "hello" }',
          '      - { prompt: "bye" }',
        ].join('\n'),
        '  - template: { user: "{{prompt}}", assistant: "{{response}}" }',
      ),
    });
    const r = await ft(dir, ['build']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(
      "finetune.yaml:7:1: error: template: the record has no field 'response' (transforms[0].template.assistant)",
    );
  });

  it('reports CSV rows with the wrong number of fields, empty sources and missing files', async () => {
    const dir = await project({
      'finetune.yaml': recipe('  c: { path: data/c.csv }\n  e: { path: data/e.jsonl }'),
      'data/c.csv': 'prompt,response\na,b\nc\nd,e,f\ng,h\n',
      'data/e.jsonl': '\n\n',
    });
    const r = await buildJson(dir);
    expect(r.exitCode).toBe(2);
    const diagnostics = r.events.filter((e) => e.event === 'diagnostic');
    expect(diagnostics.map((d) => [d.file, d.line, d.message])).toEqual([
      ['data/c.csv', 3, 'this row has 1 fields; the header has 2'],
      ['data/c.csv', 4, 'this row has 3 fields; the header has 2'],
      ['data/e.jsonl', 1, 'sources.e has no usable records'],
    ]);
    expect(readdirSync(join(dir, '.ft/stages'))).toHaveLength(2); // the two sources; no dataset
    const missing = await project({'finetune.yaml': recipe('  x: { path: "data/*.jsonl" }')});
    const m = await ft(missing, ['build']);
    expect(m.exitCode).toBe(2);
    expect(m.stderr).toContain('finetune.yaml:4:14: error: no files match data/*.jsonl');
  });

  it('with on_error: skip, leaves bad records out, counts them and warns', async () => {
    const dir = await project({
      'finetune.yaml': recipe('  qa: { path: data/qa.jsonl, on_error: skip }'),
      'data/qa.jsonl': `${jsonl([{prompt: 'a', response: 'b'}])}{bad json\n[1]\n${jsonl([{prompt: 'c', response: 'd'}])}`,
    });
    const r = await buildJson(dir);
    expect(r.exitCode).toBe(0);
    const warnings = r.events.filter((e) => e.event === 'diagnostic');
    expect(warnings.map((w) => [w.severity, w.line])).toEqual([
      ['warning', 2],
      ['warning', 3],
    ]);
    expect(warnings[0]?.message).toMatch(/^skipped: invalid JSON/);
    expect(await trainRecords(dir)).toHaveLength(2);
    const plan = JSON.parse((await ft(dir, ['plan', '--json'])).stdout);
    expect(plan.stages[1].summary.skipped).toEqual({
      total: 2,
      reasons: {'invalid JSON': 1, 'not an object': 1},
    });
  });
});

describe('remote sources', () => {
  let server: Server;
  let base: string;
  const requests: IncomingMessage[] = [];
  const body = jsonl([{prompt: 'remote', response: 'yes'}]);
  const pin = createHash('sha256').update(body).digest('hex');

  beforeAll(async () => {
    server = createServer((req, res) => {
      requests.push(req);
      if (req.url === '/private.jsonl' && req.headers.authorization !== 'Bearer s3cret-token') {
        res.writeHead(401).end('unauthorized');
        return;
      }
      if (req.url === '/data.jsonl' || req.url === '/private.jsonl') res.end(body);
      else if (req.url === '/changed.jsonl') res.end(`${body}{"extra": 1}\n`);
      else res.writeHead(404).end('no');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const fetches = (path: string) => requests.filter((r) => r.url === path).length;

  it('fetches a pinned URL once and never again while the pin matches', async () => {
    const dir = await project({
      'finetune.yaml': recipe(`  r: { url: "${base}/data.jsonl", sha256: ${pin} }`),
    });
    const before = fetches('/data.jsonl');
    expect((await buildJson(dir)).statuses).toEqual({'source:r': 'ran', dataset: 'ran'});
    expect(fetches('/data.jsonl')).toBe(before + 1);
    expect((await trainRecords(dir))[0]).toEqual({
      messages: [
        {role: 'user', content: 'remote'},
        {role: 'assistant', content: 'yes'},
      ],
    });
    // Records of the stage gone, the fetched bytes still in the store: no second request.
    for (const f of readdirSync(join(dir, '.ft/stages'))) {
      writeFileSync(join(dir, '.ft/stages', f), '');
    }
    writeFileSync(join(dir, 'finetune.lock'), '{"lockfile_version": 1, "stages": {}}');
    const again = await buildJson(dir);
    expect(again.exitCode).toBe(0);
    expect(fetches('/data.jsonl')).toBe(before + 1);
  });

  it('fails with both hashes when the bytes do not match the pin, and stores nothing', async () => {
    const dir = await project({
      'finetune.yaml': recipe(`  r: { url: "${base}/changed.jsonl", sha256: ${pin} }`),
    });
    const r = await buildJson(dir);
    expect(r.exitCode).toBe(2);
    const d = r.events.find((e) => e.event === 'diagnostic');
    expect(d?.message).toContain(`but the recipe pins sha256:${pin}`);
    expect(d?.message).toMatch(/changed\.jsonl has sha256:[0-9a-f]{64}/);
    expect(readdirSync(join(dir, '.ft/objects'))).toEqual([]);
  });

  it('sends a token from an environment variable, which never reaches the store or the lockfile', async () => {
    const dir = await project({
      'finetune.yaml': recipe(
        `  r: { url: "${base}/private.jsonl", sha256: "sha256:${pin}", auth_env: DATA_TOKEN }`,
      ),
    });
    const unset = await buildJson(dir);
    expect(unset.exitCode).toBe(2);
    expect(unset.events.find((e) => e.event === 'diagnostic')?.message).toContain(
      'the environment variable DATA_TOKEN (auth_env) is not set',
    );
    const r = await execa(process.execPath, [FT_BIN, 'build', '--json'], {
      cwd: dir,
      reject: false,
      env: {CI: '1', DATA_TOKEN: 's3cret-token'},
    });
    expect(r.exitCode).toBe(0);
    expect(String(r.stdout)).not.toContain('s3cret');
    const files = [join(dir, 'finetune.lock'), ...walk(join(dir, '.ft'))];
    for (const file of files) expect(readFileSync(file, 'latin1')).not.toContain('s3cret');
  });

  it('fails (exit 1) when the server does not answer with the file', async () => {
    const dir = await project({
      'finetune.yaml': recipe(`  r: { url: "${base}/missing.jsonl", sha256: ${pin} }`),
    });
    const r = await buildJson(dir);
    expect(r.exitCode).toBe(1);
    expect((stageEnd(r.events, 'source:r').error as {message: string}).message).toContain('404');
  });
});

function walk(dir: string): string[] {
  return readdirSync(dir, {withFileTypes: true}).flatMap((e) =>
    e.isDirectory()
      ? walk(join(dir, e.name))
      : statSync(join(dir, e.name)).isFile()
        ? [join(dir, e.name)]
        : [],
  );
}
