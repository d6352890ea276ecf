import {mkdirSync, readdirSync, rmSync, utimesSync, writeFileSync} from 'node:fs';
import {createServer, type IncomingMessage, type Server} from 'node:http';
import {join} from 'node:path';
import {execa} from 'execa';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {
  buildJson,
  events,
  FT_BIN,
  ft,
  jsonl,
  project,
  SMOKE_DATA,
  SMOKE_RECIPE,
  stageEnd,
} from '../helpers/ft.js';

const qa = (n: number) => jsonl(Array.from({length: n}, (_, i) => ({q: `q${i}`, a: `a${i}`})));

describe('keys see everything that changes a result', () => {
  it("the recipe's seed reaches a js step's key", async () => {
    const dir = await project({
      'finetune.yaml':
        'version: 1\nname: s\nseed: 1\nsources:\n  d: { path: d.jsonl }\ntransforms:\n  - js: { module: t.mjs }\n',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the module's own template literal
      't.mjs': 'export default (r, {seed}) => ({prompt: r.q, response: `seed ${seed}`});\n',
      'd.jsonl': qa(3),
    });
    await buildJson(dir);
    writeFileSync(
      join(dir, 'finetune.yaml'),
      'version: 1\nname: s\nseed: 2\nsources:\n  d: { path: d.jsonl }\ntransforms:\n  - js: { module: t.mjs }\n',
    );
    const r = await buildJson(dir);
    expect(r.statuses.dataset).toBe('ran');
    expect(stageEnd(r.events, 'dataset').why).toEqual([
      {what: 'transforms[0].js.seed', from: 1, to: 2},
    ]);
    const head = await ft(dir, ['data', 'head', 'dataset', '-n', '1']);
    expect(JSON.parse(head.stdout).messages[1].content).toBe('seed 2');
  });

  it('a cached recipe still reports files that went missing, at their place', async () => {
    const dir = await project({
      'finetune.yaml':
        'version: 1\nname: m\nsources:\n  d: { path: d.jsonl }\ntransforms:\n  - js: { module: t.mjs }\n',
      't.mjs': 'export default (r) => r;\n',
      'd.jsonl': jsonl([{prompt: 'p', response: 'r'}]),
    });
    expect((await buildJson(dir)).exitCode).toBe(0);
    rmSync(join(dir, 't.mjs'));
    const r = await ft(dir, ['build']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('finetune.yaml:6:19: error: no such file: t.mjs');
  });

  it('messages name files relative to where ft runs, whatever ran before', async () => {
    const dir = await project({
      'sub/finetune.yaml': SMOKE_RECIPE,
      'sub/data/qa.jsonl': `${SMOKE_DATA}{bad\n`,
    });
    const fromParent = await ft(dir, ['build', '-f', 'sub/finetune.yaml']);
    expect(fromParent.stderr).toContain('sub/data/qa.jsonl:41:2: error: invalid JSON');
    const fromSub = await ft(join(dir, 'sub'), ['build']);
    expect(fromSub.stderr).toMatch(/^data\/qa\.jsonl:41:2: error: invalid JSON/m);
  });
});

describe('failures end cleanly', () => {
  it('a failing step after a command does not leave ft waiting on the command', async () => {
    const dir = await project({
      'finetune.yaml':
        'version: 1\nname: c\nsources:\n  d: { path: d.jsonl }\ntransforms:\n  - command: { run: [cat] }\n  - js: { module: t.mjs }\n',
      't.mjs': 'export const other = () => null;\n',
      'd.jsonl': qa(50_000),
    });
    // The timeout guards against a hang; it measures nothing.
    const r = await execa(process.execPath, [FT_BIN, 'build', '--json'], {
      cwd: dir,
      reject: false,
      env: {CI: '1'},
      timeout: 120_000,
    });
    expect(r.timedOut).toBe(false);
    expect(r.exitCode).toBe(2);
    const end = stageEnd(events(String(r.stdout)), 'dataset');
    expect((end.error as {message: string}).message).toContain(
      "t.mjs has no exported function 'default'",
    );
  });

  it('a command that stops reading early is not an error', async () => {
    const dir = await project({
      'finetune.yaml':
        'version: 1\nname: h\nsources:\n  d: { path: d.jsonl }\ntransforms:\n  - command: { run: [head, -n, "2"] }\n',
      'd.jsonl': jsonl(
        Array.from({length: 20_000}, (_, i) => ({prompt: `p${i}`, response: `r${i}`})),
      ),
    });
    const r = await buildJson(dir);
    expect(r.exitCode).toBe(0);
    const head = await ft(dir, ['data', 'head', 'dataset', '-n', '10']);
    expect(head.stdout.split('\n')).toHaveLength(2);
  });

  it('every stage of a build gets a stage-end event, skipped ones too', async () => {
    const dir = await project({
      'finetune.yaml': `${SMOKE_RECIPE}backend: { type: openai, model: gpt-4o-mini-2024-07-18 }\neval: { metrics: [exact_match] }\n`,
      'data/qa.jsonl': SMOKE_DATA,
    });
    const r = await buildJson(dir);
    expect(stageEnd(r.events, 'generate:tuned')).toMatchObject({status: 'skipped', key: null});
    expect(stageEnd(r.events, 'eval')).toMatchObject({status: 'skipped'});
  });

  it('a build interrupted while waiting for the lock still ends its --json output with a summary', async () => {
    const dir = await project({'finetune.yaml': SMOKE_RECIPE, 'data/qa.jsonl': SMOKE_DATA});
    const holder = execa(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    const pid = holder.pid!;
    const stat = (await import('node:fs')).readFileSync(`/proc/${pid}/stat`, 'utf8');
    const start = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    mkdirSync(join(dir, '.ft'), {recursive: true});
    writeFileSync(
      join(dir, '.ft/lock'),
      JSON.stringify({pid, start, host: (await import('node:os')).hostname(), command: 'ft build'}),
    );
    const child = execa(process.execPath, [FT_BIN, 'build', '--json'], {
      cwd: dir,
      reject: false,
      env: {CI: '1'},
    });
    await new Promise<void>((resolve) => {
      child.stderr?.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('waiting for another ft process')) resolve();
      });
    });
    child.kill('SIGINT');
    const r = await child;
    holder.kill('SIGKILL');
    await holder.catch(() => undefined);
    expect(r.exitCode).toBe(130);
    expect(events(String(r.stdout)).at(-1)).toEqual({
      event: 'summary',
      ok: false,
      exit_code: 130,
      stages: [],
    });
  });

  it('a lock file nobody can read is broken once it is a few seconds old', async () => {
    const dir = await project({'finetune.yaml': SMOKE_RECIPE, 'data/qa.jsonl': SMOKE_DATA});
    mkdirSync(join(dir, '.ft'), {recursive: true});
    writeFileSync(join(dir, '.ft/lock'), '');
    const old = new Date(Date.now() - 60_000);
    utimesSync(join(dir, '.ft/lock'), old, old);
    const r = await buildJson(dir);
    expect(r.exitCode).toBe(0);
  });
});

