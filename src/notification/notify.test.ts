import { simpleParser } from 'mailparser';
import { sql } from 'kysely';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryLogger, shippedFramework } from '../../test/app.ts';
import { backend, createTestStore } from '../../test/db.ts';
import {
  importScenarioDirectory,
  ingestScenarioFeed,
  ipOf,
  mailboxOf,
  scenarioProfile,
} from '../../test/notify-scenario.ts';
import { startSmtpServer, type TestSmtpServer } from '../../test/smtp.ts';
import type { Store } from '../platform/db/index.ts';
import { verifyLink } from './links.ts';
import { composeDue, runNotifications, type NotifierDeps } from './notifier.ts';
import { loadNotificationPolicy } from './policy.ts';
import { SmtpTransport } from './smtp-transport.ts';
import { loadTemplates } from './templates.ts';
import { findTicket, recordTicketResponse } from './tickets.repo.ts';

const secret = 'notify-test-secret-of-at-least-32-chars';
const shipped = loadNotificationPolicy(
  fileURLToPath(new URL('../../config/notification/notification.yaml', import.meta.url)),
);
const minute = 60_000;
const recipients = 50;
/** 25 recipients with 10 events (inline), 25 with 30 (attached): 1,000 events. */
const eventsFor = (i: number) => (i < 25 ? 10 : 30);

let store: Store;
let server: TestSmtpServer;
let transport: SmtpTransport;
let deps: NotifierDeps;
const log = createMemoryLogger().log;

beforeAll(async () => {
  store = await createTestStore();
  server = await startSmtpServer();
  transport = new SmtpTransport({ url: `smtp://127.0.0.1:${server.port}`, timeoutMs: 5000 });
  deps = {
    store,
    policy: { ...shipped, inlineEvents: 25, quietPeriodMs: { default: minute, feeds: {} } },
    templates: loadTemplates(shipped.templatesDir),
    profile: scenarioProfile,
    secret,
    publicUrl: 'https://meldpunt.example',
  };
  await importScenarioDirectory(store, recipients);
  await ingestScenarioFeed(store, log, shippedFramework, recipients, eventsFor);
});
afterAll(async () => {
  transport.close();
  await server.close();
  await store.close();
});

const later = (ms: number) => new Date(Date.now() + ms);
const send = (m: Parameters<SmtpTransport['send']>[0]) => transport.send(m);
/**
 * Runs that write use the real clock and no quiet period, so that what they record (told at) and what the
 * database records (received at) stay in the order they happened.
 */
const settled = (): NotifierDeps => ({
  ...deps,
  policy: { ...deps.policy, quietPeriodMs: { default: 0, feeds: {} } },
});

