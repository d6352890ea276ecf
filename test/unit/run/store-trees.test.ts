import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import {mkdtemp, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it, onTestFinished} from 'vitest';
import {type Sha256, sha256} from '../../../src/core/hash.js';
import {collectGarbage} from '../../../src/run/store/gc.js';
import {LocalStore} from '../../../src/run/store/local-store.js';
import {StageCache} from '../../../src/run/store/stage-cache.js';
import type {StageRecord} from '../../../src/run/store/stage-record.js';
import {TREE_MAGIC} from '../../../src/run/store/tree.js';
import {verifyStore} from '../../../src/run/store/verify.js';

async function temp(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ft-tree-'));
  onTestFinished(() => rm(dir, {recursive: true, force: true}));
  return dir;
}

/** A trained adapter as a trainer leaves it: a few files in nested folders. */
function adapter(dir: string): string {
  const model = join(dir, 'model');
  mkdirSync(join(model, 'tokenizer'), {recursive: true});
  writeFileSync(join(model, 'adapter_config.json'), '{"r": 8}\n');
  writeFileSync(join(model, 'adapter_model.safetensors'), Buffer.alloc(1000, 7));
  writeFileSync(join(model, 'tokenizer', 'chat_template.jinja'), '{{ messages }}\n');
  writeFileSync(join(model, 'serve.sh'), '#!/bin/sh\n');
  chmodSync(join(model, 'serve.sh'), 0o755);
  return model;
}

function store(root: string, name?: string): LocalStore {
  const s = new LocalStore(root, name ? {name} : {});
  s.init();
  return s;
}

const record = (key: Sha256, model: {hash: Sha256; size: number}): StageRecord => ({
  version: 1,
  id: 'train:tiny',
  kind: 'train',
  key,
  fingerprint: {},
  outputs: {model},
  summary: {},
  durationMs: 1,
  createdAt: '2026-01-01T00:00:00.000Z',
});

describe('folders in the store (trees)', () => {
  it('stores each file as an object and a manifest naming them; symbolic links are refused', async () => {
    const dir = await temp();
    const s = store(join(dir, '.ft'));
    const model = await s.putTree(adapter(dir));
    const text = readFileSync(s.objectPath(model.hash), 'utf8');
    expect(text.startsWith(TREE_MAGIC)).toBe(true);
    expect(model.hash).toBe(sha256(text));
    const tree = s.treeOf(model.hash)!;
    expect(Object.keys(tree.files)).toEqual([
      'adapter_config.json',
      'adapter_model.safetensors',
      'serve.sh',
      'tokenizer/chat_template.jinja',
    ]);
    expect(tree.files['serve.sh']?.executable).toBe(true);
    expect(tree.files['adapter_config.json']).toEqual({sha256: sha256('{"r": 8}\n'), size: 9});
    expect(readFileSync(s.objectPath(tree.files['adapter_config.json']!.sha256), 'utf8')).toBe(
      '{"r": 8}\n',
    );
    // The same folder again: the same hash (the identity of a model is its bytes).
    expect((await s.putTree(join(dir, 'model'))).hash).toBe(model.hash);
    // A plain file is not a tree.
    const plain = await s.putObjectBytes('{"files":{}}\n');
    expect(s.treeOf(plain.hash)).toBeUndefined();

    symlinkSync('/etc/passwd', join(dir, 'model', 'leak'));
    await expect(s.putTree(join(dir, 'model'))).rejects.toThrow(/leak: a symbolic link/);
  });

  it('a damaged file of a stored folder is found, removed and restored from a shared cache', async () => {
    const dir = await temp();
    const shared = store(join(dir, 'shared'), 'shared cache (test)');
    const local = store(join(dir, '.ft'));
    const model = await local.putTree(adapter(dir));
    const key = sha256('key');
    const warnings: string[] = [];
    const cache = new StageCache(local, [shared], (m) => warnings.push(m));
    await cache.publish(record(key, model));
    // Published with every file, the manifest and the record.
    const weights = local.treeOf(model.hash)!.files['adapter_model.safetensors']!.sha256;
    expect(shared.hasObjectFile(weights)).toBe(true);
    expect(shared.readStage(key)?.outputs.model?.hash).toBe(model.hash);

    chmodSync(local.objectPath(weights), 0o644);
    writeFileSync(local.objectPath(weights), Buffer.alloc(1000, 8));
    const stage = {id: 'train:tiny', kind: 'train' as const, fingerprint: {}};
    const found = await cache.lookup(stage, key, {model: model.hash});
    expect(found?.outputs.model?.hash).toBe(model.hash);
    expect(warnings.join('\n')).toContain(
      'adapter_model.safetensors in model of train:tiny) is damaged',
    );
    expect(readFileSync(local.objectPath(weights))).toEqual(Buffer.alloc(1000, 7));

    // Without a shared cache to restore from, a missing file makes the record unusable.
    await rm(local.objectPath(weights));
    expect(await new StageCache(local).lookup(stage, key)).toBeUndefined();
  });

  it('gc keeps the files of a folder a kept record names', async () => {
    const dir = await temp();
    const s = store(join(dir, '.ft'));
    const model = await s.putTree(adapter(dir));
    const key = sha256('key');
    await s.writeStage(record(key, model));
    const orphan = await s.putObjectBytes('nobody uses me\n');
    // The work folder of the completed key goes; an interrupted key's checkpoints stay.
    mkdirSync(join(s.workDir(key), 'checkpoints'), {recursive: true});
    const interrupted = s.workDir(sha256('interrupted'));
    mkdirSync(join(interrupted, 'checkpoints'), {recursive: true});
    const result = await collectGarbage(s, {
      lockfiles: [
        {
          lockfile_version: 1,
          stages: {
            'train:tiny': {kind: 'train', key, fingerprint: {}, outputs: {model: model.hash}},
          },
        },
      ],
      keepBuilds: 0,
      includeTrained: true,
    });
    expect(result.removedObjects).toBe(1);
    expect(existsSync(s.workDir(key))).toBe(false);
    expect(existsSync(interrupted)).toBe(true);
    expect(existsSync(s.objectPath(orphan.hash))).toBe(false);
    for (const file of Object.values(s.treeOf(model.hash)!.files)) {
      expect(s.hasObjectFile(file.sha256)).toBe(true);
    }
  });

  it('ft cache verify names a damaged file by its place in the folder', async () => {
    const dir = await temp();
    const s = store(join(dir, '.ft'));
    const model = await s.putTree(adapter(dir));
    await s.writeStage(record(sha256('key'), model));
    const config = s.treeOf(model.hash)!.files['adapter_config.json']!.sha256;
    chmodSync(s.objectPath(config), 0o644);
    writeFileSync(s.objectPath(config), '{"r": 9}\n');
    const report = await verifyStore(s, new StageCache(s));
    expect(report.objects.damaged).toEqual([
      expect.objectContaining({
        hash: config,
        usedBy: ['adapter_config.json in model of train:tiny'],
        action: 'removed',
      }),
    ]);
    expect(report.records.incomplete).toEqual([
      expect.objectContaining({
        id: 'train:tiny',
        missing: ['adapter_config.json in model'],
        action: 'left',
      }),
    ]);
  });
});

