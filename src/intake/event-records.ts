/**
 * Event records (the IDF record and the raw text of each event) are kept in chunks (migration 0013): the
 * records of one stored batch are JSON lines, line i being `[record, raw]` for the event with chunk index i,
 * compressed with zstd. An event row names its chunk and index. Records never change once written, so a
 * chunk is written once and read many times; readers go chunk by chunk (pages of events are read in chunk
 * order), so each chunk is decompressed once per page, and only the lines asked for are parsed.
 */
import { constants, zstdCompressSync, zstdDecompressSync } from 'node:zlib';
import { canonicalMember, type CanonicalBody, type Event } from '../core/index.ts';
import { BufferPool, ByteBuilder } from '../platform/copy/index.ts';
import type { Store } from '../platform/db/index.ts';

/** Where an event's record is: its chunk, its line in it, and the CSV header its raw text follows. */
export interface RecordRef {
  chunk_id: string;
  chunk_index: number;
  raw_header: string | null;
}

export interface StoredRecord {
  data: Event;
  /** IntelMQ's `raw` as text: for a CSV event the file's header, a line break, then the event's own line. */
  raw: string | null;
}

/** One chunk line: the record and its raw text (for a CSV event, its own line only). */
export function recordLine(event: Event, raw: string | null | undefined): string {
  // JSON text never holds a raw line break, so lines split safely.
  return JSON.stringify([event, raw ?? null]);
}

/**
 * A chunk line as one text or as pieces to be written one after the other: writing the pieces spares
 * joining them into one string first, which would copy the whole line once more.
 */
export type RecordLine = string | readonly string[];

/** The text of a record line given in pieces. */
export function recordLineText(line: RecordLine): string {
  return typeof line === 'string' ? line : line.join('');
}

// The members an event's canonical body leaves out, which its record keeps.
const outsideBody = ['time.observation', 'raw'] as const;

/**
 * `recordLine` of `event` with what enrichment `added`, made from the canonical members its id was hashed
 * from (`canonicalBody`) rather than by serialising the event again: the same record, its members in
 * another order (the body's, then the members outside it, then what was added).
 */
export function recordLineOf(
  event: Event,
  body: CanonicalBody,
  added: Event | undefined,
  raw: string | null | undefined,
): RecordLine {
  // A null member is in the record but not in the body.
  if (!body.complete) return recordLine(withAdded(event, added), raw);
  // The body's text less its closing brace: a slice of one flat string, which costs no copy.
  const head = body.text.slice(0, -1);
  let tail = '';
  let empty = head.length === 1;
  const append = (member: string | undefined): void => {
    if (member === undefined) return;
    tail += empty ? member : `,${member}`;
    empty = false;
  };
  for (const key of outsideBody) if (event[key] !== undefined) append(canonicalMember(key, event[key]));
  if (added !== undefined) {
    for (const key of Object.keys(added)) {
      // Enrichment replaces a feed's empty value: the member is in the body already.
      if (event[key] !== undefined) return recordLine(withAdded(event, added), raw);
      append(canonicalMember(key, added[key]));
    }
  }
  return ['[', head, `${tail}},${raw === undefined || raw === null ? 'null' : JSON.stringify(raw)}]`];
}

function withAdded(event: Event, added: Event | undefined): Event {
  return added === undefined ? event : { ...event, ...added };
}

/** A chunk's bytes from its lines. */
export function encodeChunk(lines: readonly RecordLine[]): Buffer {
  const writer = new ChunkWriter();
  for (const line of lines) writer.add(line);
  return writer.finish();
}

/*
 * zstd's fastest level: on the chunks of a 1,000,000-row `scan_http` ingest (6.7 MB of lines each) it took
 * 2.5-3.1 ms a chunk against 3.5-5.0 ms at the default level 3, and made them smaller (110 kB, not 134 kB):
 * lines of one feed repeat so much that level 1's matches find most of it.
 */
const chunkCompression = { params: { [constants.ZSTD_c_compressionLevel]: 1 } };

// The buffers of finished chunk writers, for the next ones (`BufferPool`).
const chunkBuffers = new BufferPool();

/**
 * A chunk written line by line into one growing buffer: a line's text is dropped as soon as it is added,
 * rather than kept (and moved by the garbage collector) until the whole chunk is compressed.
 */