describe(`warnings from the pipeline to a real SMTP server on ${backend}`, { timeout: 120_000 }, () => {
  it('waits for the quiet period: nothing is due while the batch settles', async () => {
    const plan = await composeDue(deps, { now: new Date(), dryRun: true });
    expect(plan.tickets).toEqual([]);
    expect(plan.waiting).toHaveLength(recipients);
    expect(plan.waiting.every((w) => w.why === 'quiet-period')).toBe(true);
  });

  it('a dry run shows the 50 warnings and writes nothing', async () => {
    const plan = await composeDue(deps, { now: later(2 * minute), dryRun: true });
    expect(plan.tickets).toHaveLength(recipients);
    expect(plan.tickets.reduce((n, t) => n + t.items.length, 0)).toBe(1000);
    const tickets = await sql<{ n: string }>`select count(*) as n from tickets`.execute(store.db);
    expect(Number(tickets.rows[0]?.n)).toBe(0);
  });

  it('1,000 events for 50 recipients become exactly the expected mails', async () => {
    const result = await runNotifications(settled(), send, { limit: 1000 });
    expect(result).toMatchObject({ tickets: 50, messages: 50, unreachable: 0 });
    expect(result.delivery).toEqual({ sent: 50, retrying: 0, failed: 0, bounced: 0 });
    expect(server.received).toHaveLength(50);
    const byRecipient = new Map(server.received.map((m) => [m.to.join(','), m]));
    expect([...byRecipient.keys()].sort()).toEqual(
      Array.from({ length: recipients }, (_, i) => mailboxOf(i)).sort(),
    );
    for (let i = 0; i < recipients; i++) {
      const raw = byRecipient.get(mailboxOf(i))?.raw ?? '';
      const mail = await simpleParser(raw);
      const ticket = /^\[TLP:[A-Z+]+\] \[(\d{8}-\d{8})\] /.exec(mail.subject ?? '')?.[1];
      expect(ticket, mail.subject).toBeDefined();
      expect(mail.subject).toContain(`(${eventsFor(i)})`);
      expect(mail.text?.startsWith(i % 2 === 0 ? 'Geachte Organisatie' : 'Dear Organisatie')).toBe(true);
      const csv = i < 25 ? (mail.text ?? '') : (mail.attachments[0]?.content.toString('utf8') ?? '');
      const ips = Array.from({ length: eventsFor(i) }, (_, k) => ipOf(i, k));
      for (const ip of ips) expect(csv).toContain(`,${ip},`);
      if (i < 25) {
        expect(mail.attachments).toHaveLength(0);
      } else {
        expect(mail.attachments.map((a) => [a.filename, a.contentType])).toEqual([
          [`${ticket}.csv`, 'text/csv'],
        ]);
        expect(csv.trim().split('\n')).toHaveLength(31);
        expect(mail.text).toContain(`${ticket}.csv`);
      }
      expect(mail.html).toContain('<a href="https://meldpunt.example/t/');
      const stored = await findTicket(store, ticket ?? '');
      expect(stored).toMatchObject({ recipient: `org-${i}`, state: 'sent', desk: 'dtc' });
      expect(stored?.events).toHaveLength(eventsFor(i));
    }
  });

  it('a second run sends nothing: nothing is told twice', async () => {
    const result = await runNotifications(settled(), send);
    expect(result).toMatchObject({ tickets: 0, messages: 0 });
    expect(result.delivery?.sent).toBe(0);
    expect(server.received).toHaveLength(50);
  });

  it('the links verify, and resolving then seeing the event again is a relapse told at once', async () => {
    const first = await simpleParser(server.received.find((m) => m.to[0] === mailboxOf(0))?.raw ?? '');
    const link = /https:\/\/meldpunt\.example\/t\/(\S+)/.exec(
      (first.text ?? '').split('\n').find((l) => l.includes('Opgelost')) ?? '',
    )?.[1];
    const check = verifyLink(secret, link ?? '');
    expect(check).toMatchObject({ ok: true, claims: { action: 'resolved', contact: mailboxOf(0) } });
    if (!check.ok) return;
    expect(await recordTicketResponse(store, { ...check.claims, comment: 'patched' })).toEqual({
      moved: true,
      state: 'resolved',
    });
    // The next day's scan still sees everything (new events of the same findings): for org-0 a relapse,
    // told at once; for the others nothing yet, they were told within the interval.
    await ingestScenarioFeed(
      store,
      log,
      shippedFramework,
      recipients,
      eventsFor,
      '2026-12-01T04:00:00+00:00',
    );
    const result = await runNotifications(settled(), send);
    expect(result).toMatchObject({ tickets: 1, messages: 1 });
    const relapse = await simpleParser(server.received.at(-1)?.raw ?? '');
    expect(server.received.at(-1)?.to).toEqual([mailboxOf(0)]);
    expect(relapse.text).toContain('opnieuw waargenomen');
    // A day later, the others are reminded: still seen after they were told.
    const reminders = await runNotifications(settled(), send, { now: later(25 * 60 * minute), limit: 1000 });
    expect(reminders).toMatchObject({ tickets: 49, messages: 49 });
    const reminder = await simpleParser(server.received.at(-1)?.raw ?? '');
    expect(reminder.text).toMatch(/herinnering|reminder/);
  });
});
