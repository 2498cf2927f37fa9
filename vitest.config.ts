import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Integration tests reset modules and set process.env per file: keep files isolated.
    pool: 'forks',
    // The log scan: every worker records what the service logs; the run fails on a phone
    // number, secret or token in it (test/helpers/logScan.ts).
    globalSetup: ['test/setup/logScan.global.ts'],
    setupFiles: ['test/setup/logScan.worker.ts'],
  },
});
