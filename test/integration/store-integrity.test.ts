import {createHash} from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import {join} from 'node:path';
import {execa} from 'execa';
import {describe, expect, it} from 'vitest';
import {
  buildJson,
  events,
  FT_BIN,
  ft,
  project,
  SMOKE_DATA,
  SMOKE_RECIPE,
  stageEnd,
} from '../helpers/ft.js';

interface Lock {
  stages: Record<string, {key: string; outputs: Record<string, string>}>;
}
const lockOf = (dir: string) =>
  JSON.parse(readFileSync(join(dir, 'finetune.lock'), 'utf8')) as Lock;
/** Paths in the store of a project folder, or (`shared`) in a shared cache laid out like `.ft/`. */
const storeOf = (dir: string, shared = false) => (shared ? dir : join(dir, '.ft'));
const objectPath = (dir: string, hash: string, shared = false) =>
  join(storeOf(dir, shared), 'objects', hash.slice(7, 9), hash.slice(7));
const stagePath = (dir: string, key: string, shared = false) =>
  join(storeOf(dir, shared), 'stages', `${key.slice(7)}.json`);
const sha256Of = (path: string) =>
  `sha256:${createHash('sha256').update(readFileSync(path)).digest('hex')}`;

/** Edits a read-only object in place, as bit rot or a careless tool would. */
function damage(path: string, edit: (bytes: Buffer) => Buffer | undefined): void {
  chmodSync(path, 0o644);
  const bytes = readFileSync(path);
  writeFileSync(path, edit(bytes) ?? bytes);
}

async function built(): Promise<{dir: string; lock: Lock; train: string}> {
  const dir = await project({'finetune.yaml': SMOKE_RECIPE, 'data/qa.jsonl': SMOKE_DATA});
  expect((await ft(dir, ['build'])).exitCode).toBe(0);
  const lock = lockOf(dir);
  return {dir, lock, train: lock.stages.dataset!.outputs['train.jsonl']!};
}

describe('a damaged object is never served', () => {
  it('a flipped byte is detected, reported and remade; data head and --frozen see good bytes', async () => {
    const {dir, train} = await built();
    const good = await ft(dir, ['data', 'head', 'dataset', '-n', '3']);
    const lockText = readFileSync(join(dir, 'finetune.lock'), 'utf8');
    damage(objectPath(dir, train), (b) => {
      b[5] = b[5]! ^ 1;
    });

    const head = await ft(dir, ['data', 'head', 'dataset', '-n', '3']);
    expect(head.exitCode).toBe(0);
    expect(head.stdout).toBe(good.stdout);
    expect(head.stderr).toContain(`the local cache's object ${train.slice(0, 19)}`);
    expect(head.stderr).toContain('is damaged');

    damage(objectPath(dir, train), (b) => {
      b[5] = b[5]! ^ 1;
    });
    const r = await buildJson(dir, ['--frozen']);
    expect(r.exitCode).toBe(0);
    expect(r.statuses.dataset).toBe('ran');
    expect(r.stdout).toContain('train.jsonl of dataset');
    expect(sha256Of(objectPath(dir, train))).toBe(train);
    expect(readFileSync(join(dir, 'finetune.lock'), 'utf8')).toBe(lockText);
    // Repaired: the next build is a no-op again.
    expect((await buildJson(dir)).statuses.dataset).toBe('fresh');
  });

  it('a truncated object is replaced by the right bytes, not kept', async () => {
    const {dir, train} = await built();
    chmodSync(objectPath(dir, train), 0o644);
    truncateSync(objectPath(dir, train), 50);
    const r = await buildJson(dir);
    expect(r.exitCode).toBe(0);
    expect(r.statuses.dataset).toBe('ran');
    expect(sha256Of(objectPath(dir, train))).toBe(train);
    expect((await buildJson(dir)).statuses.dataset).toBe('fresh');
  });

  it('an edited manifest object makes the source run again instead of failing every build', async () => {
    const {dir, lock} = await built();
    const manifest = lock.stages['source:qa']!.outputs['manifest.json']!;
    damage(objectPath(dir, manifest), (b) =>
      Buffer.from(b.toString().replace(/"size":\d+/, '"size":5')),
    );
    // The dataset must read the manifest: make it run.
    writeFileSync(stagePath(dir, lock.stages.dataset!.key), '{}');
    const r = await buildJson(dir);
    expect(r.stderr).not.toContain('changed while ft was reading');
    expect(r.exitCode).toBe(0);
    expect(r.statuses['source:qa']).toBe('ran');
    expect(sha256Of(objectPath(dir, manifest))).toBe(manifest);
    expect(lockOf(dir)).toEqual(lock);
  });

  it.each([
    ['{}', 'version is undefined'],
    [
      '{"version":1,"key":"KEY","id":"dataset","kind":"dataset","outputs":null,"summary":{}}',
      'outputs is null',
    ],
    ['not json', 'not JSON'],
  ])('a stage record %s is a miss with a warning, then rewritten', async (text, why) => {
    const {dir, lock} = await built();
    const key = lock.stages.dataset!.key;
    writeFileSync(stagePath(dir, key), text.replace('KEY', key));
    const r = await ft(dir, ['build']);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain(`the local cache's record of dataset`);
    expect(r.stderr).toContain(why);
    expect(r.stderr).not.toContain('bug in ft');
    const record = JSON.parse(readFileSync(stagePath(dir, key), 'utf8'));
    expect(record.key).toBe(key);
    expect(Object.values(record.outputs).map((o) => (o as {hash: string}).hash)).toEqual(
      Object.values(lock.stages.dataset!.outputs),
    );
    expect(lockOf(dir)).toEqual(lock);
  });
});

