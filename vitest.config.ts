import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['analyzers/**/*.test.ts', 'scripts/**/*.test.ts'],
    // Map tests read real EMDB maps and run python cross-checks: give them room on a 2-core machine.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // One analysis date for every report a test writes (util/analysis-date.ts), so that runs
    // compared byte for byte agree even across midnight; child processes inherit it.
    env: { SOURCE_DATE_EPOCH: '1767225600' },
  },
});
