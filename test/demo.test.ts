import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemo, type DemoDeps } from '../src/demo/index.ts';
import { FeedParsers, ReportProcessor } from '../src/intake/index.ts';
import {
  composeDue,
  loadNotificationPolicy,
  loadTemplates,
  type NotifierDeps,
} from '../src/notification/index.ts';
import { assessAndRouteAfterReport } from '../src/pipeline/index.ts';
import type { Store } from '../src/platform/db/index.ts';
import { createMemoryLogger, shippedFramework } from './app.ts';
import { backend, createPostgresDatabase, createTestStore } from './db.ts';
import { scenarioProfile } from './notify-scenario.ts';
import { startTocsin, runTocsin, type RunningProcess } from './process.ts';

/** Who the sample feeds warn, one message per mailbox (config/demo/directory.yaml). */
const expectedMailboxes = [
  'abuse@hosting-demo.example', // digital service provider, direct: open services; an infected system
  'abuse@hosting-demo.example',
  'cert@branche-demo.example', // the link organisation, for the web shop (RDP) and the SaaS (infection)
  'cert@branche-demo.example',
  'cert@cert-de-demo.example', // the national CERT of DE, for an address there
  'csirt@mindemo.example', // central government
  'security@machinefabriek-demo.example', // a business without a link organisation
  'security@machinefabriek-demo.example',
  'soc@voorbeeldpolder.example', // vital
];

async function counts(store: Store): Promise<Record<string, number>> {
  const tables = [
    'organisations',
    'netobjects',
    'contacts',
    'link_organisation_serves',
    'national_certs',
    'events',
    'directives',
    'source_reliability_changes',
  ];
  const out: Record<string, number> = {};
  for (const table of tables) {
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(
      store.db,
    );
    out[table] = rows[0]?.n ?? 0;
  }
  return out;
}

