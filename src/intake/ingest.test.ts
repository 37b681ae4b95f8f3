import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backend, createTestStore } from '../../test/db.ts';
import type { Store } from '../platform/db/index.ts';
import { openReportArchive } from './archive.ts';
import { enrichmentOf, loadIpTable } from '../enrichment/index.ts';
import { exportEvents } from './export-events.ts';
import { FeedParsers } from './feeds.ts';
import { ingestFile, type IngestDeps, type IngestRequest, type IngestResult } from './ingest.ts';
import type { Event } from '../core/index.ts';
import { parseInWorker } from './parse-in-worker.ts';
import { storedEvents } from '../../test/events.ts';
import { reportOfBadRows, shadowserverFixtureSchema } from '../../test/shadowserver-report.ts';

const fixtures = new URL('../../test/fixtures/intake/', import.meta.url);
const eventsFile = new URL('events.jsonl', fixtures).pathname;
const rejectsFile = new URL('with-rejects.jsonl', fixtures).pathname;
const parsers = new FeedParsers({
  shadowserverSchemaPath: join(tmpdir(), 'tocsin-no-schema', 'intelmq.json'),
});

let store: Store;
beforeEach(async () => {
  store = await createTestStore();
});
afterEach(async () => {
  await store.close();
});

function request(path: string, overrides: Partial<IngestRequest> = {}): IngestRequest {
  return { path, fileName: path.split('/').pop() ?? 'input', source: 'test-feed', ...overrides };
}

function scratch(name: string, content: string | Buffer): string {
  const path = join(mkdtempSync(join(tmpdir(), 'tocsin-ingest-')), name);
  writeFileSync(path, content);
  return path;
}

async function count(table: 'events' | 'event_sightings'): Promise<number> {
  const row = await store.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function readAll(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

const feeds = { shadowserverSchemaPath: join(tmpdir(), 'tocsin-no-schema', 'intelmq.json') };

type DepsFactory = (options?: { batchSize?: number; ipTableCacheDir?: string }) => Promise<IngestDeps>;

/** The same ingest, parsed in this thread (the library default) and in a worker thread (the service's way). */
const modes: [string, DepsFactory][] = [
  [
    'parsed in this thread',
    async ({ batchSize, ipTableCacheDir } = {}) => {
      const table =
        ipTableCacheDir === undefined ? undefined : await loadIpTable({ cacheDir: ipTableCacheDir });
      return {
        store,
        parsers,
        ...(batchSize === undefined ? {} : { batchSize }),
        ...(table === undefined ? {} : { enrich: (e: Event) => enrichmentOf(table, e) }),
      };
    },
  ],
  [
    'parsed in a worker thread',
    ({ batchSize, ipTableCacheDir } = {}) =>
      Promise.resolve({
        store,
        parsers,
        parse: parseInWorker({ feeds, ipTableCacheDir }),
        ...(batchSize === undefined ? {} : { batchSize }),
      }),
  ],
];

describe.each(modes)(`ingest on ${backend}, %s`, (_mode, deps) => {
  it('stores each event once with a sighting, archives the bytes and records the report', async () => {
    const result = await ingestFile(await deps(), request(eventsFile));
    expect(result).toMatchObject({
      status: 'processed',
      feed: 'jsonl',
      accepted: 5,
      duplicates: 0,
      rejected: 0,
    });
    const bytes = readFileSync(eventsFile);
    expect(result.sizeBytes).toBe(bytes.length);
    expect(result.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(await readAll(await openReportArchive(store, result.report))).toEqual(bytes);
    expect(await count('events')).toBe(5);
    expect(await count('event_sightings')).toBe(5);
    const report = await store.db
      .selectFrom('reports')
      .selectAll()
      .where('id', '=', result.report)
      .executeTakeFirstOrThrow();
    expect(report).toMatchObject({
      status: 'processed',
      accepted: 5,
      duplicates: 0,
      rejected: 0,
      source: 'test-feed',
    });
  });

  it('accepts nothing the second time: every row is a duplicate, and a new sighting', async () => {
    const first = await ingestFile(await deps(), request(eventsFile));
    const second = await ingestFile(await deps(), request(eventsFile));
    expect(second.report).not.toBe(first.report);
    expect(second).toMatchObject({ status: 'processed', accepted: 0, duplicates: 5, rejected: 0 });
    expect(await count('events')).toBe(5);
    expect(await count('event_sightings')).toBe(10);
  });

  it('reads gzip and zip inputs to the same events', async () => {
    await ingestFile(await deps(), request(eventsFile));
    const gz = scratch('events.jsonl.gz', gzipSync(readFileSync(eventsFile)));
    const fromGzip = await ingestFile(await deps(), request(gz));
    expect(fromGzip).toMatchObject({ status: 'processed', accepted: 0, duplicates: 5 });
    expect(await readAll(await openReportArchive(store, fromGzip.report))).toEqual(readFileSync(gz));
  });

  it('rejects bad lines with line and reason and accepts the rest', async () => {
    const result = await ingestFile(await deps(), request(rejectsFile));
    expect(result.status).toBe('processed');
    expect(result.accepted).toBe(2);
    expect(result.rejected).toBe(4);
    expect(result.rejects.map((r) => r.line)).toEqual([2, 3, 4, 6]);
    expect(result.rejects.find((r) => r.line === 2)).toMatchObject({ field: 'source.ip' });
    expect(result.rejects.find((r) => r.line === 4)).toMatchObject({ field: 'time.source' });
    for (const reject of result.rejects) expect(reject.reason.length).toBeGreaterThan(5);
  });

  it('fails an empty input and says why, keeping the report', async () => {
    const result = await ingestFile(await deps(), request(scratch('empty.jsonl', '')));
    expect(result.status).toBe('failed');
    expect(result.error).toBe('The input is empty.');
    const report = await store.db
      .selectFrom('reports')
      .select(['status', 'error'])
      .where('id', '=', result.report)
      .executeTakeFirstOrThrow();
    expect(report.status).toBe('failed');
  });

  it('keeps what was read from a truncated gzip and reports the break', async () => {
    const many = Array.from({ length: 3000 }, (_, i) =>
      JSON.stringify({
        'classification.type': 'scanner',
        'source.ip': `10.${i >> 8}.${i & 255}.1`,
        'time.source': '2026-11-20T08:00:00Z',
      }),
    ).join('\n');
    const full = gzipSync(many);
    const truncated = scratch('many.jsonl.gz', full.subarray(0, Math.floor(full.length * 0.6)));
    const result = await ingestFile(await deps({ batchSize: 500 }), request(truncated));
    expect(result.status).toBe('processed');
    expect(result.accepted).toBeGreaterThan(0);
    expect(result.accepted).toBeLessThan(3000);
    expect(result.rejects.at(-1)?.reason).toContain('input ends unexpectedly');
    expect(await count('events')).toBe(result.accepted);
  });

  it('cannot guess the feed of an unknown file type and says what to do', async () => {
    const result = await ingestFile(await deps(), request(scratch('data.bin', 'x')));
    expect(result.status).toBe('failed');
    expect(result.error).toContain('give the feed');
  });

  it('exports what it stored and reads its own export back to the same events', async () => {
    await ingestFile(await deps(), request(eventsFile));
    let jsonl = '';
    for await (const chunk of exportEvents(store, { format: 'jsonl' })) jsonl += chunk;
    const records = jsonl
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { id: string; reports: string[] });
    expect(records).toHaveLength(5);
    const exported = scratch('export.jsonl', jsonl);
    const again = await ingestFile(await deps(), request(exported));
    expect(again).toMatchObject({ accepted: 0, duplicates: 5, rejected: 0 });
  });

  it("fills AS, network and country from the IP table, keeps a feed's own value, and ids the feed's fact", async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'tocsin-ip-'));
    const table = await loadIpTable({ cacheDir });
    const plain = { 'feed.name': 'Test', 'classification.type': 'scanner', 'source.ip': '193.0.6.139' };
    const ownAsn = { ...plain, 'source.ip': '193.0.6.140', 'source.asn': 64496 };
    const file = scratch('enrich.jsonl', `${JSON.stringify(plain)}\n${JSON.stringify(ownAsn)}\n`);
    const result = await ingestFile(await deps({ ipTableCacheDir: cacheDir }), request(file));
    expect(result).toMatchObject({ accepted: 2, rejected: 0 });
    const rows = await storedEvents(store);
    const byIp = new Map(rows.map((row) => [row.data['source.ip'], row]));
    const expected = table.lookup('193.0.6.139');
    expect(expected?.asn).toEqual(expect.any(Number));
    expect(byIp.get('193.0.6.139')?.data).toMatchObject({
      'source.asn': expected?.asn,
      'source.as_name': expected?.asName,
      'source.network': expected?.network,
      'source.geolocation.cc': expected?.cc,
    });
    expect(byIp.get('193.0.6.140')?.data).toMatchObject({
      'source.asn': 64496,
      'extra.enrichment.source.asn': table.lookup('193.0.6.140')?.asn,
    });
    // The id is that of the fact as the feed gave it, so new IP data never makes a known event new.
    const parsed = await ingestFile(await deps(), request(file));
    expect(parsed).toMatchObject({ accepted: 0, duplicates: 2 });
  });
});