describe('ft cache verify', () => {
  it('says a sound store is sound, then finds, removes and reports what is damaged', async () => {
    const {dir, lock, train} = await built();
    const clean = await ft(dir, ['cache', 'verify', '--json']);
    expect(clean.exitCode).toBe(0);
    const report = JSON.parse(clean.stdout);
    expect(report.ok).toBe(true);
    expect(report.objects.checked).toBe(
      readdirSync(join(dir, '.ft/objects')).flatMap((p) => readdirSync(join(dir, '.ft/objects', p)))
        .length,
    );
    expect(report.records.checked).toBe(2);

    damage(objectPath(dir, train), (b) => b.subarray(0, 10));
    writeFileSync(stagePath(dir, lock.stages['source:qa']!.key), 'null');
    const found = await ft(dir, ['cache', 'verify']);
    expect(found.exitCode).toBe(1);
    expect(found.stdout).toContain(`damaged object ${train.slice(0, 19)} (train.jsonl of dataset)`);
    expect(found.stdout).toContain('damaged stage record');
    expect(existsSync(objectPath(dir, train))).toBe(false);
    expect(existsSync(stagePath(dir, lock.stages['source:qa']!.key))).toBe(false);
    // Repaired: a second run finds nothing, and a build remakes what went.
    expect((await ft(dir, ['cache', 'verify'])).exitCode).toBe(0);
    expect((await ft(dir, ['build'])).exitCode).toBe(0);
    expect(sha256Of(objectPath(dir, train))).toBe(train);
  });

  it('restores damaged objects from the shared cache', async () => {
    const shared = await project({});
    const dir = await project({'finetune.yaml': SMOKE_RECIPE, 'data/qa.jsonl': SMOKE_DATA});
    expect((await ft(dir, ['build'], {FT_SHARED_CACHE: shared})).exitCode).toBe(0);
    const train = lockOf(dir).stages.dataset!.outputs['train.jsonl']!;
    damage(objectPath(dir, train), (b) => {
      b[0] = 0x20;
    });
    const r = await ft(dir, ['cache', 'verify', '--json'], {FT_SHARED_CACHE: shared});
    expect(r.exitCode).toBe(1);
    expect(JSON.parse(r.stdout).objects.damaged).toEqual([
      expect.objectContaining({
        hash: train,
        action: 'restored',
        usedBy: ['train.jsonl of dataset'],
      }),
    ]);
    expect(sha256Of(objectPath(dir, train))).toBe(train);
  });
});

