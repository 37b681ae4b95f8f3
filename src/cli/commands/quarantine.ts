import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { loadFramework } from '../../assessment/index.ts';
import { AppError, isUuid } from '../../core/index.ts';
import { enrichmentOf, loadIpTable } from '../../enrichment/index.ts';
import {
  FeedParsers,
  findReport,
  ReportProcessor,
  shadowserverSchemaPath,
  type Enricher,
} from '../../intake/index.ts';
import {
  defaultMailLimits,
  discardMail,
  findMail,
  listMail,
  loadSenders,
  queueReports,
  readMail,
  readMailRaw,
  releaseMail,
  type MailRecord,
  type MailStatus,
} from '../../mail-intake/index.ts';
import { processStoredEvents } from '../../pipeline/index.ts';
import type { Store } from '../../platform/db/index.ts';
import { loadOwnerDirectory, loadRoutingProfile, OwnerIndex } from '../../routing/index.ts';
import { limitFlag, withStore, type Command, type CommandContext } from '../command.ts';

const statuses = ['quarantined', 'accepted', 'released', 'discarded', 'all'] as const;

function required(values: Record<string, unknown>, flag: string): string {
  const value = values[flag];
  if (typeof value !== 'string' || value.trim() === '') {
    throw new AppError('cli.usage', `--${flag} is required`);
  }
  return value;
}

function mailId(positionals: string[]): string {
  const id = positionals[0] ?? '';
  if (!isUuid(id))
    throw new AppError('cli.usage', `${id}: expected a mail id (a UUID, from tocsin quarantine list)`);
  return id;
}

/** A sender's text, safe to print on a terminal: no escape sequences or other control characters. */
function printable(text: string | null | undefined): string {
  return (text ?? '').replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '?');
}

function presentMail(mail: MailRecord) {
  return {
    id: mail.id,
    received_at: mail.receivedAt.toISOString(),
    channel: mail.channel,
    status: mail.status,
    from: mail.headerFrom,
    envelope_from: mail.envelopeFrom,
    envelope_to: mail.envelopeTo,
    subject: mail.subject,
    message_id: mail.messageId,
    size_bytes: mail.sizeBytes,
    sha256: mail.sha256,
    source: mail.source,
    reason: mail.reason,
    checks: mail.checks,
    reports: mail.reportIds,
    decided_by: mail.decidedBy,
    decided_at: mail.decidedAt?.toISOString() ?? null,
    decision_reason: mail.decisionReason,
  };
}

