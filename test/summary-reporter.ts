import type { Reporter, TestModule } from 'vitest/node';

/**
 * Prints one plain closing line, `N passed, N failed, N skipped`, that CI tooling reads whatever the runner.
 * Which backend ran is printed too, because the suite runs once on PGlite and once on PostgreSQL.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: readonly TestModule[], unhandledErrors: readonly unknown[]): void {
    let passed = 0;
    let failed = unhandledErrors.length;
    let skipped = 0;
    for (const module of testModules) {
      // A file that failed outside any test (an import or a hook) counts as one failure.
      if (module.state() === 'failed' && [...module.children.allTests('failed')].length === 0) failed++;
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else skipped++;
      }
    }
    const backend = process.env.DATABASE_URL ? 'postgres' : 'pglite';
    process.stdout.write(`\nbackend: ${backend}\n${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
