import { defineConfig } from 'vitest/config';
import LongestFirst from './scripts/test/longest-first.ts';

export default defineConfig({
  test: {
    include: ['analyzers/**/*.test.ts', 'scripts/**/*.test.ts'],
    // Map tests read real EMDB maps and run python cross-checks, pipeline tests run whole nightly
    // runs: give them room on a 2-core machine shared by two test files (and other jobs).
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
    // One analysis date for every report a test writes (util/analysis-date.ts), so that runs
    // compared byte for byte agree even across midnight; child processes inherit it.
    env: { SOURCE_DATE_EPOCH: '1767225600' },
    // Two test files at a time even on 2 cores (the default is cores − 1 = 1): most files leave a
    // core idle for much of their run (one Astro build, one Python reference, a child process or
    // a server waited on), and the analyses' worker pools share the two cores with the other file.
    maxWorkers: 2,
    // The slowest files first, so that the two workers end together (scripts/test/longest-first.ts).
    sequence: { sequencer: LongestFirst },
    // One folder per run for the reports several test files share (scripts/testing/shared-analysis.ts).
    globalSetup: ['scripts/test/global-setup.ts'],
  },
});
