import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Integration tests start servers on port 0; files can run in parallel, but keep it modest on 2 cores.
    maxWorkers: 2,
  },
});
