import { hash } from 'node:crypto';
import { timeOrderedUuid, type Event } from '../core/index.ts';
import {
  BinaryRowsBuilder,
  BufferPool,
  encodeBinaryField,
  encodeCopyRow,
  pickCopyRows,
  Uint32List,
  type CopyRowBytes,
} from '../platform/copy/index.ts';
import type { SqlSession, Store } from '../platform/db/index.ts';
import { ChunkWriter, recordLine, type RecordLine } from './event-records.ts';
import { IdSet } from './id-set.ts';

/**
 * An event ready to store: its content-hash id, as text (`eventId`) or as the digest it is made of
 * (`idDigestOfCanonical`, which spares making the text where only the stored bytes are needed), its record
 * line, the columns SQL selects on, its line.
 */
export type EventToStore = EventWithId | EventWithDigest;
export type EventWithId = EventColumns & { id: string; digest?: undefined };
export type EventWithDigest = EventColumns & { digest: string; id?: undefined };

interface EventColumns {
  /** The event's line in its chunk (`recordLine`): the IDF record and the raw text. */
  record: RecordLine;
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
 * `${rawHeader}\n${raw}`. `record` is its record line, when made already (`recordLineOf`).
 */
export function eventToStore(
  id: string,
  event: Event,
  raw: string | undefined,
  rawHeader: string | undefined,
  line: number,
  record: RecordLine = recordLine(event, raw),
): EventWithId {
  return toStore(id, undefined, event, rawHeader, line, record) as EventWithId;
}

/** `eventToStore` for an id given as its digest (`idDigestOfCanonical`), with its record line made. */
export function hashedEventToStore(
  digest: string,
  event: Event,
  rawHeader: string | undefined,
  line: number,
  record: RecordLine,
): EventWithDigest {
  return toStore(undefined, digest, event, rawHeader, line, record) as EventWithDigest;
}

// One object literal for both kinds, so that every item has the same shape.
function toStore(
  id: string | undefined,
  digest: string | undefined,
  event: Event,
  rawHeader: string | undefined,
  line: number,
  record: RecordLine,
): EventToStore {
  return {
    id,
    digest,
    record,
    rawHeader,
    timeSource: stringOrNull(event['time.source']),
    sourceIp: stringOrNull(event['source.ip']),
    classificationType: stringOrNull(event['classification.type']),
    feedName: stringOrNull(event['feed.name']),
    line,
  } as EventToStore;
}

export interface StoredBatch {
  /** Events new to the store. */
  accepted: number;
  /** Events already known (from an earlier report, or earlier in this one). */
  duplicates: number;
}

/**
 * A batch as the store takes it, made where it was parsed (a worker thread, usually), so that the thread
 * holding the database connection only sends it: the distinct events in line order, their records as one
 * compressed chunk (line i for event i) and their `events` rows in COPY's binary format. An event row is
 * its first report's sighting too; the sighting rows of events already known, and their ids, are read from
 * the rows only when a batch has such events (`batchIds`, `sightingRows`), so no per-event string travels
 * between the threads.
 */
export interface PreparedBatch {
  /** Events in the batch, repeats within it included. */
  size: number;
  headers: { id: string; text: string }[];
  chunk: { id: string; bytes: Uint8Array };
  /** Row i for event i (`BinaryRowsBuilder`); its first field is the event's id. */
  eventRows: CopyRowBytes;
  /** The line of event i in its report. */
  lines: Uint32Array;
  /** When the report was received: every sighting's time. */
  observedAt: string;
}

/** How many distinct events a batch holds (rows, chunk lines). */
export function distinctEvents(batch: PreparedBatch): number {
  return batch.eventRows.ends.length;
}

/** The ids of a batch's distinct events, in order, read from the first field of their rows. */
export function batchIds(batch: PreparedBatch): string[] {
  const { bytes, ends } = batch.eventRows;
  const ids: string[] = [];
  for (let row = 0; row < ends.length; row++) {
    // A row starts with its field count (2 bytes), then the id's length (4 bytes) and its 16 bytes.
    const at = (row === 0 ? 0 : (ends[row - 1] as number)) + 6;
    const hex = Buffer.from(bytes.buffer, bytes.byteOffset + at, 16).toString('hex');
    ids.push(
      `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`,
    );
  }
  return ids;
}

/** The `event_sighting_rows` rows, as COPY text, of the batch's events for which `keep` is true. */
function sightingRows(
  batch: PreparedBatch,
  reportId: string,
  ids: readonly string[],
  keep: (index: number) => boolean,
): string {
  let text = '';
  for (let at = 0; at < ids.length; at++) {
    if (keep(at)) text += encodeCopyRow([ids[at], reportId, batch.observedAt, batch.lines[at]]);
  }
  return text;
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
  // The event row is the first report's sighting of the event (migration 0014).
  'first_line',
  'first_sighted',
];

const sightingColumns = ['event_id', 'report_id', 'observed_at', 'line'];

/** A batch ready to store; the first occurrence of an id (batches come in line order) is the one kept. */
export function prepareBatch(
  reportId: string,
  observedAt: string,
  batch: readonly EventToStore[],
): PreparedBatch {
  const builder = new BatchBuilder(reportId, observedAt);
  for (const item of batch) builder.add(item);
  return builder.finish();
}

// The buffers of finished batches' row builders, for the next batches (`BufferPool`).
const eventRowBuffers = new BufferPool();

/**
 * A `PreparedBatch` made event by event, as they are parsed: each event's record goes into the chunk and
 * its row into binary COPY form at once, so nothing of it but those is kept until the batch is stored.
 */
export class BatchBuilder {
  readonly #chunkId = timeOrderedUuid();
  readonly #chunk = new ChunkWriter();
  /**
   * The batch's ids (as text or as digest), keyed by their first 28 bits. An id given both ways in one batch
   * is not seen as a repeat here (no caller mixes them): the primary key finds it.
   */
  readonly #seen = new IdSet();
  /** The line of each distinct event: event i is row i and chunk line i. */
  readonly #lines = new Uint32List();
  /** Each header's id and its `raw_header` field. */
  readonly #headers = new Map<string, { id: string; field: Uint8Array }>();
  readonly #eventRows = new BinaryRowsBuilder(eventRowBuffers);
  #size = 0;

