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
 * Stores one batch in one transaction: COPY into a session-local staging table, then one statement adds the
 * new events (existing ids are left alone) and one records a sighting of every event in this report. The
 * report's counts move with the batch, so a crash loses nothing that was counted.
 */
export async function storeEventBatch(
  store: Store,
  reportId: string,
  observedAt: string,
  batch: readonly EventToStore[],
): Promise<StoredBatch> {
  if (batch.length === 0) return { accepted: 0, duplicates: 0 };
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
    const [inserted] = await session.query<{ accepted: number }>(
      `with added as (
         insert into events (id, data, raw, first_report_id, first_seen_at, time_source, source_ip, classification_type, feed_name)
         select distinct on (id) id, data, raw, $1, $2, time_source, source_ip, classification_type, feed_name
         from event_staging order by id, line
         on conflict (id) do nothing
         returning 1
       )
       select count(*)::int as accepted from added`,
      [reportId, observedAt],
    );
    await session.query(
      `insert into event_sightings (event_id, report_id, observed_at, line)
       select distinct on (id) id, $1, $2, line from event_staging order by id, line
       on conflict (event_id, report_id) do nothing`,
      [reportId, observedAt],
    );
    const accepted = inserted?.accepted ?? 0;
    const duplicates = batch.length - accepted;
    await session.query(
      'update reports set accepted = accepted + $2, duplicates = duplicates + $3 where id = $1',
      [reportId, accepted, duplicates],
    );
    await session.exec('commit');
    return { accepted, duplicates };
  });
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
