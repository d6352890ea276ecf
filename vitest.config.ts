import {defineConfig} from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Compiles the embedded trainer's WebAssembly kernels first (src/ loads them from dist/).
    globalSetup: ['test/setup/build-wasm.ts'],
    // A hang guard, not a speed assertion: integration tests spawn the real CLI on shared machines.
    testTimeout: 600_000,
    hookTimeout: 600_000,
    // The integration tests build in temp dirs with real child processes; two cores, so keep it modest.
    pool: 'forks',
  },
});