describe('caches and secrets', () => {
  it('ft cache gc keeps what the lockfiles of other recipes in the folder use', async () => {
    const dir = await project({
      'a.yaml': SMOKE_RECIPE,
      'b.yaml': SMOKE_RECIPE.replace('0.2', '0.3'),
      'data/qa.jsonl': SMOKE_DATA,
    });
    await buildJson(dir, ['-f', 'b.yaml']);
    await buildJson(dir, ['-f', 'a.yaml']);
    const gc = await ft(dir, ['cache', 'gc', '-f', 'a.yaml', '--keep-builds', '0']);
    expect(gc.exitCode).toBe(0);
    const plan = JSON.parse((await ft(dir, ['plan', '--json', '-f', 'b.yaml'])).stdout);
    expect(plan.stages.map((s: {status: string}) => s.status)).toEqual(['fresh', 'fresh']);
  });

  it('a shared cache that cannot be used is a warning, not a failure', async () => {
    const dir = await project({
      'finetune.yaml': SMOKE_RECIPE,
      'data/qa.jsonl': SMOKE_DATA,
      'not-a-folder': 'x',
    });
    const r = await execa(process.execPath, [FT_BIN, 'build', '--json'], {
      cwd: dir,
      reject: false,
      env: {CI: '1', FT_SHARED_CACHE: join(dir, 'not-a-folder')},
    });
    expect(r.exitCode).toBe(0);
    const warning = events(String(r.stdout)).find((e) => e.event === 'diagnostic');
    expect(warning).toMatchObject({severity: 'warning'});
    expect(warning?.message).toContain('FT_SHARED_CACHE=');
  });

  it('--set cannot reach JavaScript object internals', async () => {
    const dir = await project({'finetune.yaml': SMOKE_RECIPE, 'data/qa.jsonl': SMOKE_DATA});
    const r = await ft(dir, ['validate', '--set', '__proto__.x=1']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("'__proto__' is not a recipe key");
  });

  it('credentials in a source URL are refused before anything runs', async () => {
    const dir = await project({
      'finetune.yaml': `version: 1\nname: u\nsources:\n  r: { url: "https://user:s3cret@example.invalid/x.jsonl", sha256: ${'a'.repeat(64)} }\n`,
    });
    const r = await ft(dir, ['build']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('credentials in a URL would reach keys, logs and the lockfile');
    expect(readdirSync(dir)).not.toContain('finetune.lock');
  });
});

describe('redirects', () => {
  let home: Server;
  let elsewhere: Server;
  const seen: IncomingMessage[] = [];
  const body = jsonl([{prompt: 'p', response: 'r'}]);
  let homeUrl = '';
  beforeAll(async () => {
    const listen = (s: Server) =>
      new Promise<string>((resolve) =>
        s.listen(0, '127.0.0.1', () => {
          const a = s.address();
          resolve(`http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`);
        }),
      );
    elsewhere = createServer((req, res) => {
      seen.push(req);
      res.end(body);
    });
    const elsewhereUrl = await listen(elsewhere);
    home = createServer((req, res) => {
      seen.push(req);
      res.writeHead(302, {location: `${elsewhereUrl}/data.jsonl`}).end();
    });
    homeUrl = await listen(home);
  });
  afterAll(async () => {
    await new Promise((r) => home.close(r));
    await new Promise((r) => elsewhere.close(r));
  });

  it('carry the token only to the origin it was meant for', async () => {
    const {createHash} = await import('node:crypto');
    const pin = createHash('sha256').update(body).digest('hex');
    const dir = await project({
      'finetune.yaml': `version: 1\nname: r\nsources:\n  r: { url: "${homeUrl}/data.jsonl", sha256: ${pin}, auth_env: TOKEN, auth_header: X-Api-Key, auth_scheme: "" }\n`,
    });
    const r = await execa(process.execPath, [FT_BIN, 'build'], {
      cwd: dir,
      reject: false,
      env: {CI: '1', TOKEN: 'T2'},
    });
    expect(r.exitCode).toBe(0);
    expect(seen.map((req) => req.headers['x-api-key'])).toEqual(['T2', undefined]);
  });
});
