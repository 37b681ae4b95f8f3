import type { Event } from '../src/core/index.ts';
import { readRecords } from '../src/intake/index.ts';
import type { Store } from '../src/platform/db/index.ts';

export interface StoredEventRow {
  id: string;
  data: Event;
  /** IntelMQ's raw text (a CSV event's header joined again). */
  raw: string | null;
  first_report_id: string;
}

/** The stored events (of one first report, when given) with their records, in id or address order. */
export async function storedEvents(
  store: Store,
  options: { firstReportId?: string; orderBy?: 'id' | 'source_ip' } = {},
): Promise<StoredEventRow[]> {
  let query = store.db
    .selectFrom('events')
    .select(['id', 'first_report_id', 'chunk_id', 'chunk_index', 'raw_header'])
    .orderBy(options.orderBy ?? 'id');
  if (options.firstReportId !== undefined) query = query.where('first_report_id', '=', options.firstReportId);
  const rows = await query.execute();
  const records = await readRecords(store, rows, { raw: true });
  return rows.map((row, at) => ({
    id: row.id,
    first_report_id: row.first_report_id,
    data: records[at]?.data ?? {},
    raw: records[at]?.raw ?? null,
  }));
}
