import { createHash, randomUUID } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../core/index.ts';
import { receiveReport, type FeedKind, type ReportProcessor } from '../intake/index.ts';
import type { Store } from '../platform/db/index.ts';
import type { SingleReportContext } from '../platform/db/schema.ts';
import type { Logger } from '../platform/log.ts';
import {
  decideMail,
  findMail,
  findMailBySha256,
  insertMail,
  readMailRaw,
  type MailChannel,
} from './mail.repo.ts';
import {
  mailTextEvent,
  readMail,
  sortAttachments,
  stripAngles,
  type MailFacts,
  type MailLimits,
  type SkippedAttachment,
} from './parse-mail.ts';
import { domainOf, envelopeMatches, findSender, type SenderList } from './senders.ts';

/** Where the reports of a mail go: each file becomes a report processed like an upload. */
export interface ReportSink {
  /** Records a report for the file at `path` (the sink takes the file over) and returns its id. */
  submit(file: {
    path: string;
    fileName: string;
    source: string;
    feed: FeedKind | undefined;
    /** A mail written by a person (no attachments): assessed as a single report, not a feed. */
    single?: SingleReportContext;
  }): Promise<string>;
}

/**
 * The service's sink: the report is recorded, its file moved to the upload directory under the report id
 * and queued on the report processor, exactly as an HTTP upload is (so an unfinished one resumes at start).
 */
export function queueReports(deps: {
  store: Store;
  processor: ReportProcessor;
  uploadDir: string;
}): ReportSink {
  return {
    async submit({ path, fileName, source, feed, single }) {
      const request = { path, fileName, source, feed, ...(single === undefined ? {} : { single }) };
      const report = await receiveReport({ store: deps.store }, request);
      const target = join(deps.uploadDir, report.id);
      await rename(path, target);
      void deps.processor.enqueue(report, { ...request, path: target });
      return report.id;
    },
  };
}

export interface MailIntakeDeps {
  store: Store;
  sink: ReportSink;
  senders: SenderList;
  limits: MailLimits;
  /** Where a mail's files are written before the sink takes them (the upload directory). */
  workDir: string;
  log: Logger;
}

export interface ReceivedMail {
  raw: Buffer;
  channel: MailChannel;
  /** SMTP MAIL FROM; for IMAP undefined, and the Return-Path header the last server added is used. */
  envelopeFrom?: string | undefined;
  envelopeTo?: string[];
  remoteAddress?: string | undefined;
}

export type MailOutcome =
  | { status: 'accepted'; id: string; source: string; reports: string[]; skipped: SkippedAttachment[] }
  | { status: 'quarantined'; id: string; reason: string }
  | { status: 'duplicate'; id: string };

interface SenderVerdict {
  source: string | undefined;
  reason: string | undefined;
  checks: Record<string, unknown>;
}

/**
 * Who sent a message, as far as can be told: the From address must be on the allow-list, be the only From,
 * and the envelope sender (MAIL FROM, or Return-Path) must belong to the same organisation or be listed for
 * the entry. This is not SPF or DKIM (the MTA in front is the place for those): it only catches the
 * obvious forgeries and mistakes, and never decides alone, because what fails goes to quarantine.
 */
export function judgeSender(
  mail: MailFacts,
  envelopeFrom: string | undefined,
  senders: SenderList,
): SenderVerdict {
  const from = mail.headerFrom;
  const envelope = envelopeFrom === undefined ? mail.returnPath : stripAngles(envelopeFrom);
  const entry = from === undefined ? undefined : findSender(senders, from);
  const agrees =
    from !== undefined && envelope !== undefined && envelope !== '' && envelopeMatches(entry, from, envelope);
  const checks = {
    header_from_domain: from === undefined ? null : domainOf(from),
    envelope_domain: envelope === undefined || envelope === '' ? null : domainOf(envelope),
    from_addresses: mail.fromCount,
    envelope_matches_from: agrees,
    allow_listed: entry !== undefined,
  };
  const quarantine = (reason: string): SenderVerdict => ({ source: undefined, reason, checks });
  if (from === undefined) return quarantine('the message has no From address');
  if (entry === undefined) return quarantine(`sender ${from} is not on the allow-list`);
  if (mail.fromCount > 1) return quarantine('the message has more than one From address');
  if (envelope === undefined || envelope === '') {
    return quarantine('the message has no envelope sender (MAIL FROM or Return-Path)');
  }
  if (!agrees) {
    return quarantine(`the envelope sender ${envelope} does not match the From address ${from}`);
  }
  return { source: entry.source, reason: undefined, checks };
}

/**
 * Takes one received message: the same bytes twice are one message; a message from an allow-listed sender
 * becomes reports (one per readable attachment, or one event for review made of its text), anything else is
 * kept in quarantine with the reason. The message is recorded after its reports, so a crash in between
 * makes the sender (or the IMAP poller) deliver it again rather than lose it.
 */
