import { sql } from 'kysely';
import type { Store } from '../platform/db/index.ts';
import type { ReportStatus } from '../platform/db/schema.ts';

export interface ReportRecord {
  id: string;
  source: string;
  feed: string;
  reportType: string | null;
  fileName: string | null;
  receivedAt: Date;
  sizeBytes: number | null;
  sha256: string | null;
  status: ReportStatus;
  accepted: number;
  duplicates: number;
  rejected: number;
  rejects: { line: number; field?: string; reason: string }[];
  error: string | null;
  finishedAt: Date | null;
}

export interface NewReport {
  id: string;
  source: string;
  feed: string;
  reportType?: string | undefined;
  fileName?: string | undefined;
  receivedAt: Date;
}

/** Records a report before anything is parsed, so even an input that fails at once leaves a trace. */
export async function insertReport(store: Store, report: NewReport): Promise<void> {
  await store.db
    .insertInto('reports')
    .values({
      id: report.id,
      source: report.source,
      feed: report.feed,
      report_type: report.reportType ?? null,
      file_name: report.fileName ?? null,
      received_at: report.receivedAt,
      status: 'processing',
    })
    .execute();
}

export async function finishReport(
  store: Store,
  id: string,
  outcome: {
    status: 'processed' | 'failed';
    reportType?: string | undefined;
    sizeBytes?: number | undefined;
    sha256?: string | undefined;
    rejected: number;
    rejects: readonly unknown[];
    error?: string | undefined;
  },
): Promise<void> {
  await store.db
    .updateTable('reports')
    .set({
      status: outcome.status,
      ...(outcome.reportType === undefined ? {} : { report_type: outcome.reportType }),
      ...(outcome.sizeBytes === undefined ? {} : { size_bytes: outcome.sizeBytes }),
      ...(outcome.sha256 === undefined ? {} : { sha256: outcome.sha256 }),
      rejected: outcome.rejected,
      rejects: JSON.stringify(outcome.rejects),
      error: outcome.error ?? null,
      finished_at: sql<Date>`now()`,
    })
    .where('id', '=', id)
    .execute();
}

export async function findReport(store: Store, id: string): Promise<ReportRecord | undefined> {
  const row = await store.db.selectFrom('reports').selectAll().where('id', '=', id).executeTakeFirst();
  if (row === undefined) return undefined;
  return {
    id: row.id,
    source: row.source,
    feed: row.feed,
    reportType: row.report_type,
    fileName: row.file_name,
    receivedAt: row.received_at,
    sizeBytes: row.size_bytes === null ? null : Number(row.size_bytes),
    sha256: row.sha256,
    status: row.status,
    accepted: row.accepted,
    duplicates: row.duplicates,
    rejected: row.rejected,
    rejects: row.rejects as ReportRecord['rejects'],
    error: row.error,
    finishedAt: row.finished_at,
  };
}
