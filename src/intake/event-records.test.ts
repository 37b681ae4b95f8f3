import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { sql } from 'kysely';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { canonicalBody, eventId, findingOf, idOfCanonical, type Event } from '../core/index.ts';
import {
  createPgliteStore,
  createPostgresStore,
  migrate,
  readMigrations,
  type Store,
} from '../platform/db/index.ts';
import { backend, createPostgresDatabase, createTestStore } from '../../test/db.ts';
import {
  decodeChunk,
  encodeChunk,
  readEvent,
  readRecords,
  recordLine,
  recordLineOf,
  recordLineText,
} from './event-records.ts';
import { eventToStore, storeEventBatch } from './events.repo.ts';
import { receiveReport } from './ingest.ts';

const event = (ip: string): Event => ({
  'feed.name': 'Test',
  'source.ip': ip,
  'source.port': 443,
  'classification.type': 'vulnerable-system',
  'classification.identifier': 'test-vuln',
  'extra.note': 'tab\there, line\nbreak, quote " and backslash \\',
});

describe('event record chunks', () => {
  it('give back each line as written, compressed or (as migration 0013 left older rows) plain', () => {
    const lines = [recordLine(event('192.0.2.1'), 'a,b\nc'), recordLine(event('192.0.2.2'), undefined)];
    const compressed = encodeChunk(lines);
    expect(compressed.subarray(0, 4)).toEqual(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]));
    expect(decodeChunk(compressed)).toEqual(lines);
    expect(decodeChunk(new Uint8Array(Buffer.from(lines.join('\n'))))).toEqual(lines);
    expect(lines.every((line) => !line.includes('\n'))).toBe(true);
    expect(JSON.parse(lines[0] ?? '')).toEqual([event('192.0.2.1'), 'a,b\nc']);
  });
});

describe('record lines made from the canonical text', () => {
  const value = fc.oneof(
    fc.string(),
    fc.constantFrom('', 'é', '\ud800', 'a"b\\c', 'line\nbreak', '💡'),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
    fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer(), fc.constant(null))),
    fc.array(fc.oneof(fc.string(), fc.integer())),
  );
  const key = fc.oneof(
    fc.constantFrom('source.ip', 'source.asn', 'time.observation', 'raw', 'extra.x', 'feed.name', ''),
    fc.string(),
  );
  const anEvent = fc.dictionary(key, value) as fc.Arbitrary<Event>;
  const raw = fc.oneof(fc.string(), fc.constant('"a","b"\r\n'), fc.constant(null), fc.constant(undefined));

  it('hold what recordLine of the enriched event holds, whatever the event, enrichment and raw text', () => {
    fc.assert(
      fc.property(anEvent, fc.option(anEvent, { nil: undefined }), raw, (event, added, rawText) => {
        const body = canonicalBody(event);
        expect(idOfCanonical(body.text)).toBe(eventId(event));
        const line = recordLineText(recordLineOf(event, body, added, rawText));
        expect(line).not.toContain('\n');
        const expected = recordLine(added === undefined ? event : { ...event, ...added }, rawText);
        expect(JSON.parse(line)).toEqual(JSON.parse(expected));
      }),
      { numRuns: 2000 },
    );
  });

  it('take the quick path for a parsed event and the full one when enrichment replaces an empty value', () => {
    const parsed: Event = { 'source.ip': '192.0.2.1', 'time.observation': '2026-11-23T10:00:00+00:00' };
    const quick = recordLineOf(parsed, canonicalBody(parsed), { 'source.asn': 64496 }, 'x');
    expect(typeof quick).not.toBe('string');
    expect(recordLineText(quick)).toBe(
      '[{"source.ip":"192.0.2.1","time.observation":"2026-11-23T10:00:00+00:00","source.asn":64496},"x"]',
    );
    const empty: Event = { 'source.ip': '192.0.2.1', 'source.asn': '' };
    const line = recordLineOf(empty, canonicalBody(empty), { 'source.asn': 64496 }, undefined);
    expect(typeof line).toBe('string');
    expect(JSON.parse(recordLineText(line))).toEqual([
      { 'source.ip': '192.0.2.1', 'source.asn': 64496 },
      null,
    ]);
  });

  it('survive a chunk written line by line past its first buffer, in any script', () => {
    const lines = Array.from({ length: 3000 }, (_, at) => `["${'é💡x'.repeat(at % 40)}",${at}]`);
    expect(decodeChunk(encodeChunk(lines))).toEqual(lines);
    expect(decodeChunk(encodeChunk([]))).toEqual(['']);
    // A line given in pieces is written as their concatenation.
    const pieces = lines.map((line) => {
      const cut = line.lastIndexOf('"');
      return ['', line.slice(0, cut), line.slice(cut)];
    });
    expect(decodeChunk(encodeChunk(pieces))).toEqual(lines);
  });
});

