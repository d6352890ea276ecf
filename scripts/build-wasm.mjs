#!/usr/bin/env node
// Compiles the WebAssembly modules (AssemblyScript, with 128-bit SIMD): the embedded trainer's
// kernels (wasm/kernels.ts, to dist/train/embedded/kernels.wasm) and the dataset stage's
// canonical JSON writer (wasm/canonical.ts, to dist/data/records/canonical.wasm). Relaxed SIMD
// (whose results may differ by CPU) stays off: it is not enabled unless asked for, and nothing
// asks. Part of `npm run build`; the unit tests also run it (vitest's globalSetup) so they never
// load a stale module.
import {spawnSync} from 'node:child_process';
import {mkdirSync} from 'node:fs';
import {createRequire} from 'node:module';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The modules: source in wasm/, output in dist/ beside the code that loads it. */
const MODULES = [
  ['wasm/kernels.ts', 'dist/train/embedded/kernels.wasm'],
  ['wasm/canonical.ts', 'dist/data/records/canonical.wasm'],
];

export function buildWasm() {
  const asc = createRequire(join(root, 'package.json')).resolve('assemblyscript/bin/asc.js');
  const outs = [];
  for (const [source, output] of MODULES) {
    const out = join(root, output);
    mkdirSync(dirname(out), {recursive: true});
    const r = spawnSync(
      process.execPath,
      [
        asc,
        join(root, source),
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
    if (r.status !== 0) throw new Error(`asc failed on ${source} (exit ${r.status})`);
    outs.push(out);
  }
  return outs;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) buildWasm();
