import {createHash} from 'node:crypto';
import {
  chmodSync,
  existsSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {buildJson, ft, project, SMOKE_DATA, SMOKE_RECIPE} from '../helpers/ft.js';

const sha256 = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** Where the store keeps the object of `hash`, by the layout the README documents. */
const objectPath = (dir: string, hash: string) =>
  join(dir, '.ft/objects', hash.slice(7, 9), hash.slice(7));

/** Every object file in the store, with its bytes' hash: export must leave this unchanged. */
function storeContents(dir: string): Record<string, string> {
  const objects = join(dir, '.ft/objects');
  const out: Record<string, string> = {};
  for (const prefix of readdirSync(objects)) {
    for (const name of readdirSync(join(objects, prefix))) {
      out[name] = sha256(readFileSync(join(objects, prefix, name)));
    }
  }
  return out;
}

interface Exported {
  stage: string;
  key: string;
  out: string;
  files: {name: string; path: string; hash: string; size: number; status: string}[];
}

async function exportJson(dir: string, args: readonly string[]): Promise<Exported> {
  const r = await ft(dir, ['export', ...args, '--json']);
  expect(r.stderr).toBe('');
  expect(r.exitCode).toBe(0);
  return JSON.parse(r.stdout) as Exported;
}

const lockOutputs = (dir: string, id: string): Record<string, string> =>
  JSON.parse(readFileSync(join(dir, 'finetune.lock'), 'utf8')).stages[id].outputs;

const WITH_TRAINING = `${SMOKE_RECIPE}backend: { type: openai, model: gpt-4o-mini-2024-07-18 }
eval: { metrics: [exact_match] }
`;

describe('ft export', () => {
  it('writes the dataset and a source as files byte-identical to their store objects', async () => {
    const dir = await project({'finetune.yaml': SMOKE_RECIPE, 'data/qa.jsonl': SMOKE_DATA});
    expect((await buildJson(dir)).exitCode).toBe(0);
    const before = storeContents(dir);

    const dataset = await exportJson(dir, ['dataset', '--out', 'out']);
    const locked = lockOutputs(dir, 'dataset');
    expect(Object.keys(locked).sort()).toEqual([
      'train.ids',
      'train.jsonl',
      'validation.ids',
      'validation.jsonl',
    ]);
    expect(dataset.stage).toBe('dataset');
    expect(dataset.out).toBe(join(dir, 'out'));
    expect(dataset.files.map((f) => f.name)).toEqual([
      'train.ids',
      'train.jsonl',
      'validation.ids',
      'validation.jsonl',
    ]);
    for (const f of dataset.files) {
      const bytes = readFileSync(join(dir, 'out', f.name));
      expect(sha256(bytes)).toBe(locked[f.name]);
      expect(bytes.equals(readFileSync(objectPath(dir, locked[f.name]!)))).toBe(true);
      expect(f).toEqual({
        name: f.name,
        path: join(dir, 'out', f.name),
        hash: locked[f.name],
        size: bytes.length,
        status: 'written',
      });
    }
    // Real copies: editing one does not reach the store.
    const copy = join(dir, 'out', 'train.jsonl');
    expect(statSync(copy).ino).not.toBe(statSync(objectPath(dir, locked['train.jsonl']!)).ino);
    writeFileSync(copy, 'edited\n');
    expect(storeContents(dir)).toEqual(before);

    const source = await exportJson(dir, ['source:qa', '-o', 'out']);
    const manifest = lockOutputs(dir, 'source:qa')['manifest.json']!;
    expect(source.files).toEqual([
      expect.objectContaining({name: 'manifest.json', hash: manifest, status: 'written'}),
    ]);
    const bytes = readFileSync(join(dir, 'out', 'manifest.json'));
    expect(sha256(bytes)).toBe(manifest);
    expect(JSON.parse(bytes.toString('utf8')).files[0].path).toBe('data/qa.jsonl');
    // The store holds what it held: export only reads it.
    expect(storeContents(dir)).toEqual(before);
  });

  it('exports what --set makes, and computes a data stage not built yet like ft plan', async () => {
    const dir = await project({'finetune.yaml': SMOKE_RECIPE, 'data/qa.jsonl': SMOKE_DATA});
    const set = ['--set', 'transforms[1].split.validation=0.5'];
    const varied = await exportJson(dir, ['dataset', '--out', 'half', ...set]);
    expect(existsSync(join(dir, 'finetune.lock'))).toBe(false);
    const explained = JSON.parse((await ft(dir, ['explain', 'dataset', '--json', ...set])).stdout);
    expect(varied.key).toBe(explained.key);
    for (const f of varied.files) {
      expect(sha256(readFileSync(join(dir, 'half', f.name)))).toBe(explained.outputs[f.name]);
    }

    const plain = await exportJson(dir, ['dataset', '--out', 'plain']);
    expect(plain.key).not.toBe(varied.key);
    const lines = (folder: string, name: string) =>
      readFileSync(join(dir, folder, name), 'utf8').split('\n').length - 1;
    expect(lines('plain', 'validation.jsonl')).toBeLessThan(lines('half', 'validation.jsonl'));
    expect(lines('plain', 'train.jsonl') + lines('plain', 'validation.jsonl')).toBe(40);
    // What export computed went to the run-cache, as a plan's does: the build restores it.
    const build = await buildJson(dir);
    expect(build.statuses).toEqual({'source:qa': 'cached', dataset: 'cached'});
    const locked = lockOutputs(dir, 'dataset');
    for (const f of plain.files) expect(f.hash).toBe(locked[f.name]);
  });

  it('refuses to overwrite different content unless --force, and writes nothing then', async () => {
    const dir = await project({'finetune.yaml': SMOKE_RECIPE, 'data/qa.jsonl': SMOKE_DATA});
    await exportJson(dir, ['dataset', '--out', 'out']);
    const again = await exportJson(dir, ['dataset', '--out', 'out']);
    expect(again.files.map((f) => f.status)).toEqual([
      'unchanged',
      'unchanged',
      'unchanged',
      'unchanged',
    ]);

    writeFileSync(join(dir, 'out/train.jsonl'), 'mine\n');
    const validation = join(dir, 'out/validation.jsonl');
    const removed = readFileSync(validation);
    rmSync(validation); // a refused export must not bring it back either
    const refused = await ft(dir, ['export', 'dataset', '--out', 'out']);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain(
      'ft export will not overwrite out/train.jsonl: it exists with different content',
    );
    expect(refused.stderr).toContain('--force replaces it');
    expect(readFileSync(join(dir, 'out/train.jsonl'), 'utf8')).toBe('mine\n');
    expect(readdirSync(join(dir, 'out')).sort()).toEqual([
      'train.ids',
      'train.jsonl',
      'validation.ids',
    ]);

    const forced = await exportJson(dir, ['dataset', '--out', 'out', '--force']);
    expect(forced.files.map((f) => [f.name, f.status])).toEqual([
      ['train.ids', 'unchanged'],
      ['train.jsonl', 'replaced'],
      ['validation.ids', 'unchanged'],
      ['validation.jsonl', 'written'],
    ]);
    expect(readFileSync(validation).equals(removed)).toBe(true);
    expect(sha256(readFileSync(join(dir, 'out/train.jsonl')))).toBe(forced.files[1]!.hash);
  });

  it('never exports a damaged store object: the damage is reported and the right bytes remade', async () => {
    const dir = await project({'finetune.yaml': SMOKE_RECIPE, 'data/qa.jsonl': SMOKE_DATA});
    await buildJson(dir);
    const hash = lockOutputs(dir, 'dataset')['validation.jsonl']!;
    const object = objectPath(dir, hash);
    const good = readFileSync(object);
    const bytes = Buffer.from(good);
    bytes[0] = bytes[0]! ^ 1; // same size
    chmodSync(object, 0o644);
    writeFileSync(object, bytes);
    const r = await ft(dir, ['export', 'dataset', '--out', 'out']);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain(
      `the local cache's object ${hash.slice(0, 19)} (validation.jsonl of dataset) is damaged`,
    );
    expect(readFileSync(join(dir, 'out/validation.jsonl'))).toEqual(good);
  });

  it('explain names each output object in the store and the export command', async () => {
    const dir = await project({'finetune.yaml': SMOKE_RECIPE, 'data/qa.jsonl': SMOKE_DATA});
    await buildJson(dir);
    const json = JSON.parse((await ft(dir, ['explain', 'dataset', '--json'])).stdout);
    const locked = lockOutputs(dir, 'dataset');
    expect(json.output_paths).toEqual(
      Object.fromEntries(
        Object.entries(locked).map(([name, hash]) => [name, objectPath(dir, hash)]),
      ),
    );
    expect(Object.keys(json.output_paths)).toHaveLength(4);
    expect(statSync(json.output_paths['train.jsonl']).mode & 0o222).toBe(0);
    const text = (await ft(dir, ['explain', 'dataset'])).stdout;
    expect(text).toContain('outputs:  (read-only objects in the store, each named by its sha256)');
    expect(text).toContain(
      `    train.jsonl  ${locked['train.jsonl']}\n      ${json.output_paths['train.jsonl']}\n`,
    );
    expect(text.split('\n').at(-1)).toBe('  export:  ft export dataset --out <dir>');
    // The hint repeats the recipe and overrides, quoted for a shell.
    const varied = await ft(dir, ['explain', 'dataset', '--set', 'transforms[1].split.test=0.1']);
    expect(varied.stdout.split('\n').at(-1)).toBe(
      "  export:  ft export dataset --set 'transforms[1].split.test=0.1' --out <dir>",
    );
  });

  it('says why there is nothing to export, and rejects bad requests with exit 2', async () => {
    const dir = await project({'finetune.yaml': WITH_TRAINING, 'data/qa.jsonl': SMOKE_DATA});
    const train = await ft(dir, ['export', 'train:default', '--out', 'out']);
    expect(train.exitCode).toBe(1);
    expect(train.stderr).toBe(
      'train:default: nothing to export: it has not been built for this recipe (status: run); run ft build train:default first',
    );
    const evaluation = await ft(dir, ['export', 'eval', '--out', 'out']);
    expect(evaluation.exitCode).toBe(1);
    expect(evaluation.stderr).toContain('eval: nothing to export: it needs generate:tuned');
    expect(existsSync(join(dir, 'out'))).toBe(false);

    const unknown = await ft(dir, ['export', 'nope', '--out', 'out']);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain("no stage 'nope' in this recipe (stages: source:qa, dataset,");
    const noOut = await ft(dir, ['export', 'dataset']);
    expect(noOut.exitCode).toBe(2);
    expect(noOut.stderr).toContain('ft export takes one stage and --out <dir>');
    const inStore = await ft(dir, ['export', 'dataset', '--out', '.ft/objects/mine']);
    expect(inStore.exitCode).toBe(2);
    expect(inStore.stderr).toContain('--out .ft/objects/mine is inside the store (.ft)');
    expect(existsSync(join(dir, '.ft/objects/mine'))).toBe(false);
    const help = await ft(dir, ['export', '--help']);
    expect(help.stdout).toContain('Usage: ft export <stage> --out <dir> [options]');
    expect((await ft(dir, ['--help'])).stdout).toContain('  export <stage>  ');
  });

  it('reports bad data at its line, exit 2, like a build', async () => {
    const dir = await project({
      'finetune.yaml': SMOKE_RECIPE,
      'data/qa.jsonl': `${SMOKE_DATA}{bad\n`,
    });
    const r = await ft(dir, ['export', 'dataset', '--out', 'out']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('data/qa.jsonl:41:');
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });
});
