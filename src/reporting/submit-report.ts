import { randomUUID } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { receiveReport, type IngestRequest, type ReportProcessor } from '../intake/index.ts';
import { queueMessage } from '../notification/index.ts';
import type { Store } from '../platform/db/index.ts';
import { researcherReportJsonLines } from './events.ts';
import type { Language, ResearcherReportInput } from './model.ts';
import { insertResearcherReport, trackingIdExists } from './researcher-reports.repo.ts';
import { createStatusToken, createTrackingId, hashStatusToken, reporterSource } from './tokens.ts';

export interface ReportingDeps {
  store: Store;
  /** The intake's background processor: the report's events take the feeds' path from there. */
  processor: ReportProcessor;
  uploadDir: string;
  /** The instance secret (CSRF tokens, address and reporter hashes). */
  secret: string;
  /** Where people reach this instance: status links in mails are built on it. */
  publicUrl: string;
  /** The outward identity acknowledgements are sent from (the routing profile's). */
  mailFrom: { name: string; email: string };
  instanceName: string;
  now?: () => Date;
}

export interface SubmittedReport {
  trackingId: string;
  /** The secret of the status link: shown once, never stored. */
  statusToken: string;
  reportId: string;
  acknowledgementQueued: boolean;
}

export function statusPath(token: string): string {
  return `/report/status/${token}`;
}

/**
 * Records a researcher's report and hands its targets to the intake as IDF JSON lines (source `web-form`,
 * or one per reporter), so it is parsed, enriched, assessed and routed like any feed; the report's own
 * context (evidence, contact, requested TLP, kans/schade answers) travels with it for assessment. Queues an
 * acknowledgement when the reporter gave an e-mail address (encrypted to their OpenPGP key when given).
 */
export async function submitResearcherReport(
  deps: ReportingDeps,
  input: ResearcherReportInput,
): Promise<SubmittedReport> {
  const now = (deps.now ?? (() => new Date()))();
  let trackingId = createTrackingId(now);
  while (await trackingIdExists(deps.store, trackingId)) trackingId = createTrackingId(now);
  const statusToken = createStatusToken();

  await mkdir(deps.uploadDir, { recursive: true });
  const partial = join(deps.uploadDir, `${randomUUID()}.part`);
  await writeFile(partial, researcherReportJsonLines(input), { mode: 0o600 });
  const request: IngestRequest = {
    path: partial,
    fileName: `${trackingId}.jsonl`,
    source: reporterSource(deps.secret, input.reporterEmail),
    feed: 'jsonl',
    single: {
      evidence: input.attachments.length > 0 || input.steps.trim() !== '',
      contact: input.reporterEmail !== undefined,
      requestedTlp: input.requestedTlp,
      ...(input.likelihood === undefined && input.damage === undefined
        ? {}
        : {
            answers: {
              ...(input.likelihood === undefined ? {} : { likelihood: input.likelihood }),
              ...(input.damage === undefined ? {} : { impact: input.damage }),
            },
          }),
    },
  };
  let report: { id: string; receivedAt: Date };
  try {
    report = await receiveReport({ store: deps.store, now: () => now }, request);
    // Under the report id, as the upload API keeps files: a restart resumes it from there.
    const path = join(deps.uploadDir, report.id);
    await rename(partial, path);
    request.path = path;
    await insertResearcherReport(deps.store, {
      id: randomUUID(),
      trackingId,
      reportId: report.id,
      statusTokenHash: hashStatusToken(statusToken),
      language: input.language,
      classificationType: input.classificationType,
      targets: input.targets,
      description: input.description,
      steps: input.steps,
      observedAt: input.observedAt,
      likelihood: input.likelihood,
      damage: input.damage,
      requestedTlp: input.requestedTlp,
      reporterName: input.reporterName,
      reporterEmail: input.reporterEmail,
      reporterPgpKey: input.reporterPgpKey,
      consentAt: now,
      attachments: input.attachments,
    });
  } catch (error) {
    await rm(request.path, { force: true });
    throw error;
  }
  void deps.processor.enqueue(report, request);

  let acknowledgementQueued = false;
  if (input.reporterEmail !== undefined) {
    acknowledgementQueued = await queueMessage(deps.store, {
      messageId: `<${trackingId}.ack@${domainOf(deps.mailFrom.email)}>`,
      from: `${deps.mailFrom.name} <${deps.mailFrom.email}>`,
      to: input.reporterEmail,
      subject: acknowledgementSubject(input.language, trackingId),
      text: await acknowledgementText(deps, input, trackingId, statusToken),
    });
  }
  return { trackingId, statusToken, reportId: report.id, acknowledgementQueued };
}

function domainOf(email: string): string {
  return email.slice(email.lastIndexOf('@') + 1);
}

export function acknowledgementSubject(language: Language, trackingId: string): string {
  return language === 'nl' ? `Melding ontvangen: ${trackingId}` : `Report received: ${trackingId}`;
}

async function acknowledgementText(
  deps: ReportingDeps,
  input: ResearcherReportInput,
  trackingId: string,
  statusToken: string,
): Promise<string> {
  const link = `${deps.publicUrl}${statusPath(statusToken)}`;
  const name = input.reporterName === undefined ? '' : ` ${input.reporterName}`;
  const text =
    input.language === 'nl'
      ? [
          `Beste${name},`,
          '',
          `Dank voor uw melding. We hebben haar ontvangen onder kenmerk ${trackingId}.`,
          '',
          'Hoe het ermee staat, ziet u op deze pagina; daar kunt u ook informatie toevoegen en onze berichten lezen:',
          link,
          '',
          'Houd deze link voor uzelf: wie hem heeft, kan de status zien en reageren.',
          'Binnen drie werkdagen laten we weten hoe we de melding beoordelen.',
          '',
          `Met vriendelijke groet,`,
          deps.mailFrom.name,
        ]
      : [
          `Dear${name === '' ? ' reporter' : name},`,
          '',
          `Thank you for your report. We received it under tracking id ${trackingId}.`,
          '',
          'This page shows how it stands; there you can also add information and read our messages:',
          link,
          '',
          'Keep this link to yourself: whoever has it can see the status and reply.',
          'Within three working days we let you know how we assess the report.',
          '',
          'Kind regards,',
          deps.mailFrom.name,
        ];
  return encryptedFor(input.reporterPgpKey, `${text.join('\n')}\n`);
}

/** The text as it is mailed: encrypted to the reporter's OpenPGP key when they gave one. */
export async function encryptedFor(armoredKey: string | undefined | null, plain: string): Promise<string> {
  if (armoredKey === undefined || armoredKey === null) return plain;
  const { createMessage, encrypt, readKey } = await import('openpgp');
  const key = (await readKey({ armoredKey })).toPublic();
  // openpgp's declared return type names web streams, which Node's lib types lack: read it as unknown.
  const encrypted: unknown = await encrypt({
    message: await createMessage({ text: plain }),
    encryptionKeys: key,
    format: 'armored',
  });
  return String(encrypted);
}
