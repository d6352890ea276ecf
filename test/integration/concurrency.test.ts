import {createHash} from 'node:crypto';
import {existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync} from 'node:fs';
import {hostname} from 'node:os';
import {join} from 'node:path';
import {execa} from 'execa';
import {describe, expect, it} from 'vitest';
import {buildJson, FT_BIN, jsonl, project, SMOKE_RECIPE} from '../helpers/ft.js';

const bigData = (n: number) =>
  jsonl(
    Array.from({length: n}, (_, i) => ({prompt: `question number ${i}?`, response: `${i * 7}`})),
  );

/** Every object is named by the sha256 of its bytes; every record's outputs exist. */
function checkStore(dir: string): void {
  const objects = join(dir, '.ft/objects');
  for (const prefix of readdirSync(objects)) {
    for (const name of readdirSync(join(objects, prefix))) {
      const bytes = readFileSync(join(objects, prefix, name));
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(name);
    }
  }
  for (const name of readdirSync(join(dir, '.ft/stages'))) {
    const record = JSON.parse(readFileSync(join(dir, '.ft/stages', name), 'utf8'));
    expect(`${record.key}.json`).toBe(`sha256:${name}`);
    for (const output of Object.values(record.outputs) as {hash: string}[]) {
      const hex = output.hash.slice('sha256:'.length);
      expect(existsSync(join(objects, hex.slice(0, 2), hex))).toBe(true);
    }
  }
  expect(readdirSync(join(dir, '.ft/tmp'))).toEqual([]);
  expect(existsSync(join(dir, '.ft/lock'))).toBe(false);
}

describe('two builds in one project', () => {
  it('run one after the other under the project lock and leave a sound store', async () => {
    const dir = await project({'finetune.yaml': SMOKE_RECIPE, 'data/qa.jsonl': bigData(20_000)});
    const runs = await Promise.all([buildJson(dir), buildJson(dir), buildJson(dir)]);
    for (const r of runs) expect(r.exitCode).toBe(0);
    const datasetRuns = runs.filter((r) => r.statuses.dataset === 'ran');
    expect(datasetRuns).toHaveLength(1);
    for (const r of runs) expect(['ran', 'fresh']).toContain(r.statuses.dataset);
    checkStore(dir);
    const lock = readFileSync(join(dir, 'finetune.lock'), 'utf8');
    const clean = await project({'finetune.yaml': SMOKE_RECIPE, 'data/qa.jsonl': bigData(20_000)});
    await buildJson(clean);
    expect(readFileSync(join(clean, 'finetune.lock'), 'utf8')).toBe(lock);
  });

  it('breaks a lock left by a process that is gone', async () => {
    const dir = await project({'finetune.yaml': SMOKE_RECIPE, 'data/qa.jsonl': bigData(10)});
    const gone = await execa(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    mkdirSync(join(dir, '.ft'), {recursive: true});
    writeFileSync(
      join(dir, '.ft/lock'),
      JSON.stringify({pid: Number(gone.stdout), start: '1', host: hostname(), command: 'ft build'}),
      {flag: 'w'},
    );
    const r = await buildJson(dir);
    expect(r.exitCode).toBe(0);
    expect(r.statuses.dataset).toBe('ran');
    expect(existsSync(join(dir, '.ft/lock'))).toBe(false);
  });

  it('waits for a live holder, then proceeds', async () => {
    const dir = await project({'finetune.yaml': SMOKE_RECIPE, 'data/qa.jsonl': bigData(10)});
    // A real process holds the lock: a sleeping child whose pid and start time are recorded.
    const holder = execa(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    const pid = holder.pid!;
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const start = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    mkdirSync(join(dir, '.ft'), {recursive: true});
    writeFileSync(
      join(dir, '.ft/lock'),
      JSON.stringify({pid, start, host: hostname(), command: 'ft build'}),
    );
    const waiting = execa(process.execPath, [FT_BIN, 'build'], {
      cwd: dir,
      reject: false,
      env: {CI: '1'},
    });
    // When the build says it waits, end the holder: the lock it leaves behind is stale.
    await new Promise<void>((resolve) => {
      let err = '';
      waiting.stderr?.on('data', (chunk: Buffer) => {
        err += chunk.toString();
        if (err.includes('waiting for another ft process')) resolve();
      });
    });
    holder.kill('SIGKILL');
    await holder.catch(() => undefined);
    const r = await waiting;
    expect(r.exitCode).toBe(0);
    expect(String(r.stderr)).toContain(
      `waiting for another ft process to finish: pid ${pid} (ft build)`,
    );
    expect(String(r.stdout)).toContain('dataset: ran');
  });
});

describe('interrupting a build', () => {
  it('exits 130, leaves no half-written entry and keeps the lockfile', async () => {
    const dir = await project({'finetune.yaml': SMOKE_RECIPE, 'data/qa.jsonl': bigData(10)});
    await buildJson(dir);
    const lock = readFileSync(join(dir, 'finetune.lock'), 'utf8');
    writeFileSync(join(dir, 'data/qa.jsonl'), bigData(600_000));
    const child = execa(process.execPath, [FT_BIN, 'build', '--json'], {
      cwd: dir,
      reject: false,
      env: {CI: '1'},
    });
    let sent = false;
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (!sent && out.includes('"event":"stage-start","id":"dataset"')) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    const r = await child;
    expect(sent).toBe(true);
    expect(r.exitCode).toBe(130);
    const summary = JSON.parse(String(r.stdout).trim().split('\n').at(-1)!);
    expect(summary).toMatchObject({event: 'summary', ok: false, exit_code: 130});
    expect(summary.stages).toContainEqual({id: 'dataset', status: 'interrupted'});
    checkStore(dir);
    // The source stage finished before the interrupt and is recorded; the dataset is not.
    const after = JSON.parse(readFileSync(join(dir, 'finetune.lock'), 'utf8'));
    expect(after.stages.dataset).toEqual(JSON.parse(lock).stages.dataset);
  });
});
