import {spawnSync} from 'node:child_process';
import {join} from 'node:path';

/**
 * vitest's globalSetup: compiles the embedded trainer's WebAssembly kernels into dist/ (as
 * `npm run build` does), so the unit tests, which import src/, never run a stale module.
 */
export function setup(): void {
  const root = join(import.meta.dirname, '../..');
  const r = spawnSync(process.execPath, [join(root, 'scripts/build-wasm.mjs')], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (r.status !== 0) throw new Error('scripts/build-wasm.mjs failed');
}