describe('a shared cache cannot rewrite the lockfile', () => {
  it('a forged record with swapped outputs is ignored: exact objects by hash, lockfile unchanged', async () => {
    const shared = await project({});
    const a = await project({'finetune.yaml': SMOKE_RECIPE, 'data/qa.jsonl': SMOKE_DATA});
    expect((await ft(a, ['build'], {FT_SHARED_CACHE: shared})).exitCode).toBe(0);
    const lockText = readFileSync(join(a, 'finetune.lock'), 'utf8');
    const lock = lockOf(a);
    // Forge: same key, train and validation swapped.
    const forged = JSON.parse(
      readFileSync(stagePath(shared, lock.stages.dataset!.key, true), 'utf8'),
    );
    const {'train.jsonl': t, 'validation.jsonl': v} = forged.outputs;
    forged.outputs = {'train.jsonl': v, 'validation.jsonl': t};
    writeFileSync(stagePath(shared, lock.stages.dataset!.key, true), JSON.stringify(forged));

    // A fresh clone: the committed recipe, data and lockfile, no store.
    const b = await project({
      'finetune.yaml': SMOKE_RECIPE,
      'data/qa.jsonl': SMOKE_DATA,
      'finetune.lock': lockText,
    });
    const r = await ft(b, ['build'], {FT_SHARED_CACHE: shared});
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain(
      `the shared cache (FT_SHARED_CACHE=${shared}) has a record of dataset`,
    );
    expect(r.stderr).toContain('the lockfile wins');
    expect(readFileSync(join(b, 'finetune.lock'), 'utf8')).toBe(lockText);
    const train = lock.stages.dataset!.outputs['train.jsonl']!;
    expect(readFileSync(objectPath(b, train))).toEqual(readFileSync(objectPath(a, train)));
    // Its local record names the lockfile's outputs, so the next build is fresh and quiet.
    const again = await buildJson(b);
    expect(again.statuses.dataset).toBe('fresh');
    expect(again.stderr).toBe('');
  });

  it('a bad object in the shared cache is removed there, and good bytes published again', async () => {
    const shared = await project({});
    const a = await project({'finetune.yaml': SMOKE_RECIPE, 'data/qa.jsonl': SMOKE_DATA});
    await ft(a, ['build'], {FT_SHARED_CACHE: shared});
    const train = lockOf(a).stages.dataset!.outputs['train.jsonl']!;
    damage(objectPath(shared, train, true), (b) => Buffer.concat([b, Buffer.from('x')]));
    const b = await project({'finetune.yaml': SMOKE_RECIPE, 'data/qa.jsonl': SMOKE_DATA});
    const r = await ft(b, ['build'], {FT_SHARED_CACHE: shared});
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain(`the shared cache (FT_SHARED_CACHE=${shared}) has bad bytes`);
    expect(r.stderr).toContain('removed there');
    expect(sha256Of(objectPath(shared, train, true))).toBe(train);
    // Nothing is fetched or warned about again.
    const c = await project({'finetune.yaml': SMOKE_RECIPE, 'data/qa.jsonl': SMOKE_DATA});
    const again = await buildJson(c);
    expect(again.exitCode).toBe(0);
    const r2 = await ft(c, ['build'], {FT_SHARED_CACHE: shared});
    expect(r2.stderr).toBe('');
  });

  it('a damaged object is replaced when a stage makes the same bytes again, before it is published', async () => {
    const shared = await project({});
    const a = await project({'finetune.yaml': SMOKE_RECIPE, 'data/qa.jsonl': SMOKE_DATA});
    await ft(a, ['build']);
    const train = lockOf(a).stages.dataset!.outputs['train.jsonl']!;
    damage(objectPath(a, train), (b) => {
      b[3] = b[3]! ^ 4;
    });
    // A new key with the same outputs: the stage runs and makes the same bytes.
    writeFileSync(
      join(a, 'finetune.yaml'),
      SMOKE_RECIPE.replace('  - split:', '  - limit: { n: 1000 }\n  - split:'),
    );
    const r = await ft(a, ['build', '--json'], {FT_SHARED_CACHE: shared});
    expect(r.exitCode).toBe(0);
    expect(stageEnd(events(r.stdout), 'dataset').status).toBe('ran');
    expect(lockOf(a).stages.dataset!.outputs['train.jsonl']).toBe(train);
    expect(sha256Of(objectPath(a, train))).toBe(train);
    expect(sha256Of(objectPath(shared, train, true))).toBe(train);
  });
});

