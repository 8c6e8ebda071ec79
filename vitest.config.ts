import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Fails the run when a test wrote into the checkout's reports/.
    globalSetup: ['test/support/global-setup.ts'],
    // Simulated runs are CPU-bound; the machine has 2 cores.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
