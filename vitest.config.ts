import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Examples and plug-ins import 'threadline' as users do; in the checkout that is src/ (the CLI does the same, bin/resolve-self.mjs).
  resolve: { alias: { threadline: fileURLToPath(new URL('./src/index.ts', import.meta.url)) } },
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
