import { defineConfig } from 'vitest/config';

// Two projects: `unit` (tests beside the code) and `system` (e2e/, real processes).
// Both get real PostgreSQL servers from the global setup (embedded 17 and the machine's 15).
export default defineConfig({
  test: {
    globalSetup: ['./packages/db/src/testing/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: [
            'packages/*/src/**/*.test.ts',
            'runtime/src/**/*.test.ts',
            'nodes/*/src/**/*.test.ts',
            'apps/*/src/**/*.test.ts',
            'templates/**/*.test.ts',
          ],
        },
      },
      {
        extends: true,
        test: {
          name: 'system',
          include: ['e2e/**/*.test.ts'],
          testTimeout: 120_000,
          // Builds the editor once (when changed) before its browser suites start.
          globalSetup: ['./packages/db/src/testing/global-setup.ts', './e2e/editor/global-setup.ts'],
        },
      },
    ],
  },
});
