import { sql } from 'kysely';
import { parseTlp, toIntelmqTlp } from '../core/index.ts';
import type { Store } from '../platform/db/index.ts';
import { readRecords, type StoredRecord } from './event-records.ts';

export const exportFormats = ['intelmq', 'jsonl', 'csv'] as const;
export type ExportFormat = (typeof exportFormats)[number];

export interface ExportOptions {
  format: ExportFormat;
  /** Only events first seen at or after this time. */
  since?: Date | undefined;
  /** Rows fetched per query; memory stays flat whatever the number of events. */
  pageSize?: number;
}

/** The columns of the CSV export; every other field goes, as JSON, into the last column `extra`. */
export const csvExportColumns = [
  'id',
  'time.source',
  'time.observation',
  'classification.taxonomy',
  'classification.type',
  'classification.identifier',
  'severity',
  'source.ip',
  'source.port',
  'source.asn',
  'source.as_name',
  'source.network',
  'source.geolocation.cc',
  'source.fqdn',
  'source.reverse_dns',
  'source.url',
  'protocol.transport',
  'protocol.application',
  'destination.ip',
  'destination.port',
  'malware.name',
  'product.vulnerabilities',
  'feed.provider',
  'feed.name',
  'tlp',
] as const;

interface ExportRow {
  id: string;
  data: Record<string, unknown>;
  raw: string | null;
  first_seen_at: Date;
  chunk_id: string;
  chunk_index: number;
  reports: string[] | null;
  /** Only for `jsonl`: the later stages' results for the event. */
  owner?: Record<string, unknown> | null;
  assessment?: Record<string, unknown> | null;
  directives?: Record<string, unknown>[] | null;
}

/**
 * Streams events as text, one page at a time, in first-seen order:
 * - `intelmq`: IntelMQ JSON lines: dotted keys, `extra.*` flat, `raw` base64, TLP in IntelMQ's four levels,
 *   nothing of Tocsin's own;
 * - `jsonl`: Tocsin's full record: id, IDF fields, raw, the reports that contained it, and the later
 *   stages' results: `owner` (the resolution layer, owner and netobject), `assessment` (the one in force:
 *   framework version, scores, decision, TLP, PAP, reasons) and `directives` (null / empty until those
 *   stages have run);
 * - `csv`: fixed columns for spreadsheets, with the remaining fields as JSON in `extra`.
 */
export async function* exportEvents(store: Store, options: ExportOptions): AsyncGenerator<string> {
  const pageSize = options.pageSize ?? 5000;
  if (options.format === 'csv') yield `${csvExportColumns.map(csvCell).join(',')},extra\r\n`;
  let after: { at: Date; chunkId: string; chunkIndex: number } | undefined;
  for (;;) {
    let query = store.db
      .selectFrom('events as e')
      .select((eb) => [
        'e.id',
        'e.chunk_id',
        'e.chunk_index',
        'e.raw_header',
        'e.first_seen_at',
        eb
          .selectFrom('event_sightings as s')
          .select(
            sql<
              string[]
            >`coalesce(array_agg(s.report_id::text order by s.observed_at, s.report_id), '{}')`.as('r'),
          )
          .whereRef('s.event_id', '=', 'e.id')
          .as('reports'),
      ])
      .$if(options.format === 'jsonl', (q) =>
        q.select([
          sql<Record<string, unknown> | null>`(select to_jsonb(o) - 'event_id' from event_owners o
            where o.event_id = e.id)`.as('owner'),
          sql<Record<string, unknown> | null>`(select to_jsonb(a) - 'event_id' from event_assessments ea
            join assessments a on a.id = ea.assessment_id where ea.event_id = e.id)`.as('assessment'),
          sql<Record<string, unknown>[] | null>`(select jsonb_agg(to_jsonb(d) - 'event_id' order by d.id)
            from directives d where d.event_id = e.id)`.as('directives'),
        ]),
      )
      // Within a first sighting time, in chunk order: each chunk of records is read once.
      .orderBy('e.first_seen_at')
      .orderBy('e.chunk_id')
      .orderBy('e.chunk_index')
      .limit(pageSize);
    if (options.since !== undefined) query = query.where('e.first_seen_at', '>=', options.since);
    if (after !== undefined) {
      const { at, chunkId, chunkIndex } = after;
      query = query.where((eb) =>
        eb(
          eb.refTuple('e.first_seen_at', 'e.chunk_id', 'e.chunk_index'),
          '>',
          eb.tuple(at, chunkId, chunkIndex),
        ),
      );
    }
    const found = await query.execute();
    if (found.length === 0) return;
    const records = await readRecords(store, found, { raw: true });
    const rows: ExportRow[] = found.map((row, at) => ({ ...row, ...(records[at] as StoredRecord) }));
    let page = '';
    for (const row of rows) page += formatRow(options.format, row);
    yield page;
    const last = rows[rows.length - 1];
    if (last === undefined || rows.length < pageSize) return;
    after = { at: last.first_seen_at, chunkId: last.chunk_id, chunkIndex: last.chunk_index };
  }
}

function formatRow(format: ExportFormat, row: ExportRow): string {
  switch (format) {
    case 'intelmq':
      return `${JSON.stringify(toIntelmqEvent(row))}\n`;
    case 'jsonl':
      return `${JSON.stringify({
        id: row.id,
        event: row.data,
        raw: row.raw,
        reports: row.reports,
        first_seen_at: row.first_seen_at.toISOString(),
        owner: row.owner ?? null,
        assessment: row.assessment ?? null,
        directives: row.directives ?? [],
      })}\n`;
    case 'csv':
      return `${csvRow(row)}\r\n`;
  }
}

function toIntelmqEvent(row: ExportRow): Record<string, unknown> {
  const event: Record<string, unknown> = { ...row.data };
  if (typeof event.tlp === 'string') {
    const tlp = parseTlp(event.tlp);
    if (tlp !== undefined) event.tlp = toIntelmqTlp(tlp);
  }
  if (row.raw !== null) event.raw = Buffer.from(row.raw, 'utf8').toString('base64');
  return event;
}

const csvColumnSet = new Set<string>(csvExportColumns);

function csvRow(row: ExportRow): string {
  const cells = csvExportColumns.map((column) => (column === 'id' ? row.id : row.data[column]));
  const extra: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row.data)) if (!csvColumnSet.has(key)) extra[key] = value;
  cells.push(Object.keys(extra).length === 0 ? '' : JSON.stringify(extra));
  return cells.map(csvCell).join(',');
}

/**
 * One CSV cell. Text that a spreadsheet would run as a formula (=, +, -, @ first) is prefixed with an
 * apostrophe: feeds carry attacker-chosen strings (OWASP, "CSV injection").
 */
function csvCell(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  let text = typeof value === 'string' ? value : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(text) && !/^[-+]?\d+(\.\d+)?$/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replaceAll('"', '""')}"` : text;
}
