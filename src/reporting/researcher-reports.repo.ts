/**
 * The researcher reports (migration 0011): SQL only. The tables are typed here rather than in the shared
 * schema, through Kysely's `$extendTables`, because only this module reads them.
 */
import { sql, type ColumnType, type Generated, type Kysely, type Selectable } from 'kysely';
import { AppError } from '../core/index.ts';
import type { StoredReason } from '../assessment/index.ts';
import type { Store } from '../platform/db/index.ts';
import type { Database } from '../platform/db/schema.ts';
import type { DamageAnswer, Language, ResearcherReportInput, Target } from './model.ts';

interface ResearcherReportTable {
  id: string;
  tracking_id: string;
  report_id: string;
  status_token_hash: string;
  language: Language;
  classification_type: string;
  targets: ColumnType<Target[], string, never>;
  description: string;
  steps: string;
  observed_at: Date | null;
  likelihood_answers: ColumnType<number[] | null, string | null, never>;
  damage_answers: ColumnType<DamageAnswer[] | null, string | null, never>;
  requested_tlp: string;
  reporter_name: string | null;
  reporter_email: string | null;
  reporter_pgp_key: string | null;
  consent_at: Date;
  created_at: ColumnType<Date, Date | undefined, never>;
}

interface AttachmentTable {
  id: Generated<string>;
  researcher_report_id: string;
  file_name: string;
  media_type: string;
  size_bytes: number;
  sha256: string;
  data: Uint8Array;
  created_at: ColumnType<Date, Date | undefined, never>;
}

interface MessageTable {
  id: Generated<string>;
  researcher_report_id: string;
  author: 'reporter' | 'analyst';
  body: string;
  created_at: ColumnType<Date, Date | undefined, never>;
}

interface RateLimitTable {
  address_hash: string;
  window_start: Date;
  submissions: number;
}

// A type alias, not an interface: Kysely's `$extendTables` wants an indexable record.
type ReportingTables = {
  researcher_reports: ResearcherReportTable;
  researcher_report_attachments: AttachmentTable;
  researcher_report_messages: MessageTable;
  report_form_rate_limits: RateLimitTable;
};

function db(store: Store): Kysely<Database & ReportingTables> {
  return store.db.$extendTables<ReportingTables>();
}

/** A validated submission as it is stored: the input with its ids, the status link's hash and the consent time. */
export interface NewResearcherReport extends ResearcherReportInput {
  id: string;
  trackingId: string;
  reportId: string;
  statusTokenHash: string;
  consentAt: Date;
}

export interface ResearcherReport {
  id: string;
  trackingId: string;
  reportId: string;
  language: Language;
  classificationType: string;
  targets: Target[];
  description: string;
  steps: string;
  observedAt: Date | null;
  requestedTlp: string;
  reporterName: string | null;
  reporterEmail: string | null;
  hasPgpKey: boolean;
  createdAt: Date;
  attachments: { fileName: string; mediaType: string; sizeBytes: number; sha256: string }[];
}

export interface ReportMessage {
  author: 'reporter' | 'analyst';
  body: string;
  at: Date;
}

export async function trackingIdExists(store: Store, trackingId: string): Promise<boolean> {
  const row = await db(store)
    .selectFrom('researcher_reports')
    .select('id')
    .where('tracking_id', '=', trackingId)
    .executeTakeFirst();
  return row !== undefined;
}

/** Stores a researcher report with its attachments, in one transaction. */
export async function insertResearcherReport(store: Store, report: NewResearcherReport): Promise<void> {
  await db(store)
    .transaction()
    .execute(async (tx) => {
      await tx
        .insertInto('researcher_reports')
        .values({
          id: report.id,
          tracking_id: report.trackingId,
          report_id: report.reportId,
          status_token_hash: report.statusTokenHash,
          language: report.language,
          classification_type: report.classificationType,
          targets: JSON.stringify(report.targets),
          description: report.description,
          steps: report.steps,
          observed_at: report.observedAt ?? null,
          likelihood_answers: report.likelihood === undefined ? null : JSON.stringify(report.likelihood),
          damage_answers: report.damage === undefined ? null : JSON.stringify(report.damage),
          requested_tlp: report.requestedTlp,
          reporter_name: report.reporterName ?? null,
          reporter_email: report.reporterEmail ?? null,
          reporter_pgp_key: report.reporterPgpKey ?? null,
          consent_at: report.consentAt,
        })
        .execute();
      if (report.attachments.length > 0) {
        await tx
          .insertInto('researcher_report_attachments')
          .values(
            report.attachments.map((a) => ({
              researcher_report_id: report.id,
              file_name: a.fileName,
              media_type: a.mediaType,
              size_bytes: a.sizeBytes,
              sha256: a.sha256,
              data: a.data,
            })),
          )
          .execute();
      }
    });
}