describe(`tocsin demo in process on ${backend}`, { timeout: 120_000 }, () => {
  let store: Store;
  let deps: DemoDeps;
  let notifier: NotifierDeps;
  const { log } = createMemoryLogger();

  beforeAll(async () => {
    store = await createTestStore();
    const work = mkdtempSync(join(tmpdir(), 'tocsin-demo-'));
    // The service's processor, without the IP table: the demo's documentation addresses are in none.
    const processor = new ReportProcessor(
      { store, parsers: new FeedParsers({ shadowserverSchemaPath: join(work, 'none.json') }) },
      log,
      assessAndRouteAfterReport({
        store,
        log,
        homeCountry: 'NL',
        profile: scenarioProfile,
        framework: shippedFramework,
      }),
    );
    deps = { processor, workDir: join(work, 'uploads') };
    const policy = loadNotificationPolicy(
      fileURLToPath(new URL('../config/notification/notification.yaml', import.meta.url)),
    );
    notifier = {
      store,
      // As `tocsin demo` without a service: no quiet period for the demo feeds in this run.
      policy: { ...policy, quietPeriodMs: { ...policy.quietPeriodMs, feeds: { 'tocsin-demo': 0 } } },
      templates: loadTemplates(policy.templatesDir),
      profile: scenarioProfile,
      secret: 'demo-test-secret-of-at-least-32-characters',
      publicUrl: 'https://meldpunt.example',
    };
  });
  afterAll(async () => {
    await store.close();
  });

  it('loads the sample directory and feeds, and every recipient gets a warning', async () => {
    const result = await loadDemo(store, deps);
    expect(result.source).toEqual({ name: 'tocsin-demo', reliability: 'B', changed: true });
    expect(result.reports.map((r) => [r.status, r.rejected])).toEqual([
      ['processed', 0],
      ['processed', 0],
    ]);
    expect(result.reports.reduce((n, r) => n + r.accepted, 0)).toBe(12);
    const plan = await composeDue(notifier);
    const messages = plan.tickets.flatMap((t) => t.messages.map((m) => ({ ticket: t.id, ...m })));
    expect(messages.map((m) => m.to).sort()).toEqual(expectedMailboxes);
    for (const m of messages) {
      expect(m.subject).toContain('[TLP:');
      expect(m.subject).toContain(`[${m.ticket}]`);
      expect(m.ticket).toMatch(/^\d{8}-\d+$/);
    }
    expect(plan.unreachable).toEqual([]);
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from outbox`.execute(store.db);
    expect(rows[0]?.n).toBe(expectedMailboxes.length);
  });

  it('loaded again, adds no directory rows, no events and no warnings', async () => {
    const before = await counts(store);
    const result = await loadDemo(store, deps);
    expect(result.source.changed).toBe(false);
    expect(result.reports.map((r) => r.accepted)).toEqual([0, 0]);
    expect(await counts(store)).toEqual(before);
    expect((await composeDue(notifier)).tickets).toEqual([]);
  });
});

describe(`tocsin demo against a running tocsin serve on ${backend}`, { timeout: 120_000 }, () => {
  let env: Record<string, string>;
  let drop: (() => Promise<void>) | undefined;
  let service: RunningProcess | undefined;

  beforeAll(async () => {
    env = {
      TOCSIN_DATA_DIR: mkdtempSync(join(tmpdir(), 'tocsin-demo-service-')),
      PORT: '0',
      LOG_LEVEL: 'info',
      TOCSIN_NOTIFY_EVERY_MS: '1000',
    };
    if (backend === 'postgres') {
      const database = await createPostgresDatabase();
      env.DATABASE_URL = database.url;
      drop = database.drop;
    }
  });
  afterAll(async () => {
    if (service !== undefined && service.child.exitCode === null) {
      service.child.kill('SIGTERM');
      await service.exited;
    }
    await drop?.();
  });

  it('loads the demo through the service, whose outbox then holds the warnings', async () => {
    service = startTocsin(['serve'], env);
    const url = String((await service.waitForLog((l) => l.msg === 'listening')).url);
    const demo = await runTocsin(['demo', '--url', url], env);
    // In process (PostgreSQL) the command logs its migration check to stderr, as every command does.
    if (backend === 'pglite') expect(demo.stderr).toBe('');
    expect(demo.code).toBe(0);
    // Embedded: the service holds the data directory and loads the demo; PostgreSQL: the command does.
    expect(demo.stdout).toContain(
      backend === 'pglite'
        ? `Demo loaded by the service at ${url}`
        : 'Demo loaded into the PostgreSQL database',
    );
    const key = /tocsin_[0-9a-f]{12}_[A-Za-z0-9_-]{43}/.exec(demo.stdout)?.[0];
    expect(key).toBeDefined();

    let subjects: string[] = [];
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const response = await fetch(`${url}/outbox`, { headers: { authorization: `Bearer ${key ?? ''}` } });
      expect(response.status).toBe(200);
      subjects = [...(await response.text()).matchAll(/\[TLP:[A-Z+]+\] \[\d{8}-\d+\][^<]*/g)].map(
        (m) => m[0],
      );
      if (subjects.length >= expectedMailboxes.length) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(subjects).toHaveLength(expectedMailboxes.length);

    // Without the token the route refuses; with a PostgreSQL server there is no such route at all.
    const refused = await fetch(`${url}/api/v1/demo`, {
      method: 'POST',
      headers: { authorization: 'Bearer not-the-token' },
    });
    expect(refused.status).toBe(backend === 'pglite' ? 401 : 404);

    service.child.kill('SIGTERM');
    expect((await service.exited).code).toBe(0);
  });
});

describe(`tocsin demo with no service running on ${backend}`, { timeout: 120_000 }, () => {
  it('opens the store itself, makes the warnings at once and prints them with an administrator key', async () => {
    const env: Record<string, string> = {
      TOCSIN_DATA_DIR: mkdtempSync(join(tmpdir(), 'tocsin-demo-cli-')),
      // Nothing listens here: the command must not find a service.
      PORT: '9',
      LOG_LEVEL: 'warn',
    };
    const database = backend === 'postgres' ? await createPostgresDatabase() : undefined;
    if (database !== undefined) env.DATABASE_URL = database.url;
    try {
      const first = await runTocsin(['demo'], env);
      expect(first.code).toBe(0);
      expect(first.stdout).toContain(
        backend === 'pglite'
          ? 'no service answered, so this command opened the store itself'
          : 'Demo loaded into the PostgreSQL database by this command',
      );
      expect(first.stdout).toContain(`${expectedMailboxes.length} warnings made`);
      for (const mailbox of new Set(expectedMailboxes))
        expect(first.stdout).toContain(`to ${mailbox}: [TLP:`);
      expect(first.stdout).toMatch(/tocsin_[0-9a-f]{12}_[A-Za-z0-9_-]{43}/);
      const second = await runTocsin(['demo'], env);
      expect(second.code).toBe(0);
      expect(second.stdout).toContain('No new warnings');
    } finally {
      await database?.drop();
    }
  });
});
