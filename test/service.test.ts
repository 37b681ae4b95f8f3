import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend, createPostgresDatabase } from './db.ts';
import { runTocsin, startNode, startTocsin, type RunningProcess } from './process.ts';

/**
 * The service as an operator runs it: real processes, real ports, real signals, on this run's backend
 * (a fresh data directory for PGlite, a fresh database for PostgreSQL).
 */
let env: Record<string, string>;
let dropDatabase: (() => Promise<void>) | undefined;

beforeAll(async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tocsin-service-'));
  env = { TOCSIN_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'info' };
  if (backend === 'postgres') {
    const database = await createPostgresDatabase();
    env.DATABASE_URL = database.url;
    dropDatabase = database.drop;
  }
});

afterAll(async () => {
  await dropDatabase?.();
});

async function listening(service: RunningProcess): Promise<string> {
  const line = await service.waitForLog((l) => l.msg === 'listening');
  return String(line.url);
}

describe(`tocsin serve on ${backend}`, () => {
  // How fast it starts is measured by command and quoted in the README, not asserted here.
  it('answers /healthz, migrates on first start and exits 0 on SIGTERM', async () => {
    const service = startTocsin(['serve'], env);
    try {
      const url = await listening(service);
      const response = await fetch(`${url}/healthz`);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ status: 'ok', database: { backend, ok: true } });
      expect(service.logs()).toContainEqual(expect.objectContaining({ msg: 'database migrated' }));
    } finally {
      service.child.kill('SIGTERM');
    }
    const exit = await service.exited;
    expect(exit.code).toBe(0);
    expect(exit.stderr).toBe('');
  });

  it('reuses the database on a second start without migrating again', async () => {
    const service = startTocsin(['serve'], env);
    await listening(service);
    const state = service.logs().find((l) => l.msg === 'database schema up to date');
    expect(state).toMatchObject({ applied: 0, schemaVersion: expect.any(Number) as number });
    expect(service.logs().some((l) => l.msg === 'migration applied')).toBe(false);
    service.child.kill('SIGINT');
    expect((await service.exited).code).toBe(0);
  });

  it('lets a request in flight at SIGTERM complete, then exits 0', async () => {
    const fixture = fileURLToPath(new URL('./fixtures/slow-service.ts', import.meta.url));
    const service = startNode(fixture, [], env);
    const url = await listening(service);
    const slow = fetch(`${url}/slow`);
    await service.waitForLog((l) => l.msg === 'slow request started');
    service.child.kill('SIGTERM');
    await service.waitForLog((l) => l.msg === 'shutting down');
    // Once shutting down, the server accepts no new connections.
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    const response = await slow;
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('finished after SIGTERM');
    const exit = await service.exited;
    expect(exit.code).toBe(0);
    const steps = service
      .logs()
      .filter((l) => l.msg === 'shutdown step done')
      .map((l) => l.step);
    expect(steps).toEqual(['http', 'intake', 'notification', 'database']);
  });
});

describe.runIf(backend === 'pglite')('the embedded database', () => {
  it('refuses a second process on the same data directory with a clear message', async () => {
    const service = startTocsin(['serve'], env);
    await listening(service);
    const second = await runTocsin(['migrate'], env);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`is in use by process ${service.child.pid}`);
    expect(second.stderr).toContain('DATABASE_URL');
    service.child.kill('SIGTERM');
    expect((await service.exited).code).toBe(0);
  });
});

describe.runIf(backend === 'postgres')('migrations on a PostgreSQL server', () => {
  it('two tocsin migrate started together both exit 0 and record each migration once', async () => {
    const database = await createPostgresDatabase();
    try {
      const both = await Promise.all([
        runTocsin(['migrate', '--json'], { ...env, DATABASE_URL: database.url, LOG_LEVEL: 'silent' }),
        runTocsin(['migrate', '--json'], { ...env, DATABASE_URL: database.url, LOG_LEVEL: 'silent' }),
      ]);
      expect(both.map((e) => e.code)).toEqual([0, 0]);
      const applied = both.flatMap(
        (e) => (JSON.parse(e.stdout) as { applied: { version: number }[] }).applied,
      );
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      const { rows } = await client.query<{ version: number; n: number }>(
        'select version, count(*)::int as n from schema_migrations group by version order by version',
      );
      await client.end();
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.every((r) => r.n === 1)).toBe(true);
      expect(applied.map((m) => m.version).sort((a, b) => a - b)).toEqual(rows.map((r) => r.version));
    } finally {
      await database.drop();
    }
  });
});

describe('configuration errors', () => {
  it('PORT=abc DATABASE_URL=nonsense prints one message naming both and exits 2, without a stack trace', async () => {
    const exit = await runTocsin(['serve'], { ...env, PORT: 'abc', DATABASE_URL: 'nonsense' });
    expect(exit.code).toBe(2);
    expect(exit.stderr).toContain('Invalid configuration (2 problems)');
    expect(exit.stderr).toContain('PORT = "abc"');
    expect(exit.stderr).toContain('DATABASE_URL = "nonsense"');
    expect(exit.stderr).not.toMatch(/^\s+at /m);
    expect(exit.stdout).toBe('');
  });
});
