import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadIpTable } from '../src/enrichment/index.ts';
import { runTocsin } from './process.ts';

/** `tocsin lookup` as an operator runs it: the answers are the IP table's, for addresses and domains. */
describe('tocsin lookup', () => {
  it('answers each query in JSON: the IP table for addresses, the normalised name for domains', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tocsin-lookup-'));
    const queries = [
      '193.0.6.139',
      '2001:67C:2E8:22::C100:68B',
      '::ffff:8.8.8.8',
      'WWW.Example.NL.',
      '10.0.0.1',
    ];
    const exit = await runTocsin(['lookup', ...queries, '--json'], {
      TOCSIN_DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
    });
    expect(exit.code).toBe(0);
    const answers = JSON.parse(exit.stdout) as Record<string, unknown>[];
    const table = await loadIpTable({ cacheDir: join(dataDir, 'ip-table') });
    expect(table.stats.loadedFrom).toBe('cache');
    expect(answers.map((a) => a.query)).toEqual(queries);
    for (const answer of answers.filter((a) => a.kind === 'ip')) {
      const info = table.lookup(String(answer.normalised));
      expect(answer).toMatchObject({
        asn: info?.asn ?? null,
        as_name: info?.asName ?? null,
        network: info?.network ?? null,
        cc: info?.cc ?? null,
        owner: null,
      });
    }
    expect(answers.map((a) => a.normalised)).toEqual([
      '193.0.6.139',
      '2001:67c:2e8:22::c100:68b',
      '::ffff:8.8.8.8',
      'www.example.nl',
      '10.0.0.1',
    ]);
    expect(answers[0]?.asn).toEqual(expect.any(Number));
    expect(answers[4]).toMatchObject({ kind: 'ip', asn: null, cc: null });
  });

  it('names what is neither an address nor a domain and exits 1, answering the rest', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tocsin-lookup-'));
    const exit = await runTocsin(['lookup', '999.1.1.1', 'bad name!', '192.0.2.1'], {
      TOCSIN_DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
    });
    expect(exit.code).toBe(1);
    expect(exit.stderr).toContain('bad name!: not an IP address or a domain name');
    expect(exit.stdout).toContain('192.0.2.1:');
  });

  it('names the owner, its layer and constituency, and who would be warned, from the directory', async () => {
    const env = { TOCSIN_DATA_DIR: mkdtempSync(join(tmpdir(), 'tocsin-lookup-')), LOG_LEVEL: 'silent' };
    const directory = fileURLToPath(new URL('../config/directory/example.yaml', import.meta.url));
    expect((await runTocsin(['directory', 'import', directory], env)).code).toBe(0);
    const exit = await runTocsin(
      ['lookup', '192.0.2.10', 'www.energienet.example', '203.0.113.140', '--json'],
      env,
    );
    expect(exit.code).toBe(0);
    const answers = JSON.parse(exit.stdout) as Record<string, unknown>[];
    expect(answers[0]).toMatchObject({
      owner: 'energienet',
      layer: 'end-user',
      netobject: '192.0.2.0/25',
      constituency: 'vital',
      directives: [
        {
          desk: 'ncsc',
          channel: 'direct',
          recipient: 'energienet',
          on_behalf_of: null,
          rule: 'vital-and-government-end-user',
        },
      ],
    });
    expect(answers[1]).toMatchObject({ owner: 'energienet', netobject: 'energienet.example' });
    expect(answers[2]).toMatchObject({
      owner: 'ziekenhuis-voorbeeld',
      constituency: 'other-business',
      directives: [
        {
          desk: 'dtc',
          channel: 'via-link-organisation',
          recipient: 'zorg-cert',
          on_behalf_of: 'ziekenhuis-voorbeeld',
        },
      ],
    });
    const text = await runTocsin(['lookup', '192.0.2.10'], env);
    expect(text.stdout).toContain(
      'owner energienet (end-user by 192.0.2.0/25, vital); warned: ncsc direct to energienet',
    );
  });
});