describe(`ingest of a Shadowserver report cut among workers on ${backend}`, () => {
  it('stores the same events, sightings, records and rejects as one worker, and knows them again', async () => {
    const path = scratch('2024-05-01-scan_http-big.csv', reportOfBadRows(40));
    const shadowserver = { shadowserverSchemaPath: shadowserverFixtureSchema };
    const withSchema = new FeedParsers(shadowserver);
    const stored = async (into: Store) => {
      const sightings = await into.db
        .selectFrom('event_sightings')
        .select(['event_id', 'line'])
        .orderBy('line')
        .execute();
      const records = (await storedEvents(into)).map(({ id, data, raw }) => ({ id, data, raw }));
      return { sightings, records };
    };
    const comparable = ({ report: _, ...rest }: IngestResult) => rest;
    // Both reports received at the same time, so their events' time.observation is the same.
    const now = () => new Date('2026-11-23T10:00:00Z');
    const one = await ingestFile(
      { store, parsers: withSchema, parse: parseInWorker({ feeds: shadowserver }), now },
      request(path),
    );
    expect(one).toMatchObject({ status: 'processed', feed: 'shadowserver' });
    expect(one.duplicates).toBeGreaterThan(0);
    expect(one.rejected).toBeGreaterThan(100);
    const other = await createTestStore();
    try {
      const cut = (workers: number) => parseInWorker({ feeds: shadowserver, workers, segmentBytes: 900 });
      const several = await ingestFile(
        { store: other, parsers: withSchema, parse: cut(2), now },
        request(path),
      );
      expect(comparable(several)).toEqual(comparable(one));
      expect(await stored(other)).toEqual(await stored(store));
      const again = await ingestFile({ store: other, parsers: withSchema, parse: cut(3) }, request(path));
      expect(again).toMatchObject({ accepted: 0, duplicates: one.accepted + one.duplicates });
    } finally {
      await other.close();
    }
  });
});
