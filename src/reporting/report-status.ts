import { randomUUID } from 'node:crypto';
import { AppError } from '../core/index.ts';
import { queueMessage } from '../notification/index.ts';
import type { Store } from '../platform/db/index.ts';
import { limits } from './model.ts';
import {
  addReportMessage,
  findByStatusTokenHash,
  findByTrackingId,
  listReportMessages,
  reportProgress,
  reporterContact,
  type ReportMessage,
  type ReportProgress,
  type ResearcherReport,
} from './researcher-reports.repo.ts';
import { encryptedFor } from './submit-report.ts';
import { hashStatusToken, statusTokenPattern } from './tokens.ts';

/** Where a report stands, as the reporter sees it; each stage implies the ones before. */
export type ReportStage = 'received' | 'failed' | 'assessed' | 'warned' | 'resolved';

export interface ResearcherReportStatus {
  report: ResearcherReport;
  stage: ReportStage;
  progress: ReportProgress;
  messages: ReportMessage[];
}

export function stageOf(progress: ReportProgress): ReportStage {
  if (progress.reportStatus === 'failed') return 'failed';
  if (progress.events === 0 || progress.assessed < progress.events) return 'received';
  if (progress.tickets > 0 && progress.ticketsResolved === progress.tickets) return 'resolved';
  if (progress.organisationsWarned > 0) return 'warned';
  return 'assessed';
}

/** The report a status link names; undefined for a malformed or unknown token (the page answers 404). */
export async function findReportByStatusToken(
  store: Store,
  token: string,
): Promise<ResearcherReport | undefined> {
  if (!statusTokenPattern.test(token)) return undefined;
  return findByStatusTokenHash(store, hashStatusToken(token));
}

export async function researcherReportStatus(
  store: Store,
  report: ResearcherReport,
): Promise<ResearcherReportStatus> {
  const [progress, messages] = await Promise.all([
    reportProgress(store, report.reportId),
    listReportMessages(store, report.id),
  ]);
  return { report, stage: stageOf(progress), progress, messages };
}

function checkedBody(text: string): string {
  const body = text.trim();
  if (body === '') throw new AppError('core.invalid_input', 'a message needs text');
  if (body.length > limits.messageChars) {
    throw new AppError('core.invalid_input', `a message has at most ${limits.messageChars} characters`);
  }
  return body;
}

/** The reporter adds information through the status page. */
export async function addReporterMessage(
  store: Store,
  report: ResearcherReport,
  text: string,
): Promise<void> {
  await addReportMessage(store, report.id, 'reporter', checkedBody(text));
}

/**
 * An analyst writes to the reporter (`tocsin reports message`): shown on the status page, and when the
 * reporter gave an e-mail address (and `mailFrom` is given) announced by mail. The mail does not hold the
 * status link, whose secret is not kept: it points to the link in the acknowledgement.
 */
export async function addAnalystMessage(
  store: Store,
  trackingId: string,
  text: string,
  mailFrom?: { name: string; email: string },
): Promise<{ report: ResearcherReport; mailed: boolean }> {
  const report = await findByTrackingId(store, trackingId.trim().toUpperCase());
  if (report === undefined) throw new AppError('core.not_found', `No researcher report ${trackingId}.`);
  const body = checkedBody(text);
  await addReportMessage(store, report.id, 'analyst', body);
  const contact = await reporterContact(store, report.id);
  if (mailFrom === undefined || contact.email === null) return { report, mailed: false };
  const id = report.trackingId;
  const plain =
    report.language === 'nl'
      ? `Er is een nieuw bericht over uw melding ${id}:\n\n${body}\n\nU kunt reageren via de statuslink uit onze ontvangstbevestiging.\n\n${mailFrom.name}\n`
      : `There is a new message about your report ${id}:\n\n${body}\n\nYou can reply through the status link in our acknowledgement.\n\n${mailFrom.name}\n`;
  const mailed = await queueMessage(store, {
    messageId: `<${id}.${randomUUID()}@${mailFrom.email.slice(mailFrom.email.lastIndexOf('@') + 1)}>`,
    from: `${mailFrom.name} <${mailFrom.email}>`,
    to: contact.email,
    subject: report.language === 'nl' ? `Bericht over uw melding ${id}` : `Message about your report ${id}`,
    text: await encryptedFor(contact.pgpKey, plain),
  });
  return { report, mailed };
}
