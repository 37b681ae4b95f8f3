import { sql } from 'kysely';
import type { Store } from '../platform/db/index.ts';
import type { ReportRequestOptions, ReportStatus } from '../platform/db/schema.ts';

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
  request: ReportRequestOptions;
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
      request: JSON.stringify(report.request),
    })
    .execute();
}

export async function markReportProcessing(store: Store, id: string): Promise<void> {
  await store.db.updateTable('reports').set({ status: 'processing' }).where('id', '=', id).execute();
}

/** Reports received or in processing: those a stopped service left unfinished, oldest first. */
export async function findUnfinishedReports(
  store: Store,
): Promise<
  { id: string; source: string; fileName: string | null; receivedAt: Date; request: ReportRequestOptions }[]
> {
  const rows = await store.db
    .selectFrom('reports')
    .select(['id', 'source', 'file_name', 'received_at', 'request'])
    .where('status', 'in', ['received', 'processing'])
    .orderBy('received_at')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    source: row.source,
    fileName: row.file_name,
    receivedAt: row.received_at,
    request: row.request,
  }));
}

/**
 * Undoes what an interrupted run recorded for a report, so that it can be processed again from the start:
 * its sightings, archive parts and counts go; events it stored first stay (other reports may have seen them
 * since) and are counted as accepted by it again when they come by.
 */
export async function resetReport(store: Store, id: string): Promise<void> {
  await store.db.transaction().execute(async (tx) => {
    await tx.deleteFrom('event_sighting_rows').where('report_id', '=', id).execute();
    // The sightings its event rows imply go too; the events stay.
    await tx
      .updateTable('events')
      .set({ first_sighted: false })
      .where('first_report_id', '=', id)
      .where('first_sighted', '=', true)
      .execute();
    await tx.deleteFrom('report_archives').where('report_id', '=', id).execute();
    await tx
      .updateTable('reports')
      .set({
        status: 'received',
        accepted: 0,
        duplicates: 0,
        rejected: 0,
        rejects: '[]',
        error: null,
        size_bytes: null,
        sha256: null,
      })
      .where('id', '=', id)
      .execute();
  });
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