export class ChunkWriter {
  readonly #bytes = new ByteBuilder(1 << 16, chunkBuffers);
  #empty = true;

  add(line: RecordLine): void {
    if (!this.#empty) this.#bytes.writeByte(0x0a);
    if (typeof line === 'string') this.#bytes.writeUtf8(line);
    else for (const piece of line) this.#bytes.writeUtf8(piece);
    this.#empty = false;
  }

  /** The chunk's bytes, compressed; the writer is done. */
  finish(): Buffer {
    const compressed = zstdCompressSync(this.#bytes.view(), chunkCompression);
    this.#bytes.release();
    return compressed;
  }
}

// Every zstd frame starts with these bytes; the chunks migration 0013 made of older rows are plain text.
const zstdMagic = [0x28, 0xb5, 0x2f, 0xfd];

/** A chunk's lines from its bytes. */
export function decodeChunk(bytes: Uint8Array): string[] {
  const compressed = zstdMagic.every((byte, at) => bytes[at] === byte);
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return (compressed ? zstdDecompressSync(buffer) : buffer).toString('utf8').split('\n');
}

// Chunks fetched per query: a chunk of 5,000 records is about 7 MB once decompressed.
const chunksPerQuery = 16;

/**
 * The records of the given events, in the same order. `raw` is read only when asked for (its CSV header is
 * another table). Throws when a chunk or line is missing: an event without its record is a broken store.
 */
export async function readRecords(
  store: Store,
  refs: readonly RecordRef[],
  options: { raw?: boolean } = {},
): Promise<StoredRecord[]> {
  const records = new Array<StoredRecord | undefined>(refs.length);
  const byChunk = new Map<string, number[]>();
  refs.forEach((ref, at) => {
    const positions = byChunk.get(ref.chunk_id);
    if (positions === undefined) byChunk.set(ref.chunk_id, [at]);
    else positions.push(at);
  });
  const headers = options.raw === true ? await readHeaders(store, refs) : new Map<string, string>();
  const chunkIds = [...byChunk.keys()];
  for (let start = 0; start < chunkIds.length; start += chunksPerQuery) {
    const part = chunkIds.slice(start, start + chunksPerQuery);
    const rows = await store.db
      .selectFrom('event_chunks')
      .select(['id', 'records'])
      .where('id', 'in', part)
      .execute();
    for (const row of rows) {
      const lines = decodeChunk(row.records);
      for (const at of byChunk.get(row.id) ?? []) {
        const ref = refs[at] as RecordRef;
        const line = lines[ref.chunk_index];
        if (line === undefined) throw new Error(`event record ${ref.chunk_id}/${ref.chunk_index} is missing`);
        const [data, ownRaw] = JSON.parse(line) as [Event, string | null];
        const header = ref.raw_header === null ? undefined : headers.get(ref.raw_header);
        const raw =
          options.raw !== true ? null : header === undefined ? ownRaw : `${header}\n${ownRaw ?? ''}`;
        records[at] = { data, raw };
      }
    }
  }
  // A loop, not `map`: `map` skips the holes a missing chunk leaves.
  const found: StoredRecord[] = [];
  for (let at = 0; at < refs.length; at++) {
    const record = records[at];
    if (record === undefined) throw new Error(`event record chunk ${refs[at]?.chunk_id} is missing`);
    found.push(record);
  }
  return found;
}

async function readHeaders(store: Store, refs: readonly RecordRef[]): Promise<Map<string, string>> {
  const ids = [...new Set(refs.flatMap((ref) => (ref.raw_header === null ? [] : [ref.raw_header])))];
  if (ids.length === 0) return new Map();
  const rows = await store.db
    .selectFrom('raw_headers')
    .select(['id', 'text'])
    .where('id', 'in', ids)
    .execute();
  return new Map(rows.map((row) => [row.id, row.text]));
}

/** One stored event's record, or undefined when there is no such event. */
export async function readEvent(
  store: Store,
  id: string,
  options: { raw?: boolean } = {},
): Promise<StoredRecord | undefined> {
  const ref = await store.db
    .selectFrom('events')
    .select(['chunk_id', 'chunk_index', 'raw_header'])
    .where('id', '=', id)
    .executeTakeFirst();
  return ref === undefined ? undefined : (await readRecords(store, [ref], options))[0];
}
