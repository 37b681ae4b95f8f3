/**
 * One measured run of the ingest benchmark, in its own process so that its peak RSS is its own:
 *   node bench/ingest-worker.ts parse FILE SCHEMA [THREADS]   (with THREADS > 1: the file cut into segments)
 *   node bench/ingest-worker.ts store FILE SCHEMA [DATABASE_URL]
 *   node bench/ingest-worker.ts init DATA_DIR    (creates and migrates an embedded database, nothing else)
 * Prints one JSON line: rows, seconds, rows per second, peak RSS in MiB. With BENCH_DATA_DIR, `store` on
 * PGlite opens the database `init` made there instead of creating one; with BENCH_PARSE_WORKERS, `store`
 * parses with that many workers (TOCSIN_PARSE_WORKERS).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { loadIpTable } from '../src/enrichment/index.ts';
import { Worker } from 'node:worker_threads';
import {
  cutSegments,
  FeedParsers,
  ingestFile,
  parseInWorker,
  parseWorkerLimits,
  planSegments,
} from '../src/intake/index.ts';
import { readInputEntries } from '../src/intake/input.ts';
import { migrate, openStore } from '../src/platform/db/index.ts';

const [mode, file = '', schemaPath = '', fourth] = process.argv.slice(2);
const parsers = new FeedParsers({ shadowserverSchemaPath: schemaPath });
// Timing starts when the input is opened: opening the database (PGlite's first start builds a cluster and
// compiles WebAssembly) is start-up cost, reported apart.
let started = performance.now();
const setupStarted = started;
let rows = 0;

if (mode === 'parse' && Number(fourth ?? 1) > 1) {
  rows = await parseInThreads(Number(fourth));
} else if (mode === 'parse') {
  const parse = parsers.parser('shadowserver');
  for await (const entry of readInputEntries(file, basename(file))) {
    for await (const batch of parse(entry.text, {
      fileName: entry.name,
      observationTime: '2026-11-23T00:00:00+00:00',
    })) {
      rows += batch.length;
    }
  }
} else if (mode === 'init') {
  // PGlite's first start runs initdb in WebAssembly, which peaks far above what the database needs afterwards.
  const store = await openStore({ dataDir: file });
  await migrate(store);
  await store.close();
  // The IP table's cache in the data directory, as the service's first start leaves it.
  await loadIpTable({ cacheDir: join(file, 'ip-table') });
} else if (mode === 'store') {
  const given = process.env.BENCH_DATA_DIR;
  const dataDir = given ?? mkdtempSync(join(tmpdir(), 'tocsin-bench-'));
  const store = await openStore({ databaseUrl: fourth, dataDir });
  await migrate(store);
  // As the service and the CLI do: parsed in a worker thread, every event enriched from the IP table there.
  const parse = parseInWorker({
    feeds: { shadowserverSchemaPath: schemaPath },
    ipTableCacheDir: join(dataDir, 'ip-table'),
    workers: Number(process.env.BENCH_PARSE_WORKERS ?? 1),
  });
  started = performance.now();
  const result = await ingestFile(
    { store, parsers, parse },
    { path: file, fileName: basename(file), source: 'bench' },
  );
  rows = result.accepted + result.duplicates + result.rejected;
  if (result.status !== 'processed' || result.rejected > 0)
    throw new Error(`unexpected result ${JSON.stringify(result)}`);
  await store.close();
  if (given === undefined) rmSync(dataDir, { recursive: true, force: true });
} else {
  throw new Error(
    'usage: ingest-worker.ts parse FILE SCHEMA [THREADS] | store FILE SCHEMA [DATABASE_URL] | init DATA_DIR',
  );
}

/** The file cut into segments as the parse workers have it, parsed by `threads` threads (parse-thread.ts). */
async function parseInThreads(threads: number): Promise<number> {
  const plan = await planSegments(file, { segmentBytes: 4 * 1024 * 1024 });
  if (plan === undefined) throw new Error(`${file} is too small to cut`);
  const workerData = { path: file, fileName: basename(file), schemaPath, plan };
  const workers = Array.from(
    { length: threads },
    () =>
      new Worker(new URL('./parse-thread.ts', import.meta.url), {
        workerData,
        resourceLimits: parseWorkerLimits(threads),
      }),
  );
  const counts = workers.map(
    (worker) =>
      new Promise<number>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      }),
  );
  let index = 0;
  for await (const segment of cutSegments(file, plan))
    (workers[index++ % threads] as Worker).postMessage(segment);
  for (const worker of workers) worker.postMessage('end');
  const total = (await Promise.all(counts)).reduce((sum, count) => sum + count, 0);
  await Promise.all(workers.map((worker) => worker.terminate()));
  return total;
}

const seconds = (performance.now() - started) / 1000;
process.stdout.write(
  `${JSON.stringify({
    mode,
    rows,
    seconds,
    setupSeconds: (started - setupStarted) / 1000,
    rowsPerSecond: rows / seconds,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  })}\n`,
);
