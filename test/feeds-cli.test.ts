import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeCorpus, shadowserverSchemaPath } from './corpus.ts';
import { runTocsin } from './process.ts';

/**
 * `tocsin feeds update-schema` as an operator runs it. The schema is served by a real HTTP server on
 * loopback, the way Shadowserver's interchange serves it; a tiny schema written here stands in for the real
 * one where the corpus is not needed.
 */
const tinySchema = {
  _meta: { date_created: '2026-11-01T00:00:00Z', change_log: ['test schema'] },
  scan_tiny: {
    constant_fields: {
      'classification.identifier': 'tiny',
      'classification.taxonomy': 'vulnerable',
      'classification.type': 'vulnerable-system',
    },
    feed_name: 'Tiny',
    file_name: 'scan_tiny',
    optional_fields: [['extra.', 'tag', 'validate_to_none']],
    required_fields: [
      ['time.source', 'timestamp', 'add_UTC_to_timestamp'],
      ['source.ip', 'ip', 'validate_ip'],
    ],
  },
};

const routes = new Map<string, { status: number; body: string }>([
  ['/schema', { status: 200, body: JSON.stringify(tinySchema) }],
  [
    '/broken',
    { status: 200, body: '{"scan_tiny": {"required_fields": [["source.ip", "ip", "no_such_function"]]}}' },
  ],
  ['/not-json', { status: 200, body: '<html>maintenance</html>' }],
]);
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    const route = routes.get(request.url ?? '');
    response.writeHead(route?.status ?? 404, { 'content-type': 'application/json' });
    response.end(route?.body ?? '{"error":"not found"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

function dataDir(): { env: Record<string, string>; installed: string } {
  const dir = mkdtempSync(join(tmpdir(), 'tocsin-feeds-'));
  return {
    env: { TOCSIN_DATA_DIR: dir, LOG_LEVEL: 'silent' },
    installed: join(dir, 'shadowserver', 'intelmq.json'),
  };
}

describe('tocsin feeds update-schema', () => {
  it('installs the schema from a URL, and a feed of that report type then parses', async () => {
    const { env, installed } = dataDir();
    const exit = await runTocsin(['feeds', 'update-schema', '--url', `${base}/schema`], env);
    expect(exit.code).toBe(0);
    expect(exit.stdout).toContain('1 report types');
    expect(JSON.parse(readFileSync(installed, 'utf8'))).toEqual(tinySchema);

    const csv = join(mkdtempSync(join(tmpdir(), 'tocsin-feeds-')), '2026-11-22-scan_tiny-nl.csv');
    writeFileSync(
      csv,
      '"timestamp","ip","tag"\n"2026-11-22 08:00:00","192.0.2.7","x"\n"2026-11-22 08:00:00","bad","y"\n',
    );
    const ingest = await runTocsin(['ingest', csv, '--json'], env);
    expect(ingest.code).toBe(0);
    const result = JSON.parse(ingest.stdout) as { accepted: number; rejected: number; rejects: unknown[] };
    expect(result).toMatchObject({ accepted: 1, rejected: 1 });
    expect(result.rejects).toEqual([expect.objectContaining({ line: 3, field: 'source.ip' })]);
  });

  it('keeps the installed schema when a download is missing, not JSON or not a valid schema', async () => {
    const { env, installed } = dataDir();
    expect((await runTocsin(['feeds', 'update-schema', '--url', `${base}/schema`], env)).code).toBe(0);
    const before = readFileSync(installed, 'utf8');
    for (const [path, expected] of [
      ['/gone', 'HTTP 404'],
      ['/not-json', 'not JSON'],
      ['/broken', 'no_such_function'],
    ] as const) {
      const exit = await runTocsin(['feeds', 'update-schema', '--url', `${base}${path}`], env);
      expect(exit.code, path).toBe(1);
      expect(exit.stderr, path).toContain(expected);
      expect(readFileSync(installed, 'utf8')).toBe(before);
    }
  });

  it('refuses --file together with --url, and names a file that cannot be read', async () => {
    const { env, installed } = dataDir();
    const both = await runTocsin(
      ['feeds', 'update-schema', '--file', 'x.json', '--url', `${base}/schema`],
      env,
    );
    expect(both.code).toBe(2);
    const missing = await runTocsin(['feeds', 'update-schema', '--file', '/nonexistent/intelmq.json'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('/nonexistent/intelmq.json');
    expect(existsSync(installed)).toBe(false);
  });

  it('says how to install the schema when a Shadowserver report arrives without one', async () => {
    const { env } = dataDir();
    const csv = join(mkdtempSync(join(tmpdir(), 'tocsin-feeds-')), '2026-11-22-scan_http-nl.csv');
    writeFileSync(csv, '"timestamp","ip"\n"2026-11-22 08:00:00","192.0.2.7"\n');
    const exit = await runTocsin(['ingest', csv], env);
    expect(exit.code).toBe(1);
    expect(exit.stdout + exit.stderr).toContain('tocsin feeds update-schema');
  });
});

describeCorpus('tocsin feeds update-schema with the published schema', ['shadowserver-report_schema'], () => {
  it('installs the corpus copy with --file and reports every report type', async () => {
    const { env, installed } = dataDir();
    const exit = await runTocsin(['feeds', 'update-schema', '--file', shadowserverSchemaPath], env);
    expect(exit.code).toBe(0);
    const types = Object.keys(JSON.parse(readFileSync(shadowserverSchemaPath, 'utf8')) as object).filter(
      (name) => name !== '_meta',
    ).length;
    expect(exit.stdout).toContain(`${types} report types`);
    expect(readFileSync(installed, 'utf8')).toBe(readFileSync(shadowserverSchemaPath, 'utf8'));
  });
});
