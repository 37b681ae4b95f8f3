import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backend, createTestStore } from '../../test/db.ts';
import { canonicalBody, eventId, idDigestOfCanonical, type Event } from '../core/index.ts';
import type { SqlSession, Store } from '../platform/db/index.ts';
import { sql } from 'kysely';
import { createEmptyStore } from '../../test/empty-store.ts';
import { binaryRowFields, uuidHex } from '../../test/binary-rows.ts';
import { BinaryRowsBuilder } from '../platform/copy/index.ts';
import { migrate, readMigrations } from '../platform/db/index.ts';
import {
  batchIds,
  eventToStore,
  hashedEventToStore,
  prepareBatch,
  storeEventBatch,
  storeEventBatchThroughStaging,
  type EventWithId,
} from './events.repo.ts';
import { storedEvents } from '../../test/events.ts';
import { exportEvents } from './export-events.ts';
import { receiveReport } from './ingest.ts';

let store: Store;
beforeEach(async () => {
  store = await createTestStore();
});
afterEach(async () => {
  await store.close();
});

const observedAt = '2026-11-23T10:00:00+00:00';

function item(ip: string, line: number, raw = `line ${line}`, rawHeader?: string): EventWithId {
  const event: Event = {
    'feed.name': 'Test',
    'source.ip': ip,
    'classification.type': 'vulnerable-system',
    'time.source': '2026-11-22T08:00:00+00:00',
  };
  return eventToStore(eventId(event), event, raw, rawHeader, line);
}

async function report(): Promise<string> {
  const { id } = await receiveReport({ store }, { path: '/dev/null', fileName: 'x.jsonl', source: 'test' });
  return id;
}

async function state(): Promise<{ events: unknown[]; sightings: unknown[]; counts: unknown[] }> {
  return {
    events: (await storedEvents(store)).map(({ id, raw, first_report_id }) => ({ id, raw, first_report_id })),
    sightings: await store.db
      .selectFrom('event_sightings')
      .select(['event_id', 'report_id', 'line'])
      .orderBy('event_id')
      .orderBy('line')
      .execute(),
    counts: await store.db
      .selectFrom('reports')
      .select(['id', 'accepted', 'duplicates'])
      .orderBy('received_at')
      .execute(),
  };
}

type StoreBatch = typeof storeEventBatch;

/** Two reports, the second repeating one event of the first and one of its own twice. */
async function scenario(storeBatch: StoreBatch): Promise<{ results: unknown[]; ids: string[] }> {
  const first = await report();
  const second = await report();
  const a = item('192.0.2.1', 2);
  const b = item('192.0.2.2', 3);
  const results = [
    await storeBatch(store, first, observedAt, [a, b]),
    await storeBatch(store, second, observedAt, [
      item('192.0.2.2', 2),
      item('192.0.2.3', 3),
      item('192.0.2.3', 4),
    ]),
    // The same report again in a later batch: a duplicate, and no second sighting.
    await storeBatch(store, second, observedAt, [item('192.0.2.3', 9)]),
  ];
  return { results, ids: [first, second] };
}

