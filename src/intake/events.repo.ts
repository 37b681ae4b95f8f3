import { hash } from 'node:crypto';
import { timeOrderedUuid, type Event } from '../core/index.ts';
import type { SqlSession, Store } from '../platform/db/index.ts';
import { encodeChunk, recordLine } from './event-records.ts';

/** An event ready to store: its content-hash id, its record line, the columns SQL selects on, its line. */
export interface EventToStore {
  id: string;
  /** The event's line in its chunk (`recordLine`): the IDF record and the raw text. */
  record: string;
  /** A CSV file's header line, stored once (`raw_headers`) rather than in every event's raw text. */
  rawHeader?: string | undefined;
  timeSource: string | null;
  sourceIp: string | null;
  classificationType: string | null;
  feedName: string | null;
  line: number;
}

/**
 * An event as stored: `raw` is IDF `raw`; with `rawHeader`, the record's own text, IntelMQ's raw being
 * `${rawHeader}\n${raw}`.
 */
export function eventToStore(
  id: string,
  event: Event,
  raw: string | undefined,
  rawHeader: string | undefined,
  line: number,
): EventToStore {
  return {
    id,
    record: recordLine(event, raw),
    ...(rawHeader === undefined ? {} : { rawHeader }),
    timeSource: stringOrNull(event['time.source']),
    sourceIp: stringOrNull(event['source.ip']),
    classificationType: stringOrNull(event['classification.type']),
    feedName: stringOrNull(event['feed.name']),
    line,
  };
}

export interface StoredBatch {
  /** Events new to the store. */
  accepted: number;
  /** Events already known (from an earlier report, or earlier in this one). */
  duplicates: number;
}

const stagingColumns = [
  'id',
  'raw_header',
  'time_source',
  'source_ip',
  'classification_type',
  'feed_name',
  'chunk_index',
  'line',
];

/**
 * Stores one batch in one transaction and moves the report's counts with it, so a crash loses nothing that
 * was counted. The usual path looks up which events are already known and COPYs only the new ones and the
 * sightings straight into their tables: every byte is written once. Should another report add one of the
 * same events between the look-up and the COPY (possible only on a PostgreSQL server with concurrent
 * ingests), the primary key refuses it and the batch is redone through a staging table with
 * `on conflict do nothing`, which is slower but cannot conflict.
 */
export async function storeEventBatch(
  store: Store,
  reportId: string,
  observedAt: string,
  batch: readonly EventToStore[],
): Promise<StoredBatch> {
  if (batch.length === 0) return { accepted: 0, duplicates: 0 };
  try {
    return await store.withSession((session) => copyNewEvents(session, reportId, observedAt, batch));
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    return storeEventBatchThroughStaging(store, reportId, observedAt, batch);
  }
}

async function copyNewEvents(
  session: SqlSession,
  reportId: string,
  observedAt: string,
  batch: readonly EventToStore[],
): Promise<StoredBatch> {
  // The first occurrence of each id in the batch (batches come in line order) is the one stored.
  const unique = new Map<string, EventToStore>();
  for (const item of batch) if (!unique.has(item.id)) unique.set(item.id, item);
  const ids = [...unique.keys()];
  await session.exec('begin');
  const headers = await storeRawHeaders(session, unique.values());
  // Known events, and which of them this report stored first (in an interrupted earlier run of it).
  const known = new Map(
    (
      await session.query<{ id: string; first_report_id: string }>(
        'select id, first_report_id from events where id = any($1::uuid[])',
        [ids],
      )
    ).map((row) => [row.id, row.first_report_id]),
  );
  // Only a known event can have been sighted (a sighting refers to a stored event): a new file asks nothing.
  const sighted = new Set(
    known.size === 0
      ? []
      : (
          await session.query<{ event_id: string }>(
            'select event_id from event_sightings where report_id = $1 and event_id = any($2::uuid[])',
            [reportId, [...known.keys()]],
          )
        ).map((row) => row.event_id),
  );
  const fresh = [...unique.values()].filter((item) => !known.has(item.id));
  if (fresh.length > 0) {
    const chunkId = await storeChunk(session, reportId, fresh);
    await session.copyRows(
      'events',
      eventColumns,
      fresh.map((item, index) => eventRow(item, headers, reportId, observedAt, chunkId, index)),
    );
  }
  const sightings = [...unique.values()].filter((item) => !sighted.has(item.id));
  if (sightings.length > 0) {
    await session.copyRows(
      'event_sightings',
      ['event_id', 'report_id', 'observed_at', 'line'],
      sightings.map((item) => [item.id, reportId, observedAt, item.line]),
    );
  }
  // Accepted: what is new, and what this report stored first but has not sighted yet (after a reset).
  const own = [...unique.keys()].filter((id) => known.get(id) === reportId && !sighted.has(id)).length;
  return finishBatch(session, reportId, fresh.length + own, batch.length);
}

const eventColumns = [
  'id',
  'raw_header',
  'first_report_id',
  'first_seen_at',
  'time_source',
  'source_ip',
  'classification_type',
  'feed_name',
  'chunk_id',
  'chunk_index',
];