describe('leftovers and lost records', () => {
  it('kill -9 mid-build, then a build: .ft/tmp is left empty', async () => {
    const dir = await project({
      'finetune.yaml':
        'version: 1\nname: k\nsources:\n  d: { path: d.jsonl }\ntransforms:\n  - js: { module: t.mjs }\n',
      'd.jsonl': SMOKE_DATA,
      't.mjs':
        "import {writeFileSync} from 'node:fs';\nexport default (r) => { writeFileSync(process.env.MARK, 'x'); for (;;) {} };\n",
    });
    const mark = join(dir, 'started');
    const child = execa(process.execPath, [FT_BIN, 'build'], {
      cwd: dir,
      reject: false,
      env: {CI: '1', MARK: mark},
    });
    while (!existsSync(mark)) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGKILL');
    await child;
    expect(readdirSync(join(dir, '.ft/tmp')).length).toBeGreaterThan(0);
    writeFileSync(join(dir, 't.mjs'), 'export default (r) => r;\n');
    const r = await ft(dir, ['build']);
    expect(r.exitCode).toBe(0);
    expect(readdirSync(join(dir, '.ft/tmp'))).toEqual([]);
  });

  it('gc with a sibling lockfile it cannot read deletes nothing and names the file', async () => {
    const {dir} = await built();
    writeFileSync(join(dir, 'other.yaml'), SMOKE_RECIPE);
    writeFileSync(join(dir, 'other.lock'), '<<<<<<< HEAD\n{}\n=======\n{}\n>>>>>>> branch\n');
    writeFileSync(join(dir, 'yarn.lock'), 'not ours\n');
    // Something gc would remove: an unreferenced record.
    writeFileSync(join(dir, 'finetune.yaml'), `${SMOKE_RECIPE}seed: 3\n`);
    await ft(dir, ['build']);
    const before = readdirSync(join(dir, '.ft/stages')).sort();
    const r = await ft(dir, ['cache', 'gc', '--keep-builds', '0']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('other.lock');
    expect(r.stderr).toContain('deleted nothing');
    expect(readdirSync(join(dir, '.ft/stages')).sort()).toEqual(before);
    // Once it is readable again, gc works (and yarn.lock is no concern of its).
    writeFileSync(join(dir, 'other.lock'), readFileSync(join(dir, 'finetune.lock')));
    const ok = await ft(dir, ['cache', 'gc', '--keep-builds', '0']);
    expect(ok.exitCode).toBe(0);
    expect(readdirSync(join(dir, '.ft/stages')).length).toBeLessThan(before.length);
  });

  it('gc keeps records of training unless --include-trained', async () => {
    const {dir} = await built();
    const key = `sha256:${'7'.repeat(64)}`;
    const record = {
      version: 1,
      id: 'train:gpt',
      kind: 'train',
      key,
      fingerprint: {},
      outputs: {},
      summary: {model: 'ft:from-another-branch'},
      durationMs: 1,
      createdAt: '2026-01-01T00:00:00.000Z',
    };
    writeFileSync(stagePath(dir, key), JSON.stringify(record));
    const kept = await ft(dir, ['cache', 'gc', '--keep-builds', '0']);
    expect(kept.exitCode).toBe(0);
    expect(kept.stdout).toContain('kept 1 record(s) of training or evaluation');
    expect(existsSync(stagePath(dir, key))).toBe(true);
    const gone = await ft(dir, ['cache', 'gc', '--keep-builds', '0', '--include-trained']);
    expect(gone.exitCode).toBe(0);
    expect(existsSync(stagePath(dir, key))).toBe(false);
    // What the lockfile names stays either way.
    expect((await buildJson(dir)).statuses.dataset).toBe('fresh');
  });

  it('a lock held from another host says who holds it and how to break it', async () => {
    const dir = await project({'finetune.yaml': SMOKE_RECIPE, 'data/qa.jsonl': SMOKE_DATA});
    mkdirSync(join(dir, '.ft'), {recursive: true});
    writeFileSync(
      join(dir, '.ft/lock'),
      JSON.stringify({
        pid: 4242,
        start: '1',
        host: 'ci-runner-7',
        command: 'ft build',
        since: '2026-12-01T10:00:00.000Z',
      }),
    );
    const child = execa(process.execPath, [FT_BIN, 'build'], {
      cwd: dir,
      reject: false,
      env: {CI: '1'},
    });
    let err = '';
    await new Promise<void>((resolve) => {
      child.stderr?.on('data', (chunk: Buffer) => {
        err += chunk.toString();
        if (err.includes('\n')) resolve();
      });
    });
    child.kill('SIGINT');
    const r = await child;
    expect(err).toContain('pid 4242 on host ci-runner-7 (ft build) since 2026-12-01T10:00:00.000Z');
    expect(err).toContain(`delete ${join(dir, '.ft/lock')}`);
    expect(r.exitCode).toBe(130);
  });
});