describe('materializing a stored folder for a program to read', () => {
  it('links its files under tmp/, read-only, checked; a file object is its own path', async () => {
    const dir = await temp();
    const s = store(join(dir, '.ft'));
    const tree = await s.putTree(adapter(dir));
    const folder = await s.materialize(tree.hash);
    expect(folder.startsWith(join(dir, '.ft', 'tmp'))).toBe(true);
    expect(readFileSync(join(folder, 'tokenizer/chat_template.jinja'), 'utf8')).toBe(
      '{{ messages }}\n',
    );
    expect(statSync(join(folder, 'adapter_model.safetensors')).mode & 0o222).toBe(0);
    expect(statSync(join(folder, 'serve.sh')).mode & 0o111).not.toBe(0);
    // Asked again in the same process: the same folder.
    expect(await s.materialize(tree.hash)).toBe(folder);

    const file = await s.putObjectBytes('{"a": 1}\n');
    expect(await s.materialize(file.hash)).toBe(s.objectPath(file.hash));
  });

  it('refuses a folder with a damaged file, naming it', async () => {
    const dir = await temp();
    const s = store(join(dir, '.ft'));
    const tree = await s.putTree(adapter(dir));
    const config = s.treeOf(tree.hash)!.files['adapter_config.json']!.sha256;
    chmodSync(s.objectPath(config), 0o644);
    writeFileSync(s.objectPath(config), '{"r": 9}\n');
    await expect(s.materialize(tree.hash)).rejects.toThrow(
      /\(adapter_config\.json\) is damaged: its 9 bytes hash to sha256:[0-9a-f]{64}, not to its name/,
    );
  });
});

describe('exporting a folder output', () => {
  it('writes the folder under --out, file by file, with their execute bits', async () => {
    const dir = await temp();
    const s = store(join(dir, '.ft'));
    const model = await s.putTree(adapter(dir));
    const config = await s.putObjectBytes('{}\n');
    const {exportFiles, exportOutputs} = await import('../../../src/run/export-outputs.js');
    const files = exportFiles({model, 'metrics.jsonl': config}, s);
    expect(files.map((f) => f.name)).toEqual([
      'metrics.jsonl',
      'model/adapter_config.json',
      'model/adapter_model.safetensors',
      'model/serve.sh',
      'model/tokenizer/chat_template.jinja',
    ]);
    const out = join(dir, 'out');
    const written = await exportOutputs({
      store: s,
      files,
      outDir: out,
      force: false,
      signal: new AbortController().signal,
      shown: (p) => p,
    });
    expect(written.map((f) => f.status)).toEqual(Array(5).fill('written'));
    for (const name of [
      'adapter_config.json',
      'adapter_model.safetensors',
      'tokenizer/chat_template.jinja',
    ]) {
      expect(readFileSync(join(out, 'model', name))).toEqual(
        readFileSync(join(dir, 'model', name)),
      );
    }
    expect(statSync(join(out, 'model/serve.sh')).mode & 0o111).not.toBe(0);
    expect(statSync(join(out, 'model/adapter_config.json')).mode & 0o111).toBe(0);
  });
});