async function withAttachments(
  store: Store,
  row: Selectable<ResearcherReportTable> | undefined,
): Promise<ResearcherReport | undefined> {
  if (row === undefined) return undefined;
  const attachments = await db(store)
    .selectFrom('researcher_report_attachments')
    .select(['file_name', 'media_type', 'size_bytes', 'sha256'])
    .where('researcher_report_id', '=', row.id)
    .orderBy('id')
    .execute();
  return {
    id: row.id,
    trackingId: row.tracking_id,
    reportId: row.report_id,
    language: row.language,
    classificationType: row.classification_type,
    targets: row.targets,
    description: row.description,
    steps: row.steps,
    observedAt: row.observed_at,
    requestedTlp: row.requested_tlp,
    reporterName: row.reporter_name,
    reporterEmail: row.reporter_email,
    hasPgpKey: row.reporter_pgp_key !== null,
    createdAt: row.created_at,
    attachments: attachments.map((a) => ({
      fileName: a.file_name,
      mediaType: a.media_type,
      sizeBytes: a.size_bytes,
      sha256: a.sha256,
    })),
  };
}

export async function findByStatusTokenHash(
  store: Store,
  hash: string,
): Promise<ResearcherReport | undefined> {
  const row = await db(store)
    .selectFrom('researcher_reports')
    .selectAll()
    .where('status_token_hash', '=', hash)
    .executeTakeFirst();
  return withAttachments(store, row);
}

export async function findByTrackingId(
  store: Store,
  trackingId: string,
): Promise<ResearcherReport | undefined> {
  const row = await db(store)
    .selectFrom('researcher_reports')
    .selectAll()
    .where('tracking_id', '=', trackingId)
    .executeTakeFirst();
  return withAttachments(store, row);
}

export interface ResearcherReportSummary {
  trackingId: string;
  reportId: string;
  classificationType: string;
  targets: number;
  anonymous: boolean;
  createdAt: Date;
  messages: number;
}

/** The newest researcher reports first. */
export async function listResearcherReports(store: Store, limit: number): Promise<ResearcherReportSummary[]> {
  const rows = await db(store)
    .selectFrom('researcher_reports as r')
    .select([
      'r.tracking_id',
      'r.report_id',
      'r.classification_type',
      'r.targets',
      'r.reporter_email',
      'r.created_at',
      (eb) =>
        eb
          .selectFrom('researcher_report_messages as m')
          .select((e) => e.fn.countAll<string>().as('n'))
          .whereRef('m.researcher_report_id', '=', 'r.id')
          .as('messages'),
    ])
    .orderBy('r.created_at', 'desc')
    .orderBy('r.tracking_id')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    trackingId: row.tracking_id,
    reportId: row.report_id,
    classificationType: row.classification_type,
    targets: row.targets.length,
    anonymous: row.reporter_email === null,
    createdAt: row.created_at,
    messages: Number(row.messages ?? 0),
  }));
}

/** What is needed to write to the reporter: only this module ever reads it. */
export async function reporterContact(
  store: Store,
  researcherReportId: string,
): Promise<{ email: string | null; pgpKey: string | null; name: string | null }> {
  const row = await db(store)
    .selectFrom('researcher_reports')
    .select(['reporter_email', 'reporter_pgp_key', 'reporter_name'])
    .where('id', '=', researcherReportId)
    .executeTakeFirstOrThrow();
  return { email: row.reporter_email, pgpKey: row.reporter_pgp_key, name: row.reporter_name };
}

export async function addReportMessage(
  store: Store,
  researcherReportId: string,
  author: ReportMessage['author'],
  body: string,
): Promise<void> {
  await db(store)
    .insertInto('researcher_report_messages')
    .values({ researcher_report_id: researcherReportId, author, body })
    .execute();
}

export async function listReportMessages(store: Store, researcherReportId: string): Promise<ReportMessage[]> {
  const rows = await db(store)
    .selectFrom('researcher_report_messages')
    .select(['author', 'body', 'created_at'])
    .where('researcher_report_id', '=', researcherReportId)
    .orderBy('id')
    .execute();
  return rows.map((row) => ({ author: row.author, body: row.body, at: row.created_at }));
}

/** How far the pipeline got with the events of one intake report. */
export interface ReportProgress {
  reportStatus: string;
  events: number;
  assessed: number;
  decisions: Record<string, number>;
  /** The reasons of the assessments in force, each rule once, in the order first met. */
  reasons: StoredReason[];
  /** Distinct recipients of directives made for the events. */
  organisationsWarned: number;
  tickets: number;
  ticketsResolved: number;
}

