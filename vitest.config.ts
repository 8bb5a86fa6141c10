import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['analyzers/**/*.test.ts', 'scripts/**/*.test.ts'],
    // Map tests read real EMDB maps and run python cross-checks: give them room on a 2-core machine.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // One folder per run for the reports several test files share (scripts/testing/shared-analysis.ts).
    globalSetup: ['scripts/test/global-setup.ts'],
  },
});
