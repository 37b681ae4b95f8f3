/**
 * Reproducible benchmarks. `npm run bench` runs them all; `npm run bench -- ingest` (or `store`, `lookup`, `route`, `notify`) one.
 * Set DATABASE_URL to a scratch PostgreSQL database to measure the server as well as embedded PGlite.
 */
import { runIngestBench } from './ingest.ts';
import { runLookupBench } from './lookup.ts';
import { runNotifyBench } from './notify.ts';
import { runRouteBench } from './route.ts';
import { runStoreBench } from './store.ts';

const benchmarks: Record<string, () => Promise<void>> = {
  store: runStoreBench,
  ingest: runIngestBench,
  lookup: runLookupBench,
  route: runRouteBench,
  notify: runNotifyBench,
};
const chosen = process.argv.slice(2);
for (const name of chosen) {
  if (!(name in benchmarks)) {
    process.stderr.write(`unknown benchmark ${name}; known: ${Object.keys(benchmarks).join(', ')}\n`);
    process.exit(2);
  }
}
for (const name of chosen.length > 0 ? chosen : Object.keys(benchmarks)) {
  process.stdout.write(`\n== ${name}\n`);
  await benchmarks[name]?.();
}
