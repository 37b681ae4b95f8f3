import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend, createPostgresDatabase } from './db.ts';
import { runTocsin } from './process.ts';

/** The directory commands as an operator runs them, on this run's backend. */
const example = fileURLToPath(new URL('../config/directory/example.yaml', import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
let env: Record<string, string>;
let dir: string;
let dropDatabase: (() => Promise<void>) | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tocsin-directory-cli-'));
  env = { TOCSIN_DATA_DIR: dir, LOG_LEVEL: 'silent' };
  if (backend === 'postgres') {
    const database = await createPostgresDatabase();
    env.DATABASE_URL = database.url;
    dropDatabase = database.drop;
  }
});

afterAll(async () => {
  await dropDatabase?.();
});

describe(`tocsin directory on ${backend}`, () => {
  it('imports the example, exports YAML and CSV that import again unchanged', async () => {
    const imported = await runTocsin(['directory', 'import', example], env);
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain('imported 8 organisations');
    const yamlOut = join(dir, 'export.yaml');
    const exported = await runTocsin(['directory', 'export', '--out', yamlOut], env);
    expect(exported.code).toBe(0);
    const csv = await runTocsin(['directory', 'export', '--format', 'csv'], env);
    expect(csv.code).toBe(0);
    expect(csv.stdout.split('\n')[0]).toMatch(/^kind,id,organisation,name,/);
    const again = await runTocsin(['directory', 'import', yamlOut, '--json'], env);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ ok: true, written: { organisations: 8, desks: 3 } });
    const second = await runTocsin(['directory', 'export'], env);
    expect(second.stdout).toBe(readFileSync(yamlOut, 'utf8'));
  });

  it('exits 1 listing every problem and applies nothing', async () => {
    const bad = fixture('directory/bad.yaml');
    const exit = await runTocsin(['directory', 'import', bad], env);
    expect(exit.code).toBe(1);
    expect(exit.stderr).toContain('nothing imported');
    expect(exit.stderr).toContain(`${bad}: organisations[1] (bad-org) line 8: constituency:`);
    expect(exit.stderr).toContain(`${bad}: organisations[1] (bad-org) line 8: contacts[0].email:`);
    const exported = await runTocsin(['directory', 'export'], env);
    expect(exported.stdout).not.toContain('good-org');
  });

  it('imports RIPE split files under a name, and a re-import replaces them', async () => {
    const files = ['organisation', 'role.gz', 'inetnum', 'inet6num', 'aut-num'].map((c) =>
      fixture(`rpsl/ripe.db.${c}`),
    );
    const first = await runTocsin(['directory', 'import-ripe', '--name', 'ripe', '--json', ...files], env);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({
      netobjects: 10,
      organisations: 3,
      contacts: 2,
      problemCount: 4,
    });
    const again = await runTocsin(
      ['directory', 'import-ripe', '--name', 'ripe', '--country', 'NL', ...files],
      env,
    );
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(
      'import:ripe: 5 network objects, 2 organisations, 2 abuse contacts (replaced 15 rows), 4 problems',
    );
    expect(again.stdout).toMatch(/ripe\.db\.inetnum:33 \[inetnum\]/);
    // The manual directory is untouched by the import.
    const exported = await runTocsin(['directory', 'export'], env);
    expect(exported.stdout).toContain('id: energienet');
    expect(exported.stdout).not.toContain('ORG-EXA1-TEST');
  });

  it('usage errors exit 2', async () => {
    const noName = await runTocsin(['directory', 'import-ripe', fixture('rpsl/ripe.db.role')], env);
    expect(noName.code).toBe(2);
    expect(noName.stderr).toContain('--name NAME is required');
    const format = await runTocsin(['directory', 'export', '--format', 'xml'], env);
    expect(format.code).toBe(2);
  });
});
