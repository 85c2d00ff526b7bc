import { defineConfig } from 'vitest/config';

// ORT breaks under vmThreads (cross-realm Float32Array checks), so packages run in forks.
export default defineConfig({
  test: {
    pool: 'forks',
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
