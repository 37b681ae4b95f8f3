import { describe } from 'vitest';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The shared corpus of real public data (`../shared/corpus` beside the checkout). Tests that need it use
 * `describeCorpus`, which skips with a message naming the missing directory, so a clone without the corpus
 * still runs every parser on the suite's own fixtures and says what it could not check.
 */
export const corpusDir = resolve(
  process.env.TOCSIN_CORPUS_DIR ??
    join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'shared', 'corpus'),
);

export function corpusPath(...parts: string[]): string {
  return join(corpusDir, ...parts);
}

export function hasCorpus(...parts: string[]): boolean {
  return existsSync(corpusPath(...parts));
}

/** The reason to print when a corpus path is absent, or undefined when it is there. */
export function corpusMissing(...parts: string[]): string | undefined {
  return hasCorpus(...parts)
    ? undefined
    : `skipped: the shared corpus is absent (${corpusPath(...parts)} not found; set TOCSIN_CORPUS_DIR)`;
}

export const shadowserverSchemaPath = corpusPath('shadowserver-report_schema', 'intelmq.json');

/**
 * `describe` over corpus data: runs `fn` when every path is present; otherwise registers the block as skipped
 * under a title that says what is missing, and warns once on stderr, so the skip is never silent.
 */
export function describeCorpus(name: string, parts: string[], fn: () => void): void {
  const missing = corpusMissing(...parts);
  if (missing !== undefined) {
    process.stderr.write(`${name}: ${missing}\n`);
    describe.skip(`${name} (${missing})`, fn);
    return;
  }
  describe(name, fn);
}
