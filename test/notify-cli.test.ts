import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend, createPostgresDatabase } from './db.ts';
import { runTocsin } from './process.ts';
import { startSmtpServer, type TestSmtpServer } from './smtp.ts';

/**
 * The notification commands as an operator runs them, one process after another: the example directory and
 * the routing fixture's events, routed; `tocsin notify run --dry-run`, then a real run against an SMTP server
 * on loopback (SMTP_URL), `tocsin tickets show`, and a second run that sends nothing.
 */
const path = (relative: string): string => fileURLToPath(new URL(relative, import.meta.url));
let env: Record<string, string>;
let dropDatabase: (() => Promise<void>) | undefined;
let server: TestSmtpServer;
/** Beyond the quiet period of the shipped policy (5 minutes) for batches ingested just now. */
const later = () => new Date(Date.now() + 10 * 60_000).toISOString();

beforeAll(async () => {
  server = await startSmtpServer();
  env = {
    TOCSIN_DATA_DIR: mkdtempSync(join(tmpdir(), 'tocsin-notify-')),
    LOG_LEVEL: 'silent',
    SMTP_URL: `smtp://127.0.0.1:${server.port}`,
  };
  if (backend === 'postgres') {
    const database = await createPostgresDatabase();
    env.DATABASE_URL = database.url;
    dropDatabase = database.drop;
  }
  const run = async (args: string[]) => {
    expect((await runTocsin(args, env)).code).toBe(0);
  };
  await run(['directory', 'import', path('../config/directory/example.yaml')]);
  await run(['ingest', '--source', 'partner-x', path('./fixtures/routing/events.jsonl')]);
  await run(['sources', 'set-reliability', 'partner-x', 'B', '--by', 'test', '--reason', 'known partner']);
  await run(['route']);
}, 120_000);

afterAll(async () => {
  await server.close();
  await dropDatabase?.();
});

describe(`tocsin notify run on ${backend}`, { timeout: 120_000 }, () => {
  it('waits for the quiet period, then a dry run lists what would go to whom and writes nothing', async () => {
    const now = await runTocsin(['notify', 'run', '--dry-run'], env);
    expect(now.code).toBe(0);
    expect(now.stdout).toMatch(/0 warnings would be made/);
    expect(now.stdout).toMatch(/waiting until .* \(quiet-period\)/);
    const dry = await runTocsin(['notify', 'run', '--dry-run', '--json', '--now', later()], env);
    expect(dry.code).toBe(0);
    const plan = JSON.parse(dry.stdout) as {
      tickets: { recipient: string; messages: { to: string; subject: string }[] }[];
    };
    expect(plan.tickets.length).toBeGreaterThan(0);
    for (const t of plan.tickets) {
      for (const m of t.messages) expect(m.subject).toMatch(/^\[TLP:[A-Z+]+\] \[DRYRUN-\d{4}\] /);
    }
    expect(server.received).toHaveLength(0);
  });

  it('sends each warning once over SMTP, with a ticket to show; a second run sends nothing', async () => {
    const dry = JSON.parse(
      (await runTocsin(['notify', 'run', '--dry-run', '--json', '--now', later()], env)).stdout,
    ) as {
      tickets: { recipient: string; messages: { to: string }[] }[];
    };
    const expected = dry.tickets.flatMap((t) => t.messages.map((m) => m.to)).sort();
    const run = await runTocsin(['notify', 'run', '--json', '--now', later()], env);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as {
      tickets: number;
      messages: number;
      delivery: { sent: number };
    };
    expect(result.tickets).toBe(dry.tickets.length);
    expect(result.delivery.sent).toBe(expected.length);
    expect(server.received.flatMap((m) => m.to).sort()).toEqual(expected);
    const ticket = /\[(\d{8}-\d{8})\]/.exec(server.received[0]?.raw ?? '')?.[1] ?? '';
    const shown = await runTocsin(['tickets', 'show', ticket], env);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`Ticket ${ticket}: sent`);
    expect(shown.stdout).toMatch(/queued -> sending by system/);
    const listed = await runTocsin(['tickets', 'list', '--state', 'sent', '--json'], env);
    expect(listed.code).toBe(0);
    const tickets = JSON.parse(listed.stdout) as { id: string; state: string }[];
    expect(tickets).toHaveLength(dry.tickets.length);
    expect(tickets.map((t) => t.id)).toContain(ticket);
    expect((await runTocsin(['tickets', 'list', '--state', 'lost'], env)).code).toBe(2);
    const again = JSON.parse(
      (await runTocsin(['notify', 'run', '--json', '--now', later()], env)).stdout,
    ) as {
      tickets: number;
      delivery: { sent: number };
    };
    expect(again).toMatchObject({ tickets: 0, delivery: { sent: 0 } });
    expect(server.received).toHaveLength(expected.length);
  });
});
