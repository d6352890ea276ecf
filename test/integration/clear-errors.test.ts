import {chmodSync, existsSync, readdirSync, rmSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {buildJson, events, ft, jsonl, project, SMOKE_DATA, SMOKE_RECIPE} from '../helpers/ft.js';

/** Input that once ended in "This is a bug in ft": each is now an error at its place. */

const BUG = 'bug in ft';
const JSON_RECIPE = SMOKE_RECIPE.replace('data/qa.jsonl', 'data/qa.json');

/** A record whose `response` is `[[[...]]]` nested `depth` deep. */
const deepRecord = (depth: number) =>
  `{"prompt":"deep","response":${'['.repeat(depth)}${']'.repeat(depth)}}`;

describe('a record nested 100,000 deep', () => {
  const message =
    'error: the record is nested more than 512 levels deep (objects and arrays inside one another)';

  it('is a data error at its line in a .jsonl source, on one thread and on workers', async () => {
    const dir = await project({
      'finetune.yaml': SMOKE_RECIPE,
      'data/qa.jsonl': `${SMOKE_DATA}${deepRecord(100_000)}\n`,
    });
    for (const workers of ['0', '2']) {
      const r = await ft(dir, ['build'], {FT_WORKERS: workers});
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toContain(`data/qa.jsonl:41:1: ${message}`);
      expect(r.stderr).not.toContain(BUG);
    }
  });

  it('is a data error at its line in a .json source', async () => {
    const records = SMOKE_DATA.trim().split('\n');
    const dir = await project({
      'finetune.yaml': JSON_RECIPE,
      'data/qa.json': `[\n${[...records, deepRecord(100_000)].join(',\n')}\n]\n`,
    });
    const r = await ft(dir, ['build']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(`data/qa.json:42:1: ${message}`);
    expect(r.stderr).not.toContain(BUG);
  });

  it('is left out by ft data head like other bad records', async () => {
    const dir = await project({
      'finetune.yaml': SMOKE_RECIPE,
      'data/qa.jsonl': `${jsonl([{prompt: 'a', response: 'b'}])}${deepRecord(100_000)}\n`,
    });
    const r = await ft(dir, ['data', 'head', 'source:qa', '-n', '5']);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('{"prompt":"a","response":"b"}');
  });

  it('the same limit for every record: 512 levels pass, 513 do not', async () => {
    const dir = await project({
      'finetune.yaml': SMOKE_RECIPE,
      'data/qa.jsonl': `${SMOKE_DATA}${deepRecord(511)}\n${deepRecord(512)}\n`,
    });
    const r = await ft(dir, ['build']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(`data/qa.jsonl:42:1: ${message}`);
    expect(r.stderr).not.toContain('data/qa.jsonl:41:');
  });
});

describe('a line longer than ft can read', () => {
  // The limit is the engine's longest string (536,870,888 bytes): a 600 MB line is out of reach
  // of a test, so FT_MAX_TEXT_BYTES lowers it; the code path is the same.
  const limit = {FT_MAX_TEXT_BYTES: String(1 << 20)};
  const longLine = `{"prompt":"long","response":"${'a'.repeat(3 << 20)}"}`;
  const message = `error: the line is ${longLine.length.toLocaleString('en-US')} bytes, longer than FT_MAX_TEXT_BYTES (1,048,576 bytes), so ft cannot read it as one record`;

  it('is a data error at its line, on one thread and on workers; the lines after it are read', async () => {
    const dir = await project({
      'finetune.yaml': SMOKE_RECIPE,
      'data/qa.jsonl': `${SMOKE_DATA}${longLine}\n{bad\n`,
    });
    for (const workers of ['0', '2']) {
      const r = await ft(dir, ['build'], {...limit, FT_WORKERS: workers});
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toContain(`data/qa.jsonl:41:1: ${message}`);
      expect(r.stderr).toContain('data/qa.jsonl:42:2: error: invalid JSON');
      expect(r.stderr).not.toContain('invalid UTF-8');
    }
  });

  it('is skipped with on_error: skip, and the build goes on', async () => {
    const dir = await project({
      'finetune.yaml': SMOKE_RECIPE.replace('data/qa.jsonl }', 'data/qa.jsonl, on_error: skip }'),
      'data/qa.jsonl': `${longLine}\n${SMOKE_DATA}`,
    });
    const r = await ft(dir, ['build'], limit);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain(`data/qa.jsonl:1:1: warning: skipped: the line is`);
  });

  it('a .json source longer than that is an error naming the file, with what to do', async () => {
    const dir = await project({
      'finetune.yaml': JSON_RECIPE,
      'data/qa.json': `[${longLine}]\n`,
    });
    const r = await ft(dir, ['build'], limit);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(
      'data/qa.json:1:1: error: the file is larger than FT_MAX_TEXT_BYTES (1,048,576 bytes), and a .json source is read as one string; write it as JSONL',
    );
  });
});

describe('YAML aliases in the recipe', () => {
  // Nine levels of nine aliases each: 387,420,489 strings if expanded ("billion laughs").
  const laughs = [
    'lol: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]',
    ...'bcdefghi'
      .split('')
      .map((name, i) => `${name}: &${name} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(', ')}]`),
  ];

  it('that expand past the alias limit are a recipe error at the alias, for every command', async () => {
    const dir = await project({
      'finetune.yaml': `${SMOKE_RECIPE}x:\n${laughs.map((l) => `  ${l}\n`).join('')}`,
      'data/qa.jsonl': SMOKE_DATA,
    });
    for (const command of ['validate', 'plan', 'build']) {
      const r = await ft(dir, [command]);
      expect(r.exitCode).toBe(2);
      // The yaml library stops at the alias whose expansions pass the limit: *d, in `e:`.
      expect(r.stderr).toContain(
        'finetune.yaml:13:10: error: alias *d takes the recipe past 1000 alias expansions',
      );
      expect(r.stderr).toContain('"billion laughs"');
      expect(r.stderr).not.toContain(BUG);
    }
  });

  it('with no anchor before them are a recipe error at the alias', async () => {
    const dir = await project({
      'finetune.yaml': `${SMOKE_RECIPE}seed: *nope\n`,
      'data/qa.jsonl': SMOKE_DATA,
    });
    const r = await ft(dir, ['validate']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(
      'finetune.yaml:8:7: error: alias *nope has no anchor &nope before it',
    );
  });

  it('within the limit still work', async () => {
    const dir = await project({
      'finetune.yaml': `version: 1\nname: a\nseed: &s 3\nsources:\n  qa: { path: data/qa.jsonl }\ntransforms:\n  - template: { user: "{{prompt}}", assistant: "{{response}}" }\n  - split: { validation: 0.2, seed: *s }\n`,
      'data/qa.jsonl': SMOKE_DATA,
    });
    const r = await ft(dir, ['validate']);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
  });
});

describe('a lockfile that is a folder', () => {
  it('is an error naming it for every command that reads it, and nothing is built', async () => {
    const dir = await project({
      'finetune.yaml': SMOKE_RECIPE,
      'data/qa.jsonl': SMOKE_DATA,
      'finetune.lock/keep': '',
    });
    for (const command of [['plan'], ['build'], ['explain', 'dataset'], ['cache', 'gc']]) {
      const r = await ft(dir, command);
      expect(r.exitCode, command.join(' ')).toBe(2);
      expect(r.stderr).toMatch(
        /^ft: error: (\S*\/)?finetune\.lock is a folder, not an ft lockfile$/m,
      );
      expect(r.stderr).toContain('hint: remove it (ft build writes the lockfile there)');
      expect(r.stderr).not.toContain(BUG);
    }
    const json = await ft(dir, ['build', '--json']);
    expect(json.exitCode).toBe(2);
    expect(events(json.stdout).at(-1)).toMatchObject({event: 'summary', exit_code: 2});
    expect(readdirSync(join(dir, 'finetune.lock'))).toEqual(['keep']);
    expect(
      existsSync(join(dir, '.ft', 'stages')) && readdirSync(join(dir, '.ft', 'stages')),
    ).toEqual([]);
  });
});

describe('a write that fails at the end of a build', () => {
  /** The smoke recipe with a command step that runs `script` while the dataset stage runs. */
  const recipeRunning = (script: string) => ({
    'finetune.yaml': SMOKE_RECIPE.replace(
      '  - split:',
      '  - command: { run: [./during.sh] }\n  - split:',
    ),
    'data/qa.jsonl': SMOKE_DATA,
    // The records pass through unchanged: `exec cat` after the script.
    'during.sh': `#!/bin/sh\n${script}\nexec cat\n`,
  });

  async function projectRunning(script: string): Promise<string> {
    const dir = await project(recipeRunning(script));
    chmodSync(join(dir, 'during.sh'), 0o755);
    return dir;
  }

  it('of a stage output is an environment error (exit 1) naming the path, not a bug', async () => {
    // The store's objects folder becomes a file while the dataset stage runs, so the stage
    // cannot move its outputs in.
    const dir = await projectRunning('rm -rf .ft/objects && : > .ft/objects');
    const r = await ft(dir, ['build']);
    expect(r.exitCode).toBe(1);
    const all = `${r.stdout}${r.stderr}`;
    expect(all).toContain('dataset: failed');
    expect(all).toMatch(/^ {2}mkdir \S+\/\.ft\/objects\/[0-9a-f]{2}: ENOTDIR \(.+\)$/m);
    expect(all).not.toContain(BUG);
    expect(all).not.toContain('    at ');
  });

  it('of the build record is a warning: the build succeeds and its lockfile is written', async () => {
    // `.ft/builds` becomes a file during the build, so the record cannot be written: portable,
    // where a read-only folder is not (root may write anyway) and a full disk needs a mount.
    const dir = await projectRunning('rm -rf .ft/builds && : > .ft/builds');
    const r = await ft(dir, ['build']);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toMatch(
      /^ft: warning: could not record this build in \S+\/\.ft\/builds\/\S+\.json: (EEXIST|ENOTDIR) \(.+\); ft cache gc will not count it/m,
    );
    expect(r.stderr).not.toContain(BUG);
    expect(existsSync(join(dir, 'finetune.lock'))).toBe(true);

    // While it is a file, the next build stops at once, naming it (exit 1: the machine's state).
    const blocked = await ft(dir, ['build']);
    expect(blocked.exitCode).toBe(1);
    expect(blocked.stderr).toMatch(/^ft: error: mkdir \S+\/\.ft\/builds: EEXIST \(.+\)$/m);
    expect(blocked.stderr).not.toContain(BUG);

    // The lockfile matches the store: with the folder back, --frozen finds every stage fresh
    // (so the command step does not run again).
    rmSync(join(dir, '.ft', 'builds'));
    const frozen = await buildJson(dir, ['--frozen']);
    expect(frozen.exitCode).toBe(0);
    expect(frozen.statuses).toEqual({'source:qa': 'fresh', dataset: 'fresh'});
    expect(frozen.stderr).toBe('');
  });

  it('of the lockfile is an environment error (exit 1) naming it; the next build writes it', async () => {
    // finetune.lock becomes a folder during the build: the rename onto it fails (EISDIR).
    const dir = await projectRunning('mkdir finetune.lock');
    const r = await ft(dir, ['build']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^ft: error: cannot write finetune\.lock: EISDIR \(.+\)$/m);
    expect(r.stderr).toContain('the next ft build writes the lockfile from them');
    expect(r.stderr).not.toContain(BUG);
    expect(readdirSync(dir).filter((n) => n.startsWith('.tmp'))).toEqual([]); // no temp left

    // As the hint says: the results are in the store (the step does not run again).
    rmSync(join(dir, 'finetune.lock'), {recursive: true});
    const again = await buildJson(dir);
    expect(again.exitCode).toBe(0);
    expect(again.statuses).toEqual({'source:qa': 'cached', dataset: 'cached'});
    expect(existsSync(join(dir, 'finetune.lock'))).toBe(true);
  });

  it('of the lockfile ends --json output with the diagnostic and a summary of exit 1', async () => {
    const dir = await projectRunning('mkdir finetune.lock');
    const r = await ft(dir, ['build', '--json']);
    expect(r.exitCode).toBe(1);
    const all = events(r.stdout);
    expect(all.find((e) => e.event === 'diagnostic')).toMatchObject({
      severity: 'error',
      code: 'environment',
      message: expect.stringMatching(/^cannot write finetune\.lock: EISDIR/),
    });
    expect(all.at(-1)).toMatchObject({event: 'summary', ok: false, exit_code: 1});
  });
});
