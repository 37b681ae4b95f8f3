/**
 * E-mail intake end to end with real parts: nodemailer sends over SMTP to the listener on loopback, the
 * message goes through processMail, reports through the ReportProcessor and the pipeline (owner,
 * assessment, routing) into the database; quarantine, release and discard as the CLI does them.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryLogger, shippedFramework } from '../../test/app.ts';
import { backend, createTestStore } from '../../test/db.ts';
import { buildZip as zipOf } from '../../test/zip.ts';
import { isAppError } from '../core/index.ts';
import { FeedParsers, findReport, ReportProcessor } from '../intake/index.ts';
import { processStoredEvents } from '../pipeline/index.ts';
import type { Store } from '../platform/db/index.ts';
import { loadOwnerDirectory, loadRoutingProfile, OwnerIndex } from '../routing/index.ts';
import { findMail, listMail, readMailRaw } from './mail.repo.ts';
import { defaultMailLimits } from './parse-mail.ts';
import {
  discardMail,
  processMail,
  queueReports,
  releaseMail,
  type MailIntakeDeps,
  type MailOutcome,
} from './process-mail.ts';
import { parseSenders } from './senders.ts';
import { startMailListener, type MailListener } from './smtp-listener.ts';
import { storedEvents } from '../../test/events.ts';

const path = (relative: string): string => fileURLToPath(new URL(relative, import.meta.url));
const fixtures = path('../../test/fixtures/shadowserver/');
const scanHttpCsv = readFileSync(join(fixtures, '2024-05-01-scan_http-example-asn.csv'));
const profile = loadRoutingProfile(path('../../config/routing/single-desk.yaml'));

const senders = parseSenders(`
senders:
  - domain: shadowserver.org
    source: shadowserver
  - address: alice@cert.example.net
    source: partner-x
`);

let store: Store;
let processor: ReportProcessor;
let deps: MailIntakeDeps;
let listener: MailListener;
const outcomes: MailOutcome[] = [];

beforeAll(async () => {
  store = await createTestStore();
  const { log } = createMemoryLogger();
  const parsers = new FeedParsers({ shadowserverSchemaPath: join(fixtures, 'intelmq-schema.json') });
  // Wired as the service wires it: each processed report is resolved, assessed and routed.
  processor = new ReportProcessor({ store, parsers }, log, async (reportId) => {
    const index = new OwnerIndex(await loadOwnerDirectory(store, 'NL'));
    await processStoredEvents({ store, index, profile, framework: shippedFramework }, { reportId });
  });
  const uploadDir = mkdtempSync(join(tmpdir(), 'tocsin-mail-'));
  deps = {
    store,
    sink: queueReports({ store, processor, uploadDir }),
    senders,
    limits: { ...defaultMailLimits, maxMessageBytes: 512 * 1024 },
    workDir: uploadDir,
    log,
  };
  listener = await startMailListener(
    async (mail) => {
      const outcome = await processMail(deps, mail);
      outcomes.push(outcome);
      return outcome;
    },
    log,
    { port: 0, host: '127.0.0.1', maxMessageBytes: deps.limits.maxMessageBytes, closeTimeoutMs: 1000 },
  );
});

afterAll(async () => {
  await listener.close();
  await processor.drain();
  await store.close();
});

async function send(message: nodemailer.SendMailOptions): Promise<MailOutcome> {
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port: listener.port,
    secure: false,
    ignoreTLS: true,
  });
  try {
    const before = outcomes.length;
    await transport.sendMail(message);
    const outcome = outcomes[before];
    if (outcome === undefined) throw new Error('the listener answered without an outcome');
    return outcome;
  } finally {
    transport.close();
  }
}

/**
 * Waits until the report is processed and assessed: its status is asked after the queue is done, as a report
 * is marked processed before its events are assessed (which the queue waits for too).
 */
async function processedReport(id: string) {
  for (;;) {
    await processor.drain();
    const report = await findReport(store, id);
    if (report !== undefined && (report.status === 'processed' || report.status === 'failed')) return report;
  }
}

async function decisionsOf(reportId: string): Promise<string[]> {
  const rows = await store.db
    .selectFrom('event_sightings')
    .innerJoin('event_assessments', 'event_assessments.event_id', 'event_sightings.event_id')
    .select('event_assessments.decision')
    .where('event_sightings.report_id', '=', reportId)
    .execute();
  return rows.map((row) => row.decision);
}