export const quarantineListCommand: Command = {
  name: 'quarantine list',
  summary: 'Mail held in quarantine (unknown senders, envelope mismatches), oldest first',
  usage: `[--status ${statuses.join('|')}] [--limit N] [--json]`,
  options: { status: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' } },
  run: async ({ values }, context) => {
    const status = (values.status as string | undefined) ?? 'quarantined';
    if (!(statuses as readonly string[]).includes(status)) {
      throw new AppError('cli.usage', `--status ${status}: expected one of ${statuses.join(', ')}`);
    }
    const limit = limitFlag(values.limit, 100);
    return withStore(context, async (store) => {
      const mails = await listMail(store, { status: status as MailStatus | 'all', limit });
      if (values.json === true) {
        context.io.out(JSON.stringify(mails.map(presentMail)));
        return 0;
      }
      if (mails.length === 0) context.io.out(`No mail ${status === 'all' ? 'received' : status}.`);
      for (const mail of mails) {
        context.io.out(
          `${mail.id}  ${mail.receivedAt.toISOString()}  ${mail.status}  from ${printable(mail.headerFrom) || '(none)'}` +
            `  "${printable(mail.subject).slice(0, 60)}"`,
        );
        if (mail.reason !== null) context.io.out(`    ${printable(mail.reason)}`);
      }
      return 0;
    });
  },
};

export const quarantineShowCommand: Command = {
  name: 'quarantine show',
  summary:
    'One received mail: sender checks, attachments, the start of its text (--raw: the message as received)',
  usage: 'ID [--raw] [--json]',
  options: { raw: { type: 'boolean' }, json: { type: 'boolean' } },
  positionals: { min: 1, max: 1 },
  run: async ({ values, positionals }, context) => {
    const id = mailId(positionals);
    return withStore(context, async (store) => {
      const mail = await findMail(store, id);
      const raw = await readMailRaw(store, id);
      if (mail === undefined || raw === undefined) throw new AppError('core.not_found', `No mail ${id}.`);
      if (values.raw === true) {
        context.io.out(raw.toString('utf8'));
        return 0;
      }
      const parsed = await readMail(raw).catch(() => undefined);
      const attachments = (parsed?.attachments ?? []).map((a) => ({
        file_name: a.filename ?? null,
        content_type: a.contentType,
        size_bytes: a.size,
      }));
      if (values.json === true) {
        context.io.out(JSON.stringify({ ...presentMail(mail), attachments, text: parsed?.text ?? null }));
        return 0;
      }
      const io = context.io;
      io.out(`Mail ${mail.id}: ${mail.status}${mail.source === null ? '' : ` (source ${mail.source})`}`);
      io.out(
        `  received ${mail.receivedAt.toISOString()} over ${mail.channel} from ${printable(mail.remoteAddress) || '?'}`,
      );
      io.out(
        `  From: ${printable(mail.headerFrom) || '(none)'}; envelope sender: ${printable(mail.envelopeFrom) || '(none)'}`,
      );
      io.out(`  Subject: ${printable(mail.subject)}`);
      io.out(`  Message-ID: ${printable(mail.messageId)}; ${mail.sizeBytes} bytes; SHA-256 ${mail.sha256}`);
      if (mail.reason !== null) io.out(`  Reason: ${printable(mail.reason)}`);
      io.out(`  Checks: ${JSON.stringify(mail.checks)}`);
      for (const a of attachments) {
        io.out(
          `  Attachment: ${printable(a.file_name) || '(no name)'} (${printable(a.content_type)}, ${a.size_bytes} bytes)`,
        );
      }
      if (mail.reportIds.length > 0) io.out(`  Reports: ${mail.reportIds.join(', ')}`);
      if (mail.decidedBy !== null) {
        io.out(
          `  Decided by ${printable(mail.decidedBy)} at ${mail.decidedAt?.toISOString() ?? '?'}: ${printable(mail.decisionReason)}`,
        );
      }
      const text = parsed?.text ?? '';
      if (text !== '') {
        io.out('  Text:');
        for (const line of printable(text.slice(0, 2000)).split('\n')) io.out(`    ${line}`);
        if (text.length > 2000) io.out(`    … (${text.length - 2000} more characters; --raw for all)`);
      }
      return 0;
    });
  },
};

export const quarantineReleaseCommand: Command = {
  name: 'quarantine release',
  summary: 'Ingest a quarantined mail as if the named source had sent it (audited)',
  usage: 'ID --source NAME --by NAME [--reason TEXT] [--json]',
  description: [
    'The mail is ingested now, as the service would have done for an allow-listed sender: each readable',
    'attachment a report, or its text one event for review; the reports are assessed and routed. The',
    'release, who made it and why are recorded in the audit log. To accept the sender from now on, add it',
    'to the allow-list (TOCSIN_MAIL_INTAKE_SENDERS).',
  ].join('\n'),
  options: {
    source: { type: 'string' },
    by: { type: 'string' },
    reason: { type: 'string' },
    json: { type: 'boolean' },
  },
  positionals: { min: 1, max: 1 },
  run: async ({ values, positionals }, context) => {
    const id = mailId(positionals);
    const source = required(values, 'source');
    const by = required(values, 'by');
    const reason = values.reason as string | undefined;
    return withStore(context, async (store) => {
      const processor = await createProcessor(context, store);
      const uploadDir = join(context.config().dataDir, 'uploads');
      await mkdir(uploadDir, { recursive: true });
      const released = await releaseMail(
        {
          store,
          sink: queueReports({ store, processor, uploadDir }),
          senders: loadSenders(undefined),
          limits: defaultMailLimits,
          workDir: uploadDir,
          log: context.logger(),
        },
        { id, source, by, reason },
      );
      await processor.drain();
      const reports = [];
      for (const report of released.reports) reports.push(await findReport(store, report));
      if (values.json === true) {
        context.io.out(JSON.stringify({ mail: id, source, reports, skipped: released.skipped }));
        return 0;
      }
      context.io.out(`Released mail ${id} as source ${source}:`);
      for (const report of reports) {
        if (report === undefined) continue;
        context.io.out(
          `  report ${report.id} (${printable(report.fileName)}): ${report.status}, ${report.accepted} accepted, ${report.duplicates} duplicates, ${report.rejected} rejected${report.error === null ? '' : `: ${report.error}`}`,
        );
      }
      for (const skipped of released.skipped) {
        context.io.out(`  skipped ${printable(skipped.fileName)}: ${skipped.reason}`);
      }
      return reports.some((r) => r?.status === 'failed') ? 1 : 0;
    });
  },
};

export const quarantineDiscardCommand: Command = {
  name: 'quarantine discard',
  summary: 'Mark a quarantined mail discarded, with the reason (kept for the record, audited)',
  usage: 'ID --reason TEXT --by NAME',
  options: { reason: { type: 'string' }, by: { type: 'string' } },
  positionals: { min: 1, max: 1 },
  run: async ({ values, positionals }, context) => {
    const id = mailId(positionals);
    const reason = required(values, 'reason');
    const by = required(values, 'by');
    return withStore(context, async (store) => {
      await discardMail(store, { id, by, reason });
      context.io.out(`Discarded mail ${id}: ${reason}`);
      return 0;
    });
  },
};

/** A report processor as the service's: enrichment at ingest, then owner, assessment and routing. */
async function createProcessor(context: CommandContext, store: Store): Promise<ReportProcessor> {
  const config = context.config();
  const framework = await loadFramework(config.assessmentFramework);
  const profile = loadRoutingProfile(config.routingProfile);
  const table = await loadIpTable({ cacheDir: join(config.dataDir, 'ip-table') });
  const enrich: Enricher = (event) => enrichmentOf(table, event);
  const parsers = new FeedParsers({ shadowserverSchemaPath: shadowserverSchemaPath(config.dataDir) });
  return new ReportProcessor({ store, parsers, enrich }, context.logger(), async (reportId) => {
    const index = new OwnerIndex(await loadOwnerDirectory(store, config.homeCountry));
    await processStoredEvents({ store, index, profile, framework }, { reportId });
  });
}