describe('a prepared batch', () => {
  it('holds the COPY rows of its distinct events: events in binary form, sightings as text', () => {
    const reportId = '0193a8e2-7b3c-7d00-8000-000000000001';
    const awkward: Event = {
      'feed.name': 'Tab\there, back\\slash',
      'classification.type': 'vulnerable-system',
      'time.source': '2026-11-22T08:00:00+00:00',
    };
    const header = '"timestamp","ip"';
    const items = [
      item('192.0.2.1', 2, 'line 2', header),
      eventToStore(eventId(awkward), awkward, 'a\nb', undefined, 3),
      item('192.0.2.1', 4, 'line 2', header),
    ];
    const batch = prepareBatch(reportId, observedAt, items);
    const headerId = batch.headers[0]?.id;
    expect(batchIds(batch)).toEqual([items[0]?.id, items[1]?.id]);
    // Each field as the binary encoder writes it, in the order of the events table's columns.
    const expected = new BinaryRowsBuilder();
    [
      [items[0]?.id, headerId, items[0]?.timeSource, '192.0.2.1', 'Test', 2],
      [items[1]?.id, null, items[1]?.timeSource, null, 'Tab\there, back\\slash', 3],
    ].forEach(([id, header, time, ip, feed, line], index) => {
      expected.beginRow(12);
      expected.uuid(id as string);
      expected.uuid(header as string | null);
      expected.uuid(reportId);
      expected.timestamptz(observedAt);
      expected.timestamptz(time as string);
      expected.inet(ip as string | null);
      expected.text('vulnerable-system');
      expected.text(feed as string);
      expected.uuid(batch.chunk.id);
      expected.int4(index);
      expected.int4(line as number);
      expected.bool(true);
      expected.endRow();
    });
    expect(binaryRowFields(batch.eventRows)).toEqual(binaryRowFields(expected.finish()));
    expect(binaryRowFields(batch.eventRows)[0]?.[0]).toBe(uuidHex(items[0]?.id as string));
    // What a sighting row is made of, should one of these events be known already.
    expect([...batch.lines]).toEqual([2, 3]);
    expect(batch.observedAt).toBe(observedAt);
    expect(Array.from(batch.eventRows.ends)).toHaveLength(2);
  });
});

describe('a prepared batch of events given by the digests of their ids', () => {
  it('holds the rows the same events given by their ids make, and finds repeats by digest', () => {
    const reportId = '0193a8e2-7b3c-7d00-8000-000000000001';
    const header = '"timestamp","ip"';
    const byId = ['192.0.2.1', '192.0.2.2', '192.0.2.1', '2001:db8::1'].map((ip, at) =>
      item(ip, at + 2, `line ${at + 2}`, header),
    );
    const byDigest = byId.map((given) => {
      const event: Event = {
        'feed.name': 'Test',
        'source.ip': given.sourceIp ?? '',
        'classification.type': 'vulnerable-system',
        'time.source': '2026-11-22T08:00:00+00:00',
      };
      return hashedEventToStore(
        idDigestOfCanonical(canonicalBody(event).text),
        event,
        header,
        given.line,
        given.record,
      );
    });
    const fromIds = prepareBatch(reportId, observedAt, byId);
    const fromDigests = prepareBatch(reportId, observedAt, byDigest);
    expect(fromDigests.size).toBe(4);
    expect(batchIds(fromDigests)).toEqual([byId[0]?.id, byId[1]?.id, byId[3]?.id]);
    // The rows differ only in their chunk's id, which each batch makes its own.
    const chunkColumn = 8;
    const withoutChunk = (rows: (string | null)[][]): (string | null)[][] =>
      rows.map((row) => row.filter((_, column) => column !== chunkColumn));
    expect(withoutChunk(binaryRowFields(fromDigests.eventRows))).toEqual(
      withoutChunk(binaryRowFields(fromIds.eventRows)),
    );
    expect([...fromDigests.lines]).toEqual([2, 3, 5]);
  });
});

describe('a prepared batch of ids that share their first digits', () => {
  it('keeps each distinct id once, in the order first seen', () => {
    // Ids alike in their first 28 bits (and one in capitals) meet in the builder's first look-up.
    const ids = [
      '0123456a-0000-8000-8000-000000000001',
      '0123456b-0000-8000-8000-000000000002',
      '0123456A-0000-8000-8000-000000000003',
      '0123456a-0000-8000-8000-000000000001',
      'fedcba98-0000-8000-8000-000000000004',
      '0123456b-0000-8000-8000-000000000002',
      '0123456c-0000-8000-8000-000000000005',
      '0123456A-0000-8000-8000-000000000003',
    ];
    const items = ids.map((id, line) => ({ ...item('192.0.2.1', line + 1), id }));
    const batch = prepareBatch('0193a8e2-7b3c-7d00-8000-000000000001', observedAt, items);
    expect(batch.size).toBe(8);
    // As the database has them: in lower case.
    expect(batchIds(batch)).toEqual([...new Set(ids)].map((id) => id.toLowerCase()));
    expect(binaryRowFields(batch.eventRows).map((row) => row[0])).toEqual(
      [...new Set(ids)].map((id) => uuidHex(id).toLowerCase()),
    );
  });
});