describe(`event records on ${backend}`, () => {
  let store: Store;
  afterEach(async () => {
    await store.close();
  });

  it('are read back in the order asked for, across chunks, with the CSV header joined to raw', async () => {
    store = await createTestStore();
    const { id: reportId } = await receiveReport(
      { store },
      { path: '/dev/null', fileName: 'x.csv', source: 'test' },
    );
    const first = ['192.0.2.1', '192.0.2.2', '192.0.2.3'].map((ip, at) =>
      eventToStore(eventId(event(ip)), event(ip), `"${ip}"`, '"ip"', at + 2),
    );
    const second = [eventToStore(eventId(event('192.0.2.9')), event('192.0.2.9'), 'own raw', undefined, 9)];
    await storeEventBatch(store, reportId, '2026-11-23T10:00:00+00:00', first);
    await storeEventBatch(store, reportId, '2026-11-23T10:00:00+00:00', second);
    const refs = await store.db
      .selectFrom('events')
      .select(['id', 'chunk_id', 'chunk_index', 'raw_header'])
      .orderBy('source_ip', 'desc')
      .execute();
    expect(new Set(refs.map((r) => r.chunk_id)).size).toBe(2);
    const records = await readRecords(store, refs, { raw: true });
    expect(records.map((r) => r.data['source.ip'])).toEqual([
      '192.0.2.9',
      '192.0.2.3',
      '192.0.2.2',
      '192.0.2.1',
    ]);
    expect(records.map((r) => r.raw)).toEqual([
      'own raw',
      '"ip"\n"192.0.2.3"',
      '"ip"\n"192.0.2.2"',
      '"ip"\n"192.0.2.1"',
    ]);
    // Without `raw`, no raw text is read.
    expect((await readRecords(store, refs)).every((r) => r.raw === null)).toBe(true);
    expect((await readEvent(store, eventId(event('192.0.2.2'))))?.data).toEqual(event('192.0.2.2'));
    expect(await readEvent(store, eventId(event('203.0.113.1')))).toBeUndefined();
    // A reference to a chunk that is not there is a broken store, said as such.
    await expect(
      readRecords(store, [
        { chunk_id: '00000000-0000-7000-8000-000000000000', chunk_index: 0, raw_header: null },
      ]),
    ).rejects.toThrow(/chunk 00000000-0000-7000-8000-000000000000 is missing/);
  });
});

describe(`migration 0013 on ${backend}`, () => {
  let store: Store;
  let close: () => Promise<void>;
  afterEach(async () => {
    await close();
  });

  async function emptyStore(): Promise<void> {
    if (backend === 'pglite') {
      store = createPgliteStore(await PGlite.create());
      close = () => store.close();
      return;
    }
    const { url, drop } = await createPostgresDatabase();
    store = createPostgresStore(new pg.Pool({ connectionString: url, max: 2 }));
    close = async () => {
      await store.close();
      await drop();
    };
  }

  it('moves every stored record into a chunk of its own and keeps each directive’s finding', async () => {
    await emptyStore();
    const all = readMigrations();
    await migrate(store, { migrations: all.filter((m) => m.version < 13) });
    const reportId = '0a6f6a9e-4c1b-4a57-9d4f-3f8f1b0e5c11';
    await sql`insert into sources (name) values ('old')`.execute(store.db);
    await sql`insert into reports (id, source, feed, file_name, received_at)
      values (${reportId}, 'old', 'csv', 'old.csv', now())`.execute(store.db);
    const headerId = '7d2b4c2e-1111-8222-9333-444455556666';
    await sql`insert into raw_headers (id, text) values (${headerId}, '"ip","port"')`.execute(store.db);
    const withHeader = event('192.0.2.1');
    const plain: Event = {
      'feed.name': 'Test',
      'source.fqdn': 'www.example.nl',
      'classification.type': 'phishing',
    };
    const rows = [
      { id: eventId(withHeader), data: withHeader, raw: '"192.0.2.1","443"', header: headerId },
      { id: eventId(plain), data: plain, raw: null, header: null },
    ];
    for (const row of rows) {
      await sql`insert into events (id, data, raw, raw_header, first_report_id, first_seen_at)
        values (${row.id}, ${JSON.stringify(row.data)}, ${row.raw}, ${row.header}, ${reportId}, now())`.execute(
        store.db,
      );
      await sql`insert into directives (event_id, desk, channel, recipient, recipient_role, template,
          notify_interval, aggregation_key, rule, profile, profile_version)
        values (${row.id}, 'dtc', 'direct', 'org-a', 'end-user', 'default', 'P1D', 'k', 'r', 'p', 1)`.execute(
        store.db,
      );
    }
    await migrate(store);
    for (const row of rows) {
      const stored = await readEvent(store, row.id, { raw: true });
      expect(stored).toEqual({
        data: row.data,
        raw: row.header === null ? null : `"ip","port"\n${row.raw}`,
      });
    }
    const directives = await store.db
      .selectFrom('directives')
      .select(['event_id', 'finding', 'feed_provider'])
      .execute();
    expect(Object.fromEntries(directives.map((d) => [d.event_id, d.finding]))).toEqual({
      [eventId(withHeader)]: findingOf(withHeader),
      [eventId(plain)]: findingOf(plain),
    });
    expect(findingOf(withHeader)).toBe('test-vuln|192.0.2.1|443');
    expect(findingOf(plain)).toBe('phishing|www.example.nl|');
  });
});