export async function processMail(deps: MailIntakeDeps, received: ReceivedMail): Promise<MailOutcome> {
  const { store } = deps;
  const sha256 = createHash('sha256').update(received.raw).digest('hex');
  const known = await findMailBySha256(store, sha256);
  if (known !== undefined) return { status: 'duplicate', id: known };
  const id = randomUUID();
  const record = {
    id,
    channel: received.channel,
    remoteAddress: received.remoteAddress,
    envelopeTo: received.envelopeTo ?? [],
    raw: received.raw,
    sha256,
  };
  let mail: MailFacts;
  try {
    mail = await readMail(received.raw);
  } catch (error) {
    const reason = `the message cannot be parsed: ${(error as Error).message}`;
    await insertMail(store, {
      ...record,
      envelopeFrom: received.envelopeFrom,
      headerFrom: undefined,
      subject: undefined,
      messageId: undefined,
      status: 'quarantined',
      source: undefined,
      reason,
      checks: {},
      reportIds: [],
    });
    return { status: 'quarantined', id, reason };
  }
  const envelopeFrom =
    received.envelopeFrom === undefined ? mail.returnPath : stripAngles(received.envelopeFrom);
  const verdict = judgeSender(mail, received.envelopeFrom, deps.senders);
  const base = {
    ...record,
    envelopeFrom,
    headerFrom: mail.headerFrom,
    subject: mail.subject,
    messageId: mail.messageId,
  };
  const quarantine = async (reason: string, checks: Record<string, unknown>): Promise<MailOutcome> => {
    await insertMail(store, {
      ...base,
      status: 'quarantined',
      source: undefined,
      reason,
      checks,
      reportIds: [],
    });
    deps.log.warn({ mail: id, from: mail.headerFrom, reason }, 'mail quarantined');
    return { status: 'quarantined', id, reason };
  };
  if (verdict.source === undefined) return quarantine(verdict.reason ?? 'not accepted', verdict.checks);
  const ingested = await ingestMail(deps, mail, verdict.source);
  const checks = { ...verdict.checks, skipped_attachments: ingested.skipped };
  if (ingested.reports.length === 0) return quarantine(ingested.problem, checks);
  await insertMail(store, {
    ...base,
    status: 'accepted',
    source: verdict.source,
    reason: ingested.skipped.length === 0 ? undefined : `${ingested.skipped.length} attachment(s) skipped`,
    checks,
    reportIds: ingested.reports,
  });
  deps.log.info(
    { mail: id, source: verdict.source, reports: ingested.reports, skipped: ingested.skipped.length },
    'mail accepted',
  );
  return {
    status: 'accepted',
    id,
    source: verdict.source,
    reports: ingested.reports,
    skipped: ingested.skipped,
  };
}

/**
 * The reports of a message as if it came from `source`: one per readable attachment; with no attachments
 * at all, its text as one event. `problem` says why there are none.
 */
async function ingestMail(
  deps: MailIntakeDeps,
  mail: MailFacts,
  source: string,
): Promise<{ reports: string[]; skipped: SkippedAttachment[]; problem: string }> {
  const { usable, skipped } = await sortAttachments(mail.attachments, deps.limits);
  const reports: string[] = [];
  const submit = async (
    fileName: string,
    content: Buffer | string,
    feed: FeedKind | undefined,
    single?: SingleReportContext,
  ) => {
    const path = join(deps.workDir, `${randomUUID()}.part`);
    await writeFile(path, content);
    try {
      reports.push(
        await deps.sink.submit({ path, fileName, source, feed, ...(single === undefined ? {} : { single }) }),
      );
    } catch (error) {
      await rm(path, { force: true });
      throw error;
    }
  };
  for (const attachment of usable) await submit(attachment.fileName, attachment.content, attachment.feed);
  if (usable.length === 0 && skipped.length === 0) {
    if (mail.text === '')
      return { reports, skipped, problem: 'the message has neither text nor attachments' };
    const event = mailTextEvent(mail, source, deps.limits);
    // A person wrote it: a single report (the sender can be answered), read by an analyst.
    await submit('mail.jsonl', `${JSON.stringify(event)}\n`, 'jsonl', { evidence: false, contact: true });
  }
  return {
    reports,
    skipped,
    problem:
      skipped.length > 0
        ? `no attachment Tocsin can read: ${skipped.map((s) => `${s.fileName} (${s.reason})`).join('; ')}`
        : 'nothing to ingest',
  };
}

/**
 * An analyst's release of a quarantined message: ingested as if `source` had sent it (the sender checks
 * are what the analyst overrides), then recorded with the reports and audited.
 */
export async function releaseMail(
  deps: MailIntakeDeps,
  release: { id: string; source: string; by: string; reason?: string | undefined },
): Promise<{ reports: string[]; skipped: SkippedAttachment[] }> {
  const record = await findMail(deps.store, release.id);
  if (record === undefined) throw new AppError('core.not_found', `No mail ${release.id}.`);
  if (record.status !== 'quarantined') {
    throw new AppError('mail.not_quarantined', `Mail ${release.id} is ${record.status}, not in quarantine.`);
  }
  const raw = await readMailRaw(deps.store, release.id);
  if (raw === undefined) throw new AppError('core.not_found', `No mail ${release.id}.`);
  const ingested = await ingestMail(deps, await readMail(raw), release.source);
  if (ingested.reports.length === 0) {
    throw new AppError(
      'core.invalid_input',
      `Mail ${release.id} holds nothing to ingest: ${ingested.problem}.`,
    );
  }
  const decided = await decideMail(deps.store, {
    id: release.id,
    status: 'released',
    by: release.by,
    reason: release.reason,
    source: release.source,
    reportIds: ingested.reports,
  });
  if (!decided) throw new AppError('mail.not_quarantined', `Mail ${release.id} was decided on meanwhile.`);
  return { reports: ingested.reports, skipped: ingested.skipped };
}

/** An analyst's discard of a quarantined message: kept, marked discarded with the reason, audited. */
export async function discardMail(
  store: Store,
  discard: { id: string; by: string; reason: string },
): Promise<void> {
  const record = await findMail(store, discard.id);
  if (record === undefined) throw new AppError('core.not_found', `No mail ${discard.id}.`);
  const decided = await decideMail(store, { ...discard, status: 'discarded' });
  if (!decided) {
    throw new AppError('mail.not_quarantined', `Mail ${discard.id} is ${record.status}, not in quarantine.`);
  }
}