describe(`event batches on ${backend}`, () => {
  it('stores new events once, counts repeats as duplicates and records one sighting per report', async () => {
    const { results, ids } = await scenario(storeEventBatch);
    expect(results).toEqual([
      { accepted: 2, duplicates: 0 },
      { accepted: 1, duplicates: 2 },
      { accepted: 0, duplicates: 1 },
    ]);
    const { events, sightings, counts } = await state();
    expect(events).toHaveLength(3);
    expect(sightings).toHaveLength(4);
    expect(sightings).toContainEqual({ event_id: item('192.0.2.3', 0).id, report_id: ids[1], line: 3 });
    expect(counts).toEqual([
      { id: ids[0], accepted: 2, duplicates: 0 },
      { id: ids[1], accepted: 1, duplicates: 3 },
    ]);
  });

  it('gives the same rows through the staging path as through the direct path', async () => {
    const direct = await scenario(storeEventBatch);
    const directState = await state();
    await store.close();
    store = await createTestStore();
    const staged = await scenario(storeEventBatchThroughStaging);
    const stagedState = await state();
    expect(staged.results).toEqual(direct.results);
    const rename = (s: typeof directState, ids: string[]): string =>
      JSON.stringify(s)
        .replaceAll(ids[0] ?? '', 'R1')
        .replaceAll(ids[1] ?? '', 'R2');
    expect(rename(stagedState, staged.ids)).toBe(rename(directState, direct.ids));
  });

  it('keeps a CSV header once, on both paths, and exports each event with its header and line', async () => {
    const first = await report();
    const second = await report();
    const header = '"timestamp","ip"';
    const rawA = '"2026-11-22 10:00:00","192.0.2.1"';
    const rawB = '"2026-11-22 10:00:01","192.0.2.2"';
    const a = item('192.0.2.1', 2, rawA, header);
    const b = item('192.0.2.2', 3, rawB, header);
    const plain = item('192.0.2.3', 4);
    await storeEventBatch(store, first, observedAt, [a, plain]);
    await storeEventBatchThroughStaging(store, second, observedAt, [a, b]);
    expect(await store.db.selectFrom('raw_headers').select('text').execute()).toEqual([{ text: header }]);
    let jsonl = '';
    for await (const chunk of exportEvents(store, { format: 'jsonl' })) jsonl += chunk;
    const raws = jsonl
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { raw: string }).raw)
      .sort();
    expect(raws).toEqual([`${header}\n${rawA}`, `${header}\n${rawB}`, 'line 4'].sort());
  });

  it('leaves nothing of a batch taken for new when its last event turns out to be known', async () => {
    const first = await report();
    const second = await report();
    const known = item('203.0.113.9', 2);
    // New, and repeated within the batch: one event, one duplicate.
    expect(await storeEventBatch(store, first, observedAt, [known, { ...known, line: 3 }])).toEqual({
      accepted: 1,
      duplicates: 1,
    });
    // The COPY of all five as new gets through four before the primary key stops it; the batch is then
    // stored as a mixed one, and the four are there once, with one chunk holding them.
    const fresh = ['203.0.113.1', '203.0.113.2', '203.0.113.3', '203.0.113.4'].map((ip, i) =>
      item(ip, i + 2),
    );
    const result = await storeEventBatch(store, second, observedAt, [...fresh, { ...known, line: 6 }]);
    expect(result).toEqual({ accepted: 4, duplicates: 1 });
    const { events, sightings, counts } = await state();
    expect(events).toHaveLength(5);
    expect(sightings).toHaveLength(6);
    expect(counts).toEqual([
      { id: first, accepted: 1, duplicates: 1 },
      { id: second, accepted: 4, duplicates: 1 },
    ]);
    const chunks = await store.db.selectFrom('event_chunks').select('report_id').execute();
    expect(chunks.map((chunk) => chunk.report_id).sort()).toEqual([first, second].sort());
  });

  it('redoes a batch through staging when another ingest stored one of its events first', async () => {
    const first = await report();
    const second = await report();
    const shared = item('198.51.100.7', 2);
    await storeEventBatch(store, first, observedAt, [shared]);
    // The look-up misses the event, as it would when a concurrent ingest commits it just after the look-up:
    // the COPY then meets the primary key, and the batch must still be stored exactly once.
    const racing = blindToKnownEvents(store);
    const result = await storeEventBatch(racing, second, observedAt, [
      { ...shared, line: 5 },
      item('198.51.100.8', 6),
    ]);
    expect(result).toEqual({ accepted: 1, duplicates: 1 });
    const { events, sightings } = await state();
    expect(events).toHaveLength(2);
    expect(sightings).toHaveLength(3);
  });
});

