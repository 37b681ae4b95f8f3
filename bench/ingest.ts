/**
 * Ingest benchmark (issue goals: parsing ≥ 300,000 rows/s, parsing + storing ≥ 100,000 rows/s, peak RSS
 * < 500 MB whatever the file size). Generates a Shadowserver `scan_http` report of BENCH_ROWS rows
 * (default 1,000,000) and runs each measurement in its own process, so its peak RSS is its own.
 */
import { execFileSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withScratchDatabase } from './scratch-database.ts';
import { shadowserverSchemaPath } from '../src/intake/index.ts';

const columns = [
  'timestamp',
  'ip',
  'protocol',
  'port',
  'hostname',
  'tag',
  'asn',
  'geo',
  'region',
  'city',
  'naics',
  'sic',
  'http',
  'http_code',
  'http_reason',
  'content_type',
  'connection',
  'www_authenticate',
  'set_cookie',
  'server',
  'content_length',
  'transfer_encoding',
  'http_date',
];

function row(i: number): string {
  const ip = `${11 + ((i >> 24) & 127)}.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
  const second = String(i % 60).padStart(2, '0');
  return [
    `"2026-11-22 10:${String((i >> 6) % 60).padStart(2, '0')}:${second}"`,
    `"${ip}"`,
    '"tcp"',
    8080 + (i % 3),
    `"host-${i}.example.net"`,
    '"http"',
    64496 + (i % 50),
    '"NL"',
    '"NOORD-HOLLAND"',
    '"AMSTERDAM"',
    518210,
    737415,
    '"HTTP/1.1"',
    200,
    '"OK"',
    '"text/html"',
    '',
    '',
    '',
    '"nginx"',
    1024 + (i % 5000),
    '"chunked"',
    '"Sun, 22 Nov 2026 10:00:00 GMT"',
  ].join(',');
}

export async function generate(path: string, rows: number): Promise<void> {
  const out = createWriteStream(path);
  let buffer = `${columns.map((c) => `"${c}"`).join(',')}\n`;
  for (let i = 0; i < rows; i++) {
    buffer += `${row(i)}\n`;
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  }
  out.end(buffer);
  await once(out, 'finish');
}

interface WorkerResult {
  mode: string;
  rows: number;
  seconds: number;
  setupSeconds: number;
  rowsPerSecond: number;
  peakRssMiB: number;
}

function worker(args: string[], env: Record<string, string> = {}): WorkerResult {
  const script = fileURLToPath(new URL('./ingest-worker.ts', import.meta.url));
  const output = execFileSync(process.execPath, [script, ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
    env: { ...process.env, ...env },
  });
  return JSON.parse(output.trim().split('\n').pop() ?? '{}') as WorkerResult;
}

/** The schema to parse with: the installed one, else the corpus copy beside the repository. */
function findSchema(): string | undefined {
  const installed = shadowserverSchemaPath(process.env.TOCSIN_DATA_DIR ?? 'data');
  if (existsSync(installed)) return installed;
  const corpus = fileURLToPath(
    new URL('../../shared/corpus/shadowserver-report_schema/intelmq.json', import.meta.url),
  );
  return existsSync(corpus) ? corpus : undefined;
}

/**
 * Each measurement runs at the full size and at a tenth of it: rows/s should hold and peak RSS should not
 * grow with the file (the parser streams, batches are bounded).
 */
export async function runIngestBench(): Promise<void> {
  const schema = findSchema();
  if (schema === undefined) {
    process.stdout.write(
      'no Shadowserver schema: run `tocsin feeds update-schema` first (skipping ingest benchmark)\n',
    );
    return;
  }
  const rows = Number(process.env.BENCH_ROWS ?? 1_000_000);
  const sizes = [Math.max(1, Math.round(rows / 10)), rows];
  const dir = mkdtempSync(join(tmpdir(), 'tocsin-ingest-bench-'));
  const results: [string, WorkerResult][] = [];
  try {
    for (const size of sizes) {
      const file = join(dir, `2026-11-22-scan_http-nl-${size}.csv`);
      await generate(file, size);
      const sizeMiB = statSync(file).size / 1024 ** 2;
      process.stdout.write(
        `generated ${size.toLocaleString('en-US')} scan_http rows (${sizeMiB.toFixed(0)} MiB); schema ${schema}\n`,
      );
      results.push([`parse only`, worker(['parse', file, schema])]);
      // As TOCSIN_PARSE_WORKERS=2 cuts a report: the parser alone in two threads.
      results.push([`parse only, 2 threads (segments)`, worker(['parse', file, schema, '2'])]);
      // The data directory is made (PGlite's initdb and migrations, the IP table's cache) in a process of its
      // own and its peak shown apart: it happens once per data directory, and peaks far above what ingesting
      // needs.
      const dataDir = join(dir, `pglite-${size}`);
      results.push([`first start (initdb, IP table cache)`, worker(['init', dataDir])]);
      results.push([
        `parse + store, pglite (data dir on disk)`,
        worker(['store', file, schema], { BENCH_DATA_DIR: dataDir }),
      ]);
      const databaseUrl = process.env.DATABASE_URL;
      if (databaseUrl) {
        await withScratchDatabase(databaseUrl, 'tocsin_bench', (url) => {
          // The data directory holds only the IP table's cache here.
          results.push([
            'parse + store, postgres, 1 parse worker',
            worker(['store', file, schema, url], { BENCH_DATA_DIR: dataDir, BENCH_PARSE_WORKERS: '1' }),
          ]);
          return Promise.resolve();
        });
        await withScratchDatabase(databaseUrl, 'tocsin_bench', (url) => {
          results.push([
            'parse + store, postgres, 2 workers (default)',
            worker(['store', file, schema, url], { BENCH_DATA_DIR: dataDir, BENCH_PARSE_WORKERS: '2' }),
          ]);
          return Promise.resolve();
        });
      }
      rmSync(file);
      rmSync(dataDir, { recursive: true, force: true });
    }
    process.stdout.write(`\nnode ${process.version}, ${cpus().length} cores\n`);
    process.stdout.write(
      `${'measurement'.padEnd(46)} ${'rows'.padStart(9)} ${'rows/s'.padStart(9)} ${'seconds'.padStart(7)} ` +
        `${'setup s'.padStart(7)} ${'peak RSS'.padStart(9)}\n`,
    );
    for (const [label, r] of results) {
      process.stdout.write(
        `${label.padEnd(46)} ${r.rows.toLocaleString('en-US').padStart(9)} ` +
          `${Math.round(r.rowsPerSecond).toLocaleString('en-US').padStart(9)} ${r.seconds.toFixed(1).padStart(7)} ` +
          `${r.setupSeconds.toFixed(1).padStart(7)} ${`${Math.round(r.peakRssMiB)} MiB`.padStart(9)}\n`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
