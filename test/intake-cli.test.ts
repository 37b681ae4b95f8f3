import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend, createPostgresDatabase } from './db.ts';
import { runTocsin } from './process.ts';

/** The intake commands as an operator runs them, on this run's backend. */
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/intake/${name}`, import.meta.url));
let env: Record<string, string>;
let dropDatabase: (() => Promise<void>) | undefined;

beforeAll(async () => {
  env = { TOCSIN_DATA_DIR: mkdtempSync(join(tmpdir(), 'tocsin-cli-')), LOG_LEVEL: 'silent' };
  if (backend === 'postgres') {
    const database = await createPostgresDatabase();
    env.DATABASE_URL = database.url;
    dropDatabase = database.drop;
  }
});

afterAll(async () => {
  await dropDatabase?.();
});

interface IngestJson {
  report: string;
  status: string;
  accepted: number;
  duplicates: number;
  rejected: number;
  rejects: { line: number; field?: string; reason: string }[];
}

describe(`tocsin ingest on ${backend}`, () => {
  it('prints one JSON object per file and exits 0, also with rejects', async () => {
    const exit = await runTocsin(
      ['ingest', fixture('events.jsonl'), fixture('with-rejects.jsonl'), '--json'],
      env,
    );
    expect(exit.stderr).toBe('');
    expect(exit.code).toBe(0);
    const [clean, rejected] = exit.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as IngestJson);
    expect(clean).toMatchObject({
      status: 'processed',
      accepted: 5,
      duplicates: 0,
      rejected: 0,
      rejects: [],
    });
    expect(rejected).toMatchObject({ status: 'processed', accepted: 2, rejected: 4 });
    expect(rejected?.rejects[0]).toMatchObject({ line: 2, field: 'source.ip' });
  });

  it('the same file again: accepts 0 and reports every row as a duplicate', async () => {
    const exit = await runTocsin(['ingest', fixture('events.jsonl'), '--json'], env);
    expect(exit.code).toBe(0);
    expect(JSON.parse(exit.stdout) as IngestJson).toMatchObject({ accepted: 0, duplicates: 5, rejected: 0 });
  });

  it('exits 1 when nothing could be read, naming the problem', async () => {
    const missing = await runTocsin(['ingest', '/nonexistent/file.csv'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('/nonexistent/file.csv: no such file');
    const unknown = await runTocsin(['ingest', fixture('README.md')], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('cannot tell the feed');
  });

  it('rejects an unknown --feed with a usage error', async () => {
    const exit = await runTocsin(['ingest', fixture('events.jsonl'), '--feed', 'stix'], env);
    expect(exit.code).toBe(2);
    expect(exit.stderr).toContain('--feed stix');
  });

  it('exports IntelMQ JSON lines, Tocsin JSON lines and CSV', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tocsin-export-'));
    for (const format of ['intelmq', 'jsonl', 'csv']) {
      const exit = await runTocsin(
        ['events', 'export', '--format', format, '--out', join(dir, `out.${format}`)],
        env,
      );
      expect(exit.code).toBe(0);
    }
    const intelmq = readFileSync(join(dir, 'out.intelmq'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(intelmq).toHaveLength(7);
    const phishing = intelmq.find((e) => e['classification.type'] === 'phishing');
    // TLP:AMBER+STRICT has no IntelMQ equivalent: AMBER is the nearest (lossy) label.
    expect(phishing).toMatchObject({
      tlp: 'AMBER',
      'source.url': 'http://login.example.test/verify',
      'source.fqdn': 'login.example.test',
    });
    expect(Buffer.from(String(phishing?.raw), 'base64').toString()).toContain(
      'hxxp://login.example.test/verify',
    );
    expect(Object.keys(phishing ?? {}).some((k) => !/^[a-z_]+(\.[a-z0-9_]+)*$/.test(k))).toBe(false);
    const jsonl = readFileSync(join(dir, 'out.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; reports: string[] });
    expect(jsonl.every((r) => /^[0-9a-f-]{36}$/.test(r.id) && r.reports.length >= 1)).toBe(true);
    const csv = readFileSync(join(dir, 'out.csv'), 'utf8').split('\r\n');
    expect(csv[0]).toMatch(/^id,time\.source,/);
    expect(csv.filter((l) => l !== '')).toHaveLength(8);
  });

  it('keeps standard output for the export: log lines go to standard error', async () => {
    // A fresh data directory (or database) with logging on: migrations are logged while the export runs.
    const fresh: Record<string, string> = { ...env, LOG_LEVEL: 'info' };
    if (backend === 'pglite') fresh.TOCSIN_DATA_DIR = mkdtempSync(join(tmpdir(), 'tocsin-cli-'));
    const exit = await runTocsin(['events', 'export', '--format', 'jsonl'], fresh);
    expect(exit.code).toBe(0);
    for (const line of exit.stdout.split('\n').filter((l) => l !== '')) {
      expect(JSON.parse(line)).toHaveProperty('id');
    }
    if (backend === 'pglite') expect(exit.stderr).toContain('"msg":"database migrated"');
  });

  it('refuses a bad --format and a bad --since', async () => {
    expect((await runTocsin(['events', 'export', '--format', 'xml'], env)).code).toBe(2);
    const since = await runTocsin(['events', 'export', '--format', 'csv', '--since', 'last tuesday'], env);
    expect(since.code).toBe(2);
    expect(since.stderr).toContain('expected an ISO-8601 time');
  });
});

describe(`tocsin keys on ${backend}`, () => {
  it('creates a key shown once, lists it without the secret, revokes it', async () => {
    const created = await runTocsin(
      ['keys', 'create', '--source', 'partner-x', '--scope', 'reports:write', '--json'],
      env,
    );
    expect(created.code).toBe(0);
    const { key, prefix } = JSON.parse(created.stdout) as { key: string; prefix: string };
    expect(key).toMatch(/^tocsin_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    const listed = await runTocsin(['keys', 'list'], env);
    expect(listed.stdout).toContain(prefix);
    // The secret is everything after the prefix (base64url, so it may hold "_" itself).
    const secret = key.slice(`tocsin_${prefix}_`.length);
    expect(secret).toHaveLength(43);
    expect(listed.stdout).not.toContain(secret);
    expect((await runTocsin(['keys', 'revoke', prefix], env)).code).toBe(0);
    expect((await runTocsin(['keys', 'list'], env)).stdout).toContain('revoked');
    expect((await runTocsin(['keys', 'revoke', prefix], env)).code).toBe(1);
  });

  it('names the missing --source and a bad scope', async () => {
    expect((await runTocsin(['keys', 'create'], env)).stderr).toContain('--source NAME is required');
    const scope = await runTocsin(['keys', 'create', '--source', 'p', '--scope', 'root'], env);
    expect(scope.code).toBe(2);
    expect(scope.stderr).toContain('--scope root');
  });
});
