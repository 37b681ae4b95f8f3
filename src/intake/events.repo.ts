import type { Event } from '../core/index.ts';
import type { SqlSession, Store } from '../platform/db/index.ts';

/** An event ready to store: its content-hash id and where in the report it came from. */
export interface EventToStore {
  id: string;
  event: Event;
  raw: string;
  line: number;
}

export interface StoredBatch {
  /** Events new to the store. */
  accepted: number;
  /** Events already known (from an earlier report, or earlier in this one). */
  duplicates: number;
}

const stagingColumns = [
  'id',
  'data',
  'raw',
  'time_source',
  'source_ip',
  'classification_type',
  'feed_name',
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
  // Known events, and which of them this report stored first (in an interrupted earlier run of it).
  const known = new Map(
    (
      await session.query<{ id: string; first_report_id: string }>(
        'select id, first_report_id from events where id = any($1::uuid[])',
        [ids],
      )
    ).map((row) => [row.id, row.first_report_id]),
  );
  const sighted = new Set(
    (
      await session.query<{ event_id: string }>(
        'select event_id from event_sightings where report_id = $1 and event_id = any($2::uuid[])',
        [reportId, ids],
      )
    ).map((row) => row.event_id),
  );
  const fresh = [...unique.values()].filter((item) => !known.has(item.id));
  if (fresh.length > 0) {
    await session.copyRows(
      'events',
      eventColumns,
      fresh.map((item) => eventRow(item, reportId, observedAt)),
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
  'data',
  'raw',
  'first_report_id',
  'first_seen_at',
  'time_source',
  'source_ip',
  'classification_type',
  'feed_name',
];

function eventRow(item: EventToStore, reportId: string, observedAt: string): (string | null)[] {
  const { id, event, raw } = item;
  return [
    id,
    JSON.stringify(event),
    raw,
    reportId,
    observedAt,
    stringOrNull(event['time.source']),
    stringOrNull(event['source.ip']),
    stringOrNull(event['classification.type']),
    stringOrNull(event['feed.name']),
  ];
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
    await session.copyRows(
      'event_staging',
      stagingColumns,
      batch.map(({ id, event, raw, line }) => [
        id,
        JSON.stringify(event),
        raw,
        stringOrNull(event['time.source']),
        stringOrNull(event['source.ip']),
        stringOrNull(event['classification.type']),
        stringOrNull(event['feed.name']),
        line,
      ]),
    );
    await session.query(
      `insert into events (id, data, raw, first_report_id, first_seen_at, time_source, source_ip, classification_type, feed_name)
       select distinct on (id) id, data, raw, $1, $2, time_source, source_ip, classification_type, feed_name
       from event_staging order by id, line
       on conflict (id) do nothing`,
      [reportId, observedAt],
    );
    // Accepted, as on the direct path: events this report stored first and had not sighted before.
    const [counted] = await session.query<{ accepted: number }>(
      `select count(*)::int as accepted
       from (select distinct id from event_staging) s join events e on e.id = s.id
       where e.first_report_id = $1
         and not exists (select 1 from event_sightings x where x.event_id = s.id and x.report_id = $1)`,
      [reportId],
    );
    await session.query(
      `insert into event_sightings (event_id, report_id, observed_at, line)
       select distinct on (id) id, $1, $2, line from event_staging order by id, line
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
    data jsonb not null,
    raw text,
    time_source timestamptz,
    source_ip inet,
    classification_type text,
    feed_name text,
    line integer not null
  ) on commit delete rows`);
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