/** The same store, except that the look-up of known events finds none. */
function blindToKnownEvents(inner: Store): Store {
  const blind = (session: SqlSession): SqlSession => ({
    ...session,
    query: async <Row>(text: string, params?: readonly unknown[]): Promise<Row[]> =>
      text.startsWith('select id, first_report_id from events') ? [] : session.query<Row>(text, params),
  });
  return { ...inner, withSession: (fn) => inner.withSession((session) => fn(blind(session))) };
}

describe(`migration 0014 on ${backend}`, () => {
  it('keeps the sightings stored before it and implies new events’ first sightings after it', async () => {
    const old = await createEmptyStore();
    try {
      await migrate(old, { migrations: readMigrations().filter((m) => m.version < 14) });
      const reportIds = ['0a6f6a9e-4c1b-4a57-9d4f-3f8f1b0e5c11', '0a6f6a9e-4c1b-4a57-9d4f-3f8f1b0e5c12'];
      await sql`insert into sources (name) values ('old')`.execute(old.db);
      for (const id of reportIds) {
        await sql`insert into reports (id, source, feed, file_name, received_at)
          values (${id}, 'old', 'jsonl', 'old.jsonl', now())`.execute(old.db);
      }
      const before = item('192.0.2.50', 2);
      await old.withSession(async (session) => {
        await session.query(
          `insert into event_chunks (id, report_id, records) values ($1, $2, convert_to('[{}, null]', 'UTF8'))`,
          [before.id, reportIds[0]],
        );
        await session.query(
          `insert into events (id, first_report_id, first_seen_at, chunk_id, chunk_index)
           values ($1, $2, now(), $1, 0)`,
          [before.id, reportIds[0]],
        );
        for (const [at, id] of reportIds.entries()) {
          await session.query(
            'insert into event_sightings (event_id, report_id, observed_at, line) values ($1, $2, now(), $3)',
            [before.id, id, at + 2],
          );
        }
      });
      await migrate(old);
      const sightings = (): Promise<unknown[]> =>
        old.db
          .selectFrom('event_sightings')
          .select(['event_id', 'report_id', 'line'])
          .orderBy('report_id')
          .orderBy('line')
          .execute();
      expect(await sightings()).toEqual(
        reportIds.map((id, at) => ({ event_id: before.id, report_id: id, line: at + 2 })),
      );
      // The old event again from the second report: a duplicate, no second sighting. A new one: its row only.
      const after = item('192.0.2.51', 7);
      expect(
        await storeEventBatch(old, reportIds[1] as string, observedAt, [{ ...before, line: 5 }, after]),
      ).toEqual({ accepted: 1, duplicates: 1 });
      expect(await sightings()).toEqual([
        { event_id: before.id, report_id: reportIds[0], line: 2 },
        { event_id: before.id, report_id: reportIds[1], line: 3 },
        { event_id: after.id, report_id: reportIds[1], line: 7 },
      ]);
      const rows = await old.db.selectFrom('event_sighting_rows').select('event_id').execute();
      expect(rows).toHaveLength(2);
    } finally {
      await old.close();
    }
  });
});
