import { gunzipSync, gzipSync } from 'node:zlib';
import type { ColumnType } from 'kysely';
import type { Store } from '../platform/db/index.ts';

export type MailStatus = 'accepted' | 'quarantined' | 'released' | 'discarded';
export type MailChannel = 'smtp' | 'imap';

/** `mail_messages` (migration 0012), typed here: the table belongs to this module. */
export interface MailMessageTable {
  id: string;
  received_at: ColumnType<Date, Date | string | undefined, never>;
  channel: MailChannel;
  remote_address: string | null;
  envelope_from: string | null;
  envelope_to: ColumnType<string[], string, string>;
  header_from: string | null;
  subject: string | null;
  message_id: string | null;
  size_bytes: number;
  sha256: string;
  raw: Uint8Array;
  status: MailStatus;
  source: string | null;
  reason: string | null;
  checks: ColumnType<Record<string, unknown>, string, string>;
  report_ids: ColumnType<string[], string, string>;
  decided_by: string | null;
  decided_at: ColumnType<Date | null, Date | undefined, Date>;
  decision_reason: string | null;
}

function db(store: Store) {
  return store.db.$extendTables<{ mail_messages: MailMessageTable }>();
}

export interface MailRecord {
  id: string;
  receivedAt: Date;
  channel: MailChannel;
  remoteAddress: string | null;
  envelopeFrom: string | null;
  envelopeTo: string[];
  headerFrom: string | null;
  subject: string | null;
  messageId: string | null;
  sizeBytes: number;
  sha256: string;
  status: MailStatus;
  source: string | null;
  reason: string | null;
  checks: Record<string, unknown>;
  reportIds: string[];
  decidedBy: string | null;
  decidedAt: Date | null;
  decisionReason: string | null;
}

export interface NewMail {
  id: string;
  channel: MailChannel;
  remoteAddress: string | undefined;
  envelopeFrom: string | undefined;
  envelopeTo: string[];
  headerFrom: string | undefined;
  subject: string | undefined;
  messageId: string | undefined;
  raw: Buffer;
  sha256: string;
  status: 'accepted' | 'quarantined';
  source: string | undefined;
  reason: string | undefined;
  checks: Record<string, unknown>;
  reportIds: string[];
}

/** Control characters and overlong values of a sender's header, made safe to store and print. */
function clean(value: string | undefined, max = 998): string | null {
  if (value === undefined) return null;
  return value.replace(/[\u0000-\u001f\u007f]/g, ' ').slice(0, max);
}

/**
 * Records a message (its bytes gzip-compressed) and, for a quarantined one, an audit entry in the same
 * transaction.
 */
export async function insertMail(store: Store, mail: NewMail): Promise<void> {
  await db(store)
    .transaction()
    .execute(async (tx) => {
      await tx
        .insertInto('mail_messages')
        .values({
          id: mail.id,
          channel: mail.channel,
          remote_address: clean(mail.remoteAddress),
          envelope_from: clean(mail.envelopeFrom),
          envelope_to: JSON.stringify(mail.envelopeTo.map((to) => clean(to))),
          header_from: clean(mail.headerFrom),
          subject: clean(mail.subject),
          message_id: clean(mail.messageId),
          size_bytes: mail.raw.length,
          sha256: mail.sha256,
          raw: gzipSync(mail.raw, { level: 6 }),
          status: mail.status,
          source: mail.source ?? null,
          reason: mail.reason ?? null,
          checks: JSON.stringify(mail.checks),
          report_ids: JSON.stringify(mail.reportIds),
        })
        .execute();
      if (mail.status === 'quarantined') {
        await tx
          .insertInto('audit_log')
          .values({
            actor: 'mail-intake',
            action: 'mail.quarantine',
            subject: mail.id,
            details: JSON.stringify({
              from: clean(mail.headerFrom),
              envelope_from: clean(mail.envelopeFrom),
              reason: mail.reason,
            }),
          })
          .execute();
      }
    });
}

