#!/usr/bin/env node
// Compiles the embedded trainer's kernels (wasm/kernels.ts, AssemblyScript) to
// dist/train/embedded/kernels.wasm with 128-bit SIMD. Relaxed SIMD (whose results may differ
// by CPU) stays off: it is not enabled unless asked for, and nothing asks. Part of `npm run build`;
// the unit tests also run it (vitest's globalSetup) so they never load a stale module.
import {spawnSync} from 'node:child_process';
import {mkdirSync} from 'node:fs';
import {createRequire} from 'node:module';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export function buildWasm() {
  const out = join(root, 'dist/train/embedded/kernels.wasm');
  mkdirSync(dirname(out), {recursive: true});
  const asc = createRequire(join(root, 'package.json')).resolve('assemblyscript/bin/asc.js');
  const r = spawnSync(
    process.execPath,
    [
      asc,
      join(root, 'wasm/kernels.ts'),
      '--outFile',
      out,
      '--optimizeLevel',
      '3',
      '--shrinkLevel',
      '0',
      '--runtime',
      'stub',
      '--noAssert',
      '--enable',
      'simd',
    ],
    {cwd: root, stdio: ['ignore', 'inherit', 'inherit']},
  );
  if (r.status !== 0) throw new Error(`asc failed (exit ${r.status})`);
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) buildWasm();