export async function reportProgress(store: Store, reportId: string): Promise<ReportProgress> {
  const q = db(store);
  const report = await q
    .selectFrom('reports')
    .select('status')
    .where('id', '=', reportId)
    .executeTakeFirstOrThrow();
  const eventIds = q.selectFrom('event_sightings').select('event_id').where('report_id', '=', reportId);
  const [events, assessments, warned, tickets] = await Promise.all([
    q
      .selectFrom('event_sightings')
      .select((e) => e.fn.count<string>('event_id').distinct().as('n'))
      .where('report_id', '=', reportId)
      .executeTakeFirstOrThrow(),
    q
      .selectFrom('event_assessments as ea')
      .innerJoin('assessments as a', 'a.id', 'ea.assessment_id')
      .select(['ea.event_id', 'ea.decision', 'a.reasons'])
      .where('ea.event_id', 'in', eventIds)
      .orderBy('ea.event_id')
      .execute(),
    q
      .selectFrom('directives')
      .select((e) => e.fn.count<string>('recipient').distinct().as('n'))
      .where('event_id', 'in', eventIds)
      .executeTakeFirstOrThrow(),
    // Tickets (migration 0008) are typed by the notification module, not in the shared schema.
    sql<{ n: string; resolved: string }>`
      select count(*) as n, count(*) filter (where state = 'resolved') as resolved
      from tickets
      where id in (
        select ticket_id from ticket_events
        where event_id in (select event_id from event_sightings where report_id = ${reportId})
      )`.execute(q),
  ]);
  const decisions: Record<string, number> = {};
  const reasons: StoredReason[] = [];
  const seen = new Set<string>();
  for (const row of assessments) {
    decisions[row.decision] = (decisions[row.decision] ?? 0) + 1;
    for (const reason of row.reasons as StoredReason[]) {
      if (seen.has(reason.ruleId)) continue;
      seen.add(reason.ruleId);
      reasons.push(reason);
    }
  }
  return {
    reportStatus: report.status,
    events: Number(events.n),
    assessed: assessments.length,
    decisions,
    reasons,
    organisationsWarned: Number(warned.n),
    tickets: Number(tickets.rows[0]?.n ?? 0),
    ticketsResolved: Number(tickets.rows[0]?.resolved ?? 0),
  };
}

/** The start of the UTC hour `now` falls in: the rate-limit window. */
export function windowStart(now: Date): Date {
  return new Date(Math.floor(now.getTime() / 3_600_000) * 3_600_000);
}

/** Submissions counted for an address in the window `now` falls in. */
export async function submissionsInWindow(store: Store, addressHash: string, now: Date): Promise<number> {
  const row = await db(store)
    .selectFrom('report_form_rate_limits')
    .select('submissions')
    .where('address_hash', '=', addressHash)
    .where('window_start', '=', windowStart(now))
    .executeTakeFirst();
  return row?.submissions ?? 0;
}

/** Counts one submission (one atomic upsert) and forgets windows older than a day. */
export async function countSubmission(store: Store, addressHash: string, now: Date): Promise<void> {
  const window = windowStart(now);
  await db(store)
    .insertInto('report_form_rate_limits')
    .values({ address_hash: addressHash, window_start: window, submissions: 1 })
    .onConflict((oc) =>
      oc
        .columns(['address_hash', 'window_start'])
        .doUpdateSet({ submissions: sql<number>`report_form_rate_limits.submissions + 1` }),
    )
    .execute();
  await db(store)
    .deleteFrom('report_form_rate_limits')
    .where('window_start', '<', new Date(window.getTime() - 86_400_000))
    .execute();
}

/**
 * Erases a reporter's contact details (name, e-mail address, OpenPGP key) once their report has been
 * handled, as the disclosure policy promises: the reports older than `before`, or the one named. The report,
 * its targets and its status link stay; the erasure is recorded in the audit log with who and why. Returns
 * the tracking ids whose details were erased (reports without contact details are left as they are).
 */
export async function forgetReporters(
  store: Store,
  which: { trackingId: string } | { before: Date },
  by: { actor: string; reason: string },
): Promise<string[]> {
  if (by.actor.trim() === '' || by.reason.trim() === '') {
    throw new AppError('core.invalid_input', 'erasing contact details needs who (--by) and why (--reason)');
  }
  return db(store)
    .transaction()
    .execute(async (tx) => {
      let query = tx
        .updateTable('researcher_reports')
        .set({ reporter_name: null, reporter_email: null, reporter_pgp_key: null })
        .where((eb) =>
          eb.or([
            eb('reporter_name', 'is not', null),
            eb('reporter_email', 'is not', null),
            eb('reporter_pgp_key', 'is not', null),
          ]),
        );
      query =
        'trackingId' in which
          ? query.where('tracking_id', '=', which.trackingId)
          : query.where('created_at', '<', which.before);
      const erased = await query.returning('tracking_id').execute();
      const ids = erased.map((r) => r.tracking_id).sort();
      if (ids.length > 0) {
        await tx
          .insertInto('audit_log')
          .values({
            actor: by.actor,
            action: 'reporting.forget_reporter',
            subject: ids.length === 1 ? (ids[0] ?? '') : `${ids.length} researcher reports`,
            details: JSON.stringify({ reason: by.reason, trackingIds: ids }),
          })
          .execute();
      }
      return ids;
    });
}
