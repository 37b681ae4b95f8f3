/**
 * Store benchmark: COPY against multi-row INSERT, and /healthz through the app, on PGlite and (with
 * DATABASE_URL) on PostgreSQL. Each figure is the median of several runs on fresh tables.
 */
import { tmpdir } from 'node:os';
import { Writable } from 'node:stream';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { createPgliteStore, createPostgresStore, migrate, type Store } from '../src/platform/db/index.ts';
import { FeedParsers, ReportProcessor } from '../src/intake/index.ts';
import { createLogger } from '../src/platform/log.ts';
import { createApp } from '../src/portal/app.ts';
import { loadFramework } from '../src/assessment/index.ts';

const rowsPerRun = 100_000;
const runs = 3;

interface Figure {
  benchmark: string;
  backend: string;
  value: string;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function eventLikeRow(id: number): [number, string, string, number, string, Record<string, unknown>] {
  return [
    id,
    `192.0.${(id >> 8) & 255}.${id & 255}`,
    'vulnerable-system',
    443,
    `2026-11-23T10:${String(id % 60).padStart(2, '0')}:00Z`,
    { tag: 'openssl,cve-2024-1234', asn: 64496 + (id % 10), sector: 'Communications' },
  ];
}

const columns = ['id', 'ip', 'type', 'port', 'seen', 'extra'];
const table = `create table bench_rows (
  id integer primary key, ip inet not null, type text not null, port integer, seen timestamptz, extra jsonb)`;

async function timeCopy(store: Store): Promise<number> {
  const rates: number[] = [];
  for (let run = 0; run < runs; run++) {
    await store.withSession((s) => s.exec(`drop table if exists bench_rows; ${table}`));
    const started = performance.now();
    function* rows() {
      for (let id = 0; id < rowsPerRun; id++) yield eventLikeRow(id);
    }
    await store.copyRows('bench_rows', columns, rows());
    rates.push(rowsPerRun / ((performance.now() - started) / 1000));
  }
  return median(rates);
}

async function timeInsert(store: Store): Promise<number> {
  const rates: number[] = [];
  const batch = 1000;
  for (let run = 0; run < runs; run++) {
    await store.withSession((s) => s.exec(`drop table if exists bench_rows; ${table}`));
    const started = performance.now();
    for (let offset = 0; offset < rowsPerRun; offset += batch) {
      const values: unknown[] = [];
      const tuples: string[] = [];
      for (let id = offset; id < offset + batch; id++) {
        const row = eventLikeRow(id);
        const base = values.length;
        tuples.push(`(${row.map((_, i) => `$${base + i + 1}`).join(',')})`);
        values.push(...row.slice(0, 5), JSON.stringify(row[5]));
      }
      await store.withSession((s) =>
        s.query(`insert into bench_rows (${columns.join(',')}) values ${tuples.join(',')}`, values),
      );
    }
    rates.push(rowsPerRun / ((performance.now() - started) / 1000));
  }
  return median(rates);
}

async function timeHealth(store: Store): Promise<number> {
  const log = createLogger({
    level: 'silent',
    destination: new Writable({
      write: (_c, _e, done) => {
        done();
      },
    }),
  });
  const processor = new ReportProcessor(
    { store, parsers: new FeedParsers({ shadowserverSchemaPath: '/nonexistent' }) },
    log,
  );
  const app = createApp({
    store,
    log,
    instanceName: 'bench',
    version: 'bench',
    intake: { processor, uploadDir: tmpdir(), maxUploadBytes: 1024 },
    framework: await loadFramework(new URL('../config/assessment/framework.yaml', import.meta.url).pathname),
  });
  const requests = 5000;
  const rates: number[] = [];
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    for (let i = 0; i < requests; i++) {
      const response = await app.request('/healthz');
      if (response.status !== 200) throw new Error(`healthz answered ${response.status}`);
      await response.arrayBuffer();
    }
    rates.push(requests / ((performance.now() - started) / 1000));
  }
  return median(rates);
}

async function benchStore(backend: string, store: Store, figures: Figure[]): Promise<void> {
  await migrate(store);
  const perSecond = (n: number) => `${Math.round(n).toLocaleString('en-US')} rows/s`;
  figures.push({
    benchmark: `bulk write: COPY, ${rowsPerRun.toLocaleString('en-US')} event-like rows`,
    backend,
    value: perSecond(await timeCopy(store)),
  });
  figures.push({
    benchmark: 'bulk write: multi-row INSERT, 1,000 rows per statement',
    backend,
    value: perSecond(await timeInsert(store)),
  });
  figures.push({
    benchmark: 'GET /healthz through the app (no socket), sequential',
    backend,
    value: `${Math.round(await timeHealth(store)).toLocaleString('en-US')} req/s`,
  });
}

export async function runStoreBench(): Promise<void> {
  const figures: Figure[] = [];
  const pglite = createPgliteStore(await PGlite.create());
  await benchStore('pglite (in memory)', pglite, figures);
  await pglite.close();

  const databaseUrl = process.env.DATABASE_URL;
  if (databaseUrl) {
    const server = createPostgresStore(new pg.Pool({ connectionString: databaseUrl, max: 4 }));
    await server.withSession((s) => s.exec('drop table if exists bench_rows'));
    await benchStore('postgres', server, figures);
    await server.withSession((s) => s.exec('drop table if exists bench_rows'));
    await server.close();
  } else {
    process.stdout.write('(set DATABASE_URL to a scratch PostgreSQL database to benchmark the server too)\n');
  }

  const width = Math.max(...figures.map((f) => f.benchmark.length));
  process.stdout.write(`\nnode ${process.version}, ${runs} runs each, median\n`);
  for (const f of figures)
    process.stdout.write(`${f.benchmark.padEnd(width)}  ${f.backend.padEnd(18)}  ${f.value}\n`);
}