  readonly #observedAt: string;
  /** The fields every row of the batch has: `first_report_id`, `first_seen_at` and `chunk_id`. */
  readonly #reportIdField: Uint8Array;
  readonly #observedAtField: Uint8Array;
  readonly #chunkIdField: Uint8Array;

  constructor(reportId: string, observedAt: string) {
    this.#observedAt = observedAt;
    this.#reportIdField = encodeBinaryField((row) => {
      row.uuid(reportId);
    });
    this.#observedAtField = encodeBinaryField((row) => {
      row.timestamptz(observedAt);
    });
    this.#chunkIdField = encodeBinaryField((row) => {
      row.uuid(this.#chunkId);
    });
  }

  /** Events added, repeats within the batch included. */
  get size(): number {
    return this.#size;
  }

  add(item: EventToStore): void {
    this.#size++;
    const { digest } = item;
    if (
      digest === undefined
        ? this.#seen.seenBefore(textKey(item.id), item.id)
        : this.#seen.seenBefore(digestKey(digest), digest)
    )
      return;
    let header: { id: string; field: Uint8Array } | undefined;
    if (item.rawHeader !== undefined) {
      header = this.#headers.get(item.rawHeader);
      if (header === undefined) {
        const id = rawHeaderId(item.rawHeader);
        header = {
          id,
          field: encodeBinaryField((row) => {
            row.uuid(id);
          }),
        };
        this.#headers.set(item.rawHeader, header);
      }
    }
    // The fields of `eventColumns`, in that order, with what is the same in every row encoded once.
    const row = this.#eventRows;
    row.beginRow(eventColumns.length);
    if (digest === undefined) row.uuid(item.id);
    else row.uuidV8(digest);
    if (header === undefined) row.null();
    else row.encoded(header.field);
    row.encoded(this.#reportIdField);
    row.encoded(this.#observedAtField);
    row.timestamptz(item.timeSource);
    row.inet(item.sourceIp);
    row.repeatedText(0, item.classificationType);
    row.repeatedText(1, item.feedName);
    row.encoded(this.#chunkIdField);
    row.int4(this.#lines.length);
    row.int4(item.line);
    row.bool(true);
    row.endRow();
    this.#lines.push(item.line);
    this.#chunk.add(item.record);
  }

  finish(): PreparedBatch {
    this.#seen.release();
    return {
      size: this.#size,
      headers: [...this.#headers].map(([text, { id }]) => ({ id, text })),
      chunk: { id: this.#chunkId, bytes: this.#chunk.finish() },
      eventRows: this.#eventRows.finish(),
      lines: this.#lines.toArray(),
      observedAt: this.#observedAt,
    };
  }
}

/** An id's first 28 bits, from its text. */
function textKey(id: string): number {
  let key = 0;
  for (let at = 0; at < 7; at++) {
    const c = id.charCodeAt(at);
    key = (key << 4) | (c <= 57 ? c - 48 : (c | 32) - 87);
  }
  return key;
}

/** An id's first 28 bits, from its digest (`textKey` of the same id). */
function digestKey(digest: string): number {
  return (
    (digest.charCodeAt(0) << 20) |
    (digest.charCodeAt(1) << 12) |
    (digest.charCodeAt(2) << 4) |
    (digest.charCodeAt(3) >> 4)
  );
}

/**
 * Stores one batch in one transaction and moves the report's counts with it, so a crash loses nothing that
 * was counted. Rows go straight into their tables, without a staging copy:
 * - first, as if every event of the batch were new (most of a day's feed is: an event's id includes its
 *   `time.source`), the rows are COPYed without asking; the primary key stops the COPY at the first event
 *   that is known already, and the transaction is rolled back. Asking first cost more than anything else
 *   the database did for a new report (1,000,000 `scan_http` rows: 11.9 s of 28.5 s on PostgreSQL);
 * - then, for a batch with known events, the known ones are looked up and only the new ones COPYed, with a
 *   sighting for those this report had not sighted yet;
 * - should another report add one of the same events between the look-up and the COPY (possible only on a
 *   PostgreSQL server with concurrent ingests), the batch is redone through a staging table with
 *   `on conflict do nothing`, which is slower but cannot conflict.
 */
export async function storeEventBatch(
  store: Store,
  reportId: string,
  observedAt: string,
  batch: readonly EventToStore[],
): Promise<StoredBatch> {
  if (batch.length === 0) return { accepted: 0, duplicates: 0 };
  return storePreparedBatch(store, reportId, prepareBatch(reportId, observedAt, batch));
}

/** `storeEventBatch` for a batch prepared elsewhere (`prepareBatch`, for the same report). */
export async function storePreparedBatch(
  store: Store,
  reportId: string,
  batch: PreparedBatch,
): Promise<StoredBatch> {
  if (batch.size === 0) return { accepted: 0, duplicates: 0 };
  try {
    return await store.withSession(
      async (session) =>
        (await copyAllAsNew(session, reportId, batch)) ?? copyNewEvents(session, reportId, batch),
    );
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    return storeThroughStaging(store, reportId, batch);
  }
}

/** The batch as new events, or undefined (and nothing stored) when one of them is known already. */
async function copyAllAsNew(
  session: SqlSession,
  reportId: string,
  batch: PreparedBatch,
): Promise<StoredBatch | undefined> {
  await session.exec('begin');
  try {
    await storeRawHeaders(session, batch.headers);
    await storeChunk(session, reportId, batch.chunk);
    await session.copyBinary('events', eventColumns, batch.eventRows.bytes);
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    await session.exec('rollback');
    return undefined;
  }
  // Each event row is this report's sighting of the event: none was stored before, none sighted.
  return finishBatch(session, reportId, distinctEvents(batch), batch.size);
}

async function copyNewEvents(
  session: SqlSession,
  reportId: string,
  batch: PreparedBatch,
): Promise<StoredBatch> {
  const ids = batchIds(batch);
  await session.exec('begin');
  await storeRawHeaders(session, batch.headers);
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
  const fresh = ids.length - known.size;
  // The chunk holds every distinct record of the batch; it is stored when one of them is new.
  if (fresh > 0) {
    await storeChunk(session, reportId, batch.chunk);
    const events = pickCopyRows(batch.eventRows, (at) => !known.has(ids[at] as string));
    await session.copyBinary('events', eventColumns, events);
  }
  // A new event's row is its sighting; a known one not sighted by this report yet gets a sighting row.
  const needsSightingRow = (id: string): boolean => known.has(id) && !sighted.has(id);
  if (ids.some(needsSightingRow)) {
    const sightings = sightingRows(batch, reportId, ids, (at) => needsSightingRow(ids[at] as string));
    await session.copyText('event_sighting_rows', sightingColumns, sightings);
  }
  // Accepted: what is new, and what this report stored first but has not sighted yet (after a reset).
  const own = ids.filter((id) => known.get(id) === reportId && !sighted.has(id)).length;
  return finishBatch(session, reportId, fresh + own, batch.size);
}

async function storeChunk(
  session: SqlSession,
  reportId: string,
  chunk: PreparedBatch['chunk'],
): Promise<void> {
  await session.query('insert into event_chunks (id, report_id, records) values ($1, $2, $3)', [
    chunk.id,
    reportId,
    // A Buffer: node-postgres sends a Buffer as bytea, a plain Uint8Array (as a worker hands it over) as JSON.
    Buffer.from(chunk.bytes.buffer, chunk.bytes.byteOffset, chunk.bytes.byteLength),
  ]);
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

/** The path that cannot conflict, for a batch given as events (tests compare it with the direct path). */
export async function storeEventBatchThroughStaging(
  store: Store,
  reportId: string,
  observedAt: string,
  batch: readonly EventToStore[],
): Promise<StoredBatch> {
  return storeThroughStaging(store, reportId, prepareBatch(reportId, observedAt, batch));
}

/**
 * COPY into session-local staging tables, then one statement adds the new events (existing ids are left
 * alone; each added row is this report's sighting of its event) and one records a sighting of every other
 * event of the batch that this report has not sighted yet.
 */
async function storeThroughStaging(
  store: Store,
  reportId: string,
  batch: PreparedBatch,
): Promise<StoredBatch> {
  return store.withSession(async (session) => {
    await session.exec('begin');
    await ensureStaging(session);
    await storeRawHeaders(session, batch.headers);
    // The chunk may hold the records of events another report stored meanwhile: a few lines never read.
    await storeChunk(session, reportId, batch.chunk);
    await session.copyBinary('event_staging', eventColumns, batch.eventRows.bytes);
    await session.copyText(
      'sighting_staging',
      sightingColumns,
      sightingRows(batch, reportId, batchIds(batch), () => true),
    );
    const [added] = await session.query<{ n: number }>(
      `with added as (insert into events select * from event_staging on conflict (id) do nothing returning 1)
       select count(*)::int as n from added`,
    );
    // Accepted, as on the direct path: the events added, and those this report stored first and had not
    // sighted since (after a reset).
    const [own] = await session.query<{ n: number }>(
      `select count(*)::int as n
       from event_staging s join events e on e.id = s.id
       where e.first_report_id = $1
         and not exists (select 1 from event_sightings x where x.event_id = s.id and x.report_id = $1)`,
      [reportId],
    );
    await session.query(
      `insert into event_sighting_rows select * from sighting_staging s
       where not exists (select 1 from event_sightings x where x.event_id = s.event_id and x.report_id = s.report_id)
       on conflict (event_id, report_id) do nothing`,
    );
    return finishBatch(session, reportId, (added?.n ?? 0) + (own?.n ?? 0), batch.size);
  });
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505';
}

async function ensureStaging(session: SqlSession): Promise<void> {
  // Temporary and emptied at each commit: private to this connection, never written to the WAL.
  await session.exec(`
    create temporary table if not exists event_staging
      (like events including defaults) on commit delete rows;
    create temporary table if not exists sighting_staging
      (like event_sighting_rows including defaults) on commit delete rows`);
}

/**
 * Stores the CSV headers of a batch (usually one, the file's). The id is a hash of the text, so a header
 * already stored, by this report or another, is left as it is.
 */
async function storeRawHeaders(
  session: SqlSession,
  headers: readonly { id: string; text: string }[],
): Promise<void> {
  if (headers.length === 0) return;
  // In id order, so that two ingests adding the same headers at once wait for each other, never deadlock.
  const rows = [...headers].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  await session.query(
    `insert into raw_headers (id, text) select * from unnest($1::uuid[], $2::text[])
     on conflict (id) do nothing`,
    [rows.map((row) => row.id), rows.map((row) => row.text)],
  );
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
