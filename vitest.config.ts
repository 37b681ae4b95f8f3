import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    reporters: ['default', './test/summary-reporter.ts'],
    // Two cores: process startup and PGlite instances dominate; more workers only contend.
    maxWorkers: 2,
    // A guard against a hang, not a measure of speed: a CLI test starts the program several times, each
    // opening the embedded database, and on a slow two-vCPU machine (2026-12-07) such tests took 25-31 s,
    // one of them past the 30 s this was before.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
