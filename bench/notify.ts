/**
 * Notification benchmark (issue goals: rendering ≥ 5,000 messages/s; SMTP delivery on loopback ≥ 500
 * messages/s): BENCH_NOTIFY_EVENTS events (default 100,000) for BENCH_NOTIFY_RECIPIENTS recipients (default
 * 10,000), built through the real pipeline (ingest, assess, route) on an in-memory PGlite database (and on
 * a scratch PostgreSQL database when DATABASE_URL is set), then
 * - rendering: composing every message (templates, CSV, signed links), pure, in this thread;
 * - compose and queue: the scheduler's whole run (plan, load, compose, write tickets and outbox rows);
 * - SMTP delivery: the outbox sent over SMTP to a local server in a child process (pooled connections).
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'kysely';
import pg from 'pg';
import { withScratchDatabase } from './scratch-database.ts';
import { loadFramework, type Framework } from '../src/assessment/index.ts';
import {
  composeDue,
  composeMessage,
  loadNotificationPolicy,
  loadTemplates,
  sendDueMessages,
  SmtpWorkerPool,
  ticketLinks,
  type ComposeInput,
  type NotificationPolicy,
  type TemplateSet,
} from '../src/notification/index.ts';
import { createPgliteStore, createPostgresStore, migrate, type Store } from '../src/platform/db/index.ts';
import { createLogger, type Logger } from '../src/platform/log.ts';
import { importScenarioDirectory, ingestScenarioFeed, scenarioProfile } from '../test/notify-scenario.ts';

const path = (relative: string) => fileURLToPath(new URL(relative, import.meta.url));
const secret = 'bench-secret-of-at-least-thirty-two-characters';

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function line(label: string, count: number, unit: string, s: number): void {
  process.stdout.write(
    `${label.padEnd(44)} ${count.toLocaleString('en-US').padStart(8)} ${unit.padEnd(9)} ${s.toFixed(2).padStart(7)} s ` +
      `${Math.round(count / s)
        .toLocaleString('en-US')
        .padStart(8)} ${unit}/s\n`,
  );
}

async function startSink(): Promise<{ port: number; count(): Promise<number>; stop(): void }> {
  const child = spawn(process.execPath, [path('./smtp-sink.ts')], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const waiting: ((line: string) => void)[] = [];
  lines.on('line', (l) => waiting.shift()?.(l));
  const next = () => new Promise<string>((resolve) => waiting.push(resolve));
  const port = Number((await next()).split(' ')[1]);
  return {
    port,
    count: async () => {
      child.stdin.write('?\n');
      return Number((await next()).split(' ')[1]);
    },
    stop: () => child.stdin.end(),
  };
}

export async function runNotifyBench(): Promise<void> {
  const events = Number(process.env.BENCH_NOTIFY_EVENTS ?? 100_000);
  const recipients = Number(process.env.BENCH_NOTIFY_RECIPIENTS ?? 10_000);
  const perRecipient = Math.max(1, Math.round(events / recipients));
  const policy = loadNotificationPolicy(path('../config/notification/notification.yaml'));
  const templates = loadTemplates(policy.templatesDir);
  const framework = await loadFramework(path('../config/assessment/framework.yaml'));
  const log = createLogger({ level: 'warn', toStderr: true });

  // Rendering alone: the same shape of message as the scenario, composed from memory.
  const expires = new Date(Date.now() + policy.linkExpiryMs);
  const inputs: ComposeInput[] = Array.from({ length: recipients }, (_, i) => ({
    ticket: `20261202-${String(i + 1).padStart(8, '0')}`,
    language: i % 2 === 0 ? 'nl' : 'en',
    template: 'default',
    tlp: 'AMBER',
    severity: 'high',
    reason: 'new',
    sender: scenarioProfile.identity,
    desk: 'DTC',
    recipient: `Organisatie ${i} B.V.`,
    events: Array.from({ length: perRecipient }, (_, k) => ({
      data: {
        'feed.name': 'Accessible-RDP',
        'classification.type': 'vulnerable-system',
        'classification.identifier': 'open-rdp',
        'source.ip': `2001:db8:${(i + 1).toString(16)}::${(k + 1).toString(16)}`,
        'source.port': 3389,
        'protocol.transport': 'tcp',
        'time.source': '2026-12-01T04:00:00+00:00',
      },
      firstSeen: new Date('2026-12-01T06:00:00Z'),
      lastSeen: new Date('2026-12-01T06:00:00Z'),
    })),
    reasons: [{ nl: 'Eén melding van een betrouwbare bron', en: 'One report from a reliable source' }],
    links: { acknowledge: '', resolved: '', dispute: '' },
    linksExpire: expires,
  }));
  process.stdout.write(
    `node ${process.version}, ${cpus().length} cores; ${recipients.toLocaleString('en-US')} messages of ${perRecipient} events\n`,
  );
  for (const pass of ['first', 'second']) {
    const start = process.hrtime.bigint();
    let bytes = 0;
    for (const input of inputs) {
      const links = ticketLinks(
        secret,
        'https://meldpunt.example',
        input.ticket,
        `abuse@org.example`,
        expires,
      );
      const m = composeMessage(templates, policy, { ...input, links });
      bytes += m.text.length + (m.html?.length ?? 0);
    }
    line(
      `rendering, ${pass} pass (${Math.round(bytes / recipients)} chars/msg)`,
      recipients,
      'messages',
      seconds(start),
    );
  }

  const setup = { recipients, perRecipient, policy, templates, framework, log };
  await measureStore('pglite (in memory)', createPgliteStore(await PGlite.create()), setup);
  const databaseUrl = process.env.DATABASE_URL;
  if (databaseUrl) {
    await withScratchDatabase(databaseUrl, 'tocsin_bench_notify', async (url) => {
      const pool = new pg.Pool({ connectionString: url, max: 8 });
      await measureStore('postgres', createPostgresStore(pool), setup);
    });
  }
}

async function measureStore(
  label: string,
  store: Store,
  setup: {
    recipients: number;
    perRecipient: number;
    policy: NotificationPolicy;
    templates: TemplateSet;
    framework: Framework;
    log: Logger;
  },
): Promise<void> {
  const { recipients, perRecipient, policy, templates, framework, log } = setup;
  process.stdout.write(`-- ${label}\n`);
  await migrate(store);
  let start = process.hrtime.bigint();
  await importScenarioDirectory(store, recipients);
  await ingestScenarioFeed(store, log, framework, recipients, () => perRecipient);
  line('setup: directory, ingest, assess, route', recipients * perRecipient, 'events', seconds(start));
  const deps = {
    store,
    policy: { ...policy, quietPeriodMs: { default: 0, feeds: {} } },
    templates,
    profile: scenarioProfile,
    secret,
    publicUrl: 'https://meldpunt.example',
  };
  start = process.hrtime.bigint();
  const composed = await composeDue(deps);
  const messages = composed.tickets.reduce((n, t) => n + t.messages.length, 0);
  line('compose and queue (plan, compose, write)', messages, 'messages', seconds(start));

  const sink = await startSink();
  const transport = new SmtpWorkerPool({
    url: `smtp://127.0.0.1:${sink.port}`,
    maxConnections: 10,
    threads: Number(process.env.BENCH_SMTP_THREADS ?? 1),
  });
  try {
    start = process.hrtime.bigint();
    let sent = 0;
    for (;;) {
      const result = await sendDueMessages(store, (m) => transport.send(m), {
        limit: 1000,
        concurrency: 20,
        rateLimits: { perMinute: 1_000_000, domains: {} },
      });
      const done = result.sent + result.bounced + result.failed + result.retrying;
      sent += result.sent;
      if (done === 0) break;
    }
    const s = seconds(start);
    const received = await sink.count();
    line(`SMTP delivery (server received ${received.toLocaleString('en-US')})`, sent, 'messages', s);
    const states = await sql<{
      state: string;
      n: string;
    }>`select state, count(*) as n from tickets group by state`.execute(store.db);
    process.stdout.write(`tickets: ${states.rows.map((r) => `${r.state} ${r.n}`).join(', ')}\n`);
  } finally {
    transport.close();
    sink.stop();
    await store.close();
  }
}