function eventRow(
  item: EventToStore,
  headers: ReadonlyMap<string, string>,
  reportId: string,
  observedAt: string,
  chunkId: string,
  chunkIndex: number,
): (string | number | null)[] {
  return [
    item.id,
    item.rawHeader === undefined ? null : (headers.get(item.rawHeader) ?? null),
    reportId,
    observedAt,
    item.timeSource,
    item.sourceIp,
    item.classificationType,
    item.feedName,
    chunkId,
    chunkIndex,
  ];
}

/** Writes the items' records as one chunk (line i for item i) and returns its id. */
async function storeChunk(
  session: SqlSession,
  reportId: string,
  items: readonly EventToStore[],
): Promise<string> {
  const id = timeOrderedUuid();
  await session.query('insert into event_chunks (id, report_id, records) values ($1, $2, $3)', [
    id,
    reportId,
    encodeChunk(items.map((item) => item.record)),
  ]);
  return id;
}

async function finishBatch(
  session: SqlSession,
  reportId: string,
  accepted: number,
  size: number,
): Promise<StoredBatch> {
  const duplicates = size - accepted;
  await session.query(
    'update reports set accepted = accepted + $2, duplicates = duplicates + $3 where id = $1',
    [reportId, accepted, duplicates],
  );
  await session.exec('commit');
  return { accepted, duplicates };
}

/**
 * The path that cannot conflict: COPY into a session-local staging table, then one statement adds the new
 * events (existing ids are left alone) and one records a sighting of every event in this report.
 */
export async function storeEventBatchThroughStaging(
  store: Store,
  reportId: string,
  observedAt: string,
  batch: readonly EventToStore[],
): Promise<StoredBatch> {
  return store.withSession(async (session) => {
    await session.exec('begin');
    await ensureStaging(session);
    const headers = await storeRawHeaders(session, batch);
    // The first occurrence of each id in the batch is the one stored; the chunk holds every distinct
    // record of the batch, those of events another report stored meanwhile included (a few unread lines).
    const unique = new Map<string, EventToStore>();
    for (const item of batch) if (!unique.has(item.id)) unique.set(item.id, item);
    const items = [...unique.values()];
    const chunkId = await storeChunk(session, reportId, items);
    await session.copyRows(
      'event_staging',
      stagingColumns,
      items.map((item, index) => [
        item.id,
        item.rawHeader === undefined ? null : (headers.get(item.rawHeader) ?? null),
        item.timeSource,
        item.sourceIp,
        item.classificationType,
        item.feedName,
        index,
        item.line,
      ]),
    );
    await session.query(
      `insert into events (id, raw_header, first_report_id, first_seen_at, time_source, source_ip, classification_type, feed_name, chunk_id, chunk_index)
       select id, raw_header, $1, $2, time_source, source_ip, classification_type, feed_name, $3, chunk_index
       from event_staging
       on conflict (id) do nothing`,
      [reportId, observedAt, chunkId],
    );
    // Accepted, as on the direct path: events this report stored first and had not sighted before.
    const [counted] = await session.query<{ accepted: number }>(
      `select count(*)::int as accepted
       from event_staging s join events e on e.id = s.id
       where e.first_report_id = $1
         and not exists (select 1 from event_sightings x where x.event_id = s.id and x.report_id = $1)`,
      [reportId],
    );
    await session.query(
      `insert into event_sightings (event_id, report_id, observed_at, line)
       select id, $1, $2, line from event_staging
       on conflict (event_id, report_id) do nothing`,
      [reportId, observedAt],
    );
    return finishBatch(session, reportId, counted?.accepted ?? 0, batch.length);
  });
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505';
}

async function ensureStaging(session: SqlSession): Promise<void> {
  // Temporary and emptied at each commit: private to this connection, never written to the WAL.
  await session.exec(`create temporary table if not exists event_staging (
    id uuid not null,
    raw_header uuid,
    time_source timestamptz,
    source_ip inet,
    classification_type text,
    feed_name text,
    chunk_index integer not null,
    line integer not null
  ) on commit delete rows`);
}

/**
 * Stores the CSV headers of a batch's events (usually one, the file's) and returns each one's id. The id is a
 * hash of the text, so a header already stored, by this report or another, is left as it is.
 */
async function storeRawHeaders(
  session: SqlSession,
  items: Iterable<EventToStore>,
): Promise<Map<string, string>> {
  const headers = new Map<string, string>();
  for (const { rawHeader } of items) {
    if (rawHeader !== undefined && !headers.has(rawHeader)) headers.set(rawHeader, rawHeaderId(rawHeader));
  }
  if (headers.size > 0) {
    // In id order, so that two ingests adding the same headers at once wait for each other, never deadlock.
    const rows = [...headers].sort(([, a], [, b]) => (a < b ? -1 : a > b ? 1 : 0));
    await session.query(
      `insert into raw_headers (id, text) select * from unnest($1::uuid[], $2::text[])
       on conflict (id) do nothing`,
      [rows.map(([, id]) => id), rows.map(([text]) => text)],
    );
  }
  return headers;
}

/** A header's id: SHA-256 of its text, the first 16 bytes as a UUID (version 8, as event ids). */
export function rawHeaderId(text: string): string {
  const hex = hash('sha256', text, 'hex');
  const variant = ((parseInt(hex.charAt(16), 16) & 3) | 8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