/** The id of a message with these exact bytes, if one was received before. */
export async function findMailBySha256(store: Store, sha256: string): Promise<string | undefined> {
  const row = await db(store)
    .selectFrom('mail_messages')
    .select('id')
    .where('sha256', '=', sha256)
    .executeTakeFirst();
  return row?.id;
}

const columns = [
  'id',
  'received_at',
  'channel',
  'remote_address',
  'envelope_from',
  'envelope_to',
  'header_from',
  'subject',
  'message_id',
  'size_bytes',
  'sha256',
  'status',
  'source',
  'reason',
  'checks',
  'report_ids',
  'decided_by',
  'decided_at',
  'decision_reason',
] as const;

type MailRow = Pick<MailMessageTable, (typeof columns)[number]> & {
  received_at: Date;
  envelope_to: string[];
  checks: Record<string, unknown>;
  report_ids: string[];
  decided_at: Date | null;
};

function toRecord(row: MailRow): MailRecord {
  return {
    id: row.id,
    receivedAt: row.received_at,
    channel: row.channel,
    remoteAddress: row.remote_address,
    envelopeFrom: row.envelope_from,
    envelopeTo: row.envelope_to,
    headerFrom: row.header_from,
    subject: row.subject,
    messageId: row.message_id,
    sizeBytes: row.size_bytes,
    sha256: row.sha256,
    status: row.status,
    source: row.source,
    reason: row.reason,
    checks: row.checks,
    reportIds: row.report_ids,
    decidedBy: row.decided_by,
    decidedAt: row.decided_at,
    decisionReason: row.decision_reason,
  };
}

/** Messages with a status (default: quarantined), oldest first. */
export async function listMail(
  store: Store,
  options: { status?: MailStatus | 'all'; limit?: number } = {},
): Promise<MailRecord[]> {
  let query = db(store)
    .selectFrom('mail_messages')
    .select(columns)
    .orderBy('received_at')
    .orderBy('id')
    .limit(options.limit ?? 100);
  const status = options.status ?? 'quarantined';
  if (status !== 'all') query = query.where('status', '=', status);
  return (await query.execute()).map((row) => toRecord(row as MailRow));
}

export async function findMail(store: Store, id: string): Promise<MailRecord | undefined> {
  const row = await db(store)
    .selectFrom('mail_messages')
    .select(columns)
    .where('id', '=', id)
    .executeTakeFirst();
  return row === undefined ? undefined : toRecord(row as MailRow);
}

/** The message as received. */
export async function readMailRaw(store: Store, id: string): Promise<Buffer | undefined> {
  const row = await db(store)
    .selectFrom('mail_messages')
    .select('raw')
    .where('id', '=', id)
    .executeTakeFirst();
  return row === undefined ? undefined : gunzipSync(row.raw);
}

/**
 * An analyst's decision on a quarantined message (released as a source, or discarded), with the audit
 * entry, in one transaction. Returns false when the message was no longer quarantined (someone else
 * decided first): nothing is changed then.
 */
export async function decideMail(
  store: Store,
  decision: {
    id: string;
    status: 'released' | 'discarded';
    by: string;
    reason: string | undefined;
    source?: string;
    reportIds?: string[];
  },
): Promise<boolean> {
  return db(store)
    .transaction()
    .execute(async (tx) => {
      const updated = await tx
        .updateTable('mail_messages')
        .set({
          status: decision.status,
          decided_by: decision.by,
          decided_at: new Date(),
          decision_reason: decision.reason ?? null,
          ...(decision.source === undefined ? {} : { source: decision.source }),
          ...(decision.reportIds === undefined ? {} : { report_ids: JSON.stringify(decision.reportIds) }),
        })
        .where('id', '=', decision.id)
        .where('status', '=', 'quarantined')
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) return false;
      await tx
        .insertInto('audit_log')
        .values({
          actor: decision.by,
          action: decision.status === 'released' ? 'mail.release' : 'mail.discard',
          subject: decision.id,
          details: JSON.stringify({
            reason: decision.reason ?? null,
            ...(decision.source === undefined ? {} : { source: decision.source }),
            ...(decision.reportIds === undefined ? {} : { reports: decision.reportIds }),
          }),
        })
        .execute();
      return true;
    });
}