describe(`e-mail intake over SMTP on ${backend}`, () => {
  it('a Shadowserver report mailed as a CSV attachment becomes a report with events, assessed', async () => {
    const outcome = await send({
      from: 'Shadowserver <autoreports@shadowserver.org>',
      envelope: { from: 'bounces@mail.shadowserver.org', to: ['reports@tocsin.example'] },
      to: 'reports@tocsin.example',
      subject: '[Example] Shadowserver Accessible HTTP Report: 2024-05-01',
      text: 'Attached is your report.',
      attachments: [{ filename: '2024-05-01-scan_http-example-asn.csv', content: scanHttpCsv }],
    });
    expect(outcome).toMatchObject({ status: 'accepted', source: 'shadowserver', skipped: [] });
    if (outcome.status !== 'accepted') throw new Error('not accepted');
    expect(outcome.reports).toHaveLength(1);
    const report = await processedReport(outcome.reports[0] ?? '');
    expect(report).toMatchObject({
      status: 'processed',
      source: 'shadowserver',
      feed: 'shadowserver',
      reportType: 'scan_http',
      fileName: '2024-05-01-scan_http-example-asn.csv',
      accepted: 3,
      rejected: 0,
    });
    expect(await decisionsOf(report.id)).toHaveLength(3);
    const mail = await findMail(store, outcome.id);
    expect(mail).toMatchObject({
      status: 'accepted',
      source: 'shadowserver',
      headerFrom: 'autoreports@shadowserver.org',
      envelopeFrom: 'bounces@mail.shadowserver.org',
      reportIds: outcome.reports,
    });
  });

  it('takes gzip and zip attachments, and skips what it cannot read, saying why', async () => {
    const outcome = await send({
      from: 'autoreports@shadowserver.org',
      to: 'reports@tocsin.example',
      subject: 'reports',
      text: 'Two reports and a logo.',
      attachments: [
        { filename: '2024-05-02-scan_http-example-asn.csv.gz', content: gzipSync(scanHttpCsv) },
        {
          filename: 'reports.zip',
          content: zipOf([{ name: '2024-05-03-scan_http-example-asn.csv', data: scanHttpCsv }]),
        },
        { filename: 'notes.docx', content: Buffer.from('PK not really') },
        { filename: 'logo.png', content: Buffer.from([0x89, 0x50]), contentType: 'image/png' },
      ],
    });
    expect(outcome.status).toBe('accepted');
    if (outcome.status !== 'accepted') throw new Error('not accepted');
    expect(outcome.reports).toHaveLength(2);
    expect(outcome.skipped).toEqual([{ fileName: 'notes.docx', reason: expect.any(String) as string }]);
    for (const id of outcome.reports) {
      const report = await processedReport(id);
      // The same rows as the first test's: known events, so duplicates (a sighting each).
      expect(report).toMatchObject({ status: 'processed', reportType: 'scan_http', rejected: 0 });
      expect(report.accepted + report.duplicates).toBe(3);
    }
  });

  it('a plain-text mail from an allowed sender becomes one report whose event is in review', async () => {
    const outcome = await send({
      from: 'Alice <alice@cert.example.net>',
      to: 'reports@tocsin.example',
      subject: 'Compromised mail server',
      text: 'Hello,\n\nThe mail server at 198.51.100.25 sends spam since yesterday; see https://example.net/log.\n\nAlice',
    });
    expect(outcome).toMatchObject({ status: 'accepted', source: 'partner-x' });
    if (outcome.status !== 'accepted') throw new Error('not accepted');
    expect(outcome.reports).toHaveLength(1);
    const report = await processedReport(outcome.reports[0] ?? '');
    expect(report).toMatchObject({ status: 'processed', source: 'partner-x', accepted: 1 });
    const [event] = await storedEvents(store, { firstReportId: report.id });
    expect(event?.data).toMatchObject({
      'classification.taxonomy': 'other',
      'classification.type': 'undetermined',
      'feed.name': 'email',
      'feed.provider': 'partner-x',
      'source.ip': '198.51.100.25',
      'event_description.text': expect.stringContaining('sends spam since yesterday') as string,
      'extra.mail': {
        subject: 'Compromised mail server',
        from: 'alice@cert.example.net',
        indicators: ['198.51.100.25', 'https://example.net/log'],
      },
    });
    expect(await decisionsOf(report.id)).toEqual(['review']);
  });

  it('a plain-text mail that names no system is a single report for an analyst (review, not reject)', async () => {
    const outcome = await send({
      from: 'alice@cert.example.net',
      to: 'reports@tocsin.example',
      subject: 'A question',
      text: 'Do you also see the new campaign against webmail servers?',
    });
    if (outcome.status !== 'accepted') throw new Error('not accepted');
    const report = await processedReport(outcome.reports[0] ?? '');
    expect(report).toMatchObject({ status: 'processed', accepted: 1 });
    // completeness.target-single: a person wrote it, so no target means review (a feed record would be rejected).
    expect(await decisionsOf(report.id)).toEqual(['review']);
  });

  it("an unknown sender's mail lands in quarantine with its raw message, no report", async () => {
    const reportsBefore = (await store.db.selectFrom('reports').select('id').execute()).length;
    const outcome = await send({
      from: 'someone@unknown.example',
      to: 'reports@tocsin.example',
      subject: 'look at this',
      text: 'The host 192.0.2.99 is open.',
    });
    expect(outcome).toMatchObject({
      status: 'quarantined',
      reason: 'sender someone@unknown.example is not on the allow-list',
    });
    expect((await store.db.selectFrom('reports').select('id').execute()).length).toBe(reportsBefore);
    const quarantined = await listMail(store);
    expect(quarantined.map((m) => m.id)).toContain(outcome.id);
    expect((await readMailRaw(store, outcome.id))?.toString()).toContain('The host 192.0.2.99 is open.');
    const audit = await store.db
      .selectFrom('audit_log')
      .select(['actor', 'action'])
      .where('subject', '=', outcome.id)
      .execute();
    expect(audit).toEqual([{ actor: 'mail-intake', action: 'mail.quarantine' }]);
  });

  it('quarantines an allowed From address sent with an envelope sender of another organisation', async () => {
    const outcome = await send({
      from: 'alice@cert.example.net',
      envelope: { from: 'mailer@bulk.example.org', to: ['reports@tocsin.example'] },
      to: 'reports@tocsin.example',
      subject: 'urgent',
      text: 'Please act on 192.0.2.77.',
    });
    expect(outcome).toMatchObject({
      status: 'quarantined',
      reason:
        'the envelope sender mailer@bulk.example.org does not match the From address alice@cert.example.net',
    });
    const mail = await findMail(store, outcome.id);
    expect(mail?.checks).toMatchObject({ envelope_matches_from: false, allow_listed: true });
  });

  it('the same message twice is one message', async () => {
    const raw = Buffer.from(
      'From: alice@cert.example.net\r\nTo: reports@tocsin.example\r\nSubject: twice\r\nMessage-ID: <twice@cert.example.net>\r\n\r\nHost 192.0.2.44 is open.\r\n',
    );
    const first = await processMail(deps, { raw, channel: 'imap', remoteAddress: 'imap/INBOX' });
    // IMAP gives no envelope: the Return-Path the last server adds is the envelope sender, and here there is none.
    expect(first).toMatchObject({
      status: 'quarantined',
      reason: expect.stringMatching(/no envelope sender/) as string,
    });
    const second = await processMail(deps, { raw, channel: 'imap' });
    expect(second).toEqual({ status: 'duplicate', id: first.id });
  });

  it('refuses a message over the size limit with 552, and records nothing', async () => {
    const before = outcomes.length;
    await expect(
      send({
        from: 'autoreports@shadowserver.org',
        to: 'reports@tocsin.example',
        subject: 'big',
        text: 'x'.repeat(600 * 1024),
      }),
    ).rejects.toMatchObject({ responseCode: 552 });
    expect(outcomes.length).toBe(before);
  });

  it('release ingests a quarantined mail as the named source; discard keeps it, marked; both audited', async () => {
    const held = await send({
      from: 'bob@newpartner.example',
      to: 'reports@tocsin.example',
      subject: 'report',
      text: 'Open RDP at 192.0.2.123.',
    });
    expect(held.status).toBe('quarantined');
    const released = await releaseMail(deps, {
      id: held.id,
      source: 'new-partner',
      by: 'analyst-a',
      reason: 'known contact',
    });
    expect(released.reports).toHaveLength(1);
    expect(await processedReport(released.reports[0] ?? '')).toMatchObject({
      status: 'processed',
      source: 'new-partner',
    });
    expect(await findMail(store, held.id)).toMatchObject({
      status: 'released',
      source: 'new-partner',
      decidedBy: 'analyst-a',
      reportIds: released.reports,
    });
    const again = await releaseMail(deps, { id: held.id, source: 'new-partner', by: 'analyst-a' }).catch(
      (error: unknown) => error,
    );
    expect(isAppError(again) && again.code).toBe('mail.not_quarantined');

    const spam = await send({
      from: 'spam@unknown.example',
      to: 'reports@tocsin.example',
      subject: 'win',
      text: 'win',
    });
    await discardMail(store, { id: spam.id, by: 'analyst-b', reason: 'spam' });
    expect(await findMail(store, spam.id)).toMatchObject({
      status: 'discarded',
      decidedBy: 'analyst-b',
      decisionReason: 'spam',
    });
    expect(await readMailRaw(store, spam.id)).toBeDefined();
    const audit = await store.db
      .selectFrom('audit_log')
      .select(['actor', 'action', 'subject'])
      .where('action', 'in', ['mail.release', 'mail.discard'])
      .orderBy('id')
      .execute();
    expect(audit).toEqual([
      { actor: 'analyst-a', action: 'mail.release', subject: held.id },
      { actor: 'analyst-b', action: 'mail.discard', subject: spam.id },
    ]);
  });
});
