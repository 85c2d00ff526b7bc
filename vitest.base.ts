import { defineConfig } from 'vitest/config';

// ORT breaks under vmThreads (cross-realm Float32Array checks), so packages run in forks.
export default defineConfig({
  test: {
    pool: 'forks',
    include: ['test/**/*.test.ts'],
    // Limits against a hang only: tests wait for what happens, never for how fast, and must pass
    // on a machine whose cores are busy with other work (npm run test:load checks that).
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});
