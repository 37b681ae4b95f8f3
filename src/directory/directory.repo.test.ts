import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backend, createTestStore } from '../../test/db.ts';
import type { Store } from '../platform/db/index.ts';
import { classifyRipeFiles } from './classify-ripe-files.ts';
import { effectiveNetobjects } from './directory.repo.ts';
import { exportDirectory } from './export-directory.ts';
import { importDirectory, importDirectoryFiles, type DirectoryImportResult } from './import-directory.ts';
import { importRipe } from './import-ripe.ts';
import { formatProblem } from './model.ts';

const examplePath = fileURLToPath(new URL('../../config/directory/example.yaml', import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`../../test/fixtures/${name}`, import.meta.url));
const rpsl = (name: string) => fixture(`rpsl/${name}`);

let store: Store;
beforeEach(async () => {
  store = await createTestStore();
});
afterEach(async () => {
  await store.close();
});

/** Every directory row without generated ids and dates, in a stable order. */
async function snapshot(target: Store) {
  const db = target.db;
  return {
    organisations: await db
      .selectFrom('organisations')
      .select([
        'id',
        'name',
        'registry_id',
        'constituency',
        'nis2_class',
        'nis2_sector',
        'nis2_subsector',
        'country',
        'languages',
        'tlp_ceiling',
        'source',
      ])
      .orderBy('id')
      .execute(),
    netobjects: await db
      .selectFrom('netobjects')
      .select(['organisation_id', 'kind', 'value', 'status', 'source', 'name', 'country', 'abuse_email'])
      .orderBy('source')
      .orderBy('value')
      .orderBy('organisation_id')
      .execute(),
    contacts: await db
      .selectFrom('contacts')
      .select(['organisation_id', 'email', 'name', 'roles', 'language', 'openpgp_key', 'active', 'source'])
      .orderBy('organisation_id')
      .orderBy('email')
      .execute(),
    serves: await db
      .selectFrom('link_organisation_serves')
      .select(['link_organisation_id', 'organisation_id', 'sector'])
      .orderBy('link_organisation_id')
      .orderBy('organisation_id')
      .orderBy('sector')
      .execute(),
    certs: await db
      .selectFrom('national_certs')
      .select(['country', 'organisation_id'])
      .orderBy('country')
      .execute(),
    desks: await db
      .selectFrom('desks')
      .select(['id', 'name', 'identity_name', 'identity_email', 'constituencies'])
      .orderBy('id')
      .execute(),
  };
}

function expectOk(
  result: DirectoryImportResult,
): asserts result is Extract<DirectoryImportResult, { ok: true }> {
  if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'));
}

const yaml = (text: string, name = 'test.yaml') => ({ name, text, format: 'yaml' as const });

describe(`directory import and export on ${backend}`, () => {
  it('imports the example directory: organisations of each constituency, netobjects, contacts, desks', async () => {
    expectOk(await importDirectoryFiles(store, [examplePath]));
    const rows = await snapshot(store);
    expect(new Set(rows.organisations.map((o) => o.constituency))).toEqual(
      new Set([
        'vital',
        'central-government',
        'digital-service-provider',
        'other-business',
        'link-organisation',
        'foreign-cert',
      ]),
    );
    expect(rows.netobjects.find((n) => n.value === '2001:db8:100::/48')).toMatchObject({
      organisation_id: 'ministerie-voorbeeld',
      kind: 'cidr',
      status: 'claimed',
      source: 'manual',
    });
    expect(rows.netobjects.find((n) => n.value === 'AS64496')).toMatchObject({
      kind: 'asn',
      status: 'approved',
    });
    expect(rows.serves).toEqual([
      { link_organisation_id: 'zorg-cert', organisation_id: 'ziekenhuis-voorbeeld', sector: null },
      { link_organisation_id: 'zorg-cert', organisation_id: null, sector: 'health' },
    ]);
    expect(new Set(rows.desks.map((d) => d.identity_email))).toEqual(new Set(['cert@ncsc.example']));
    expect(rows.certs).toEqual([
      { country: 'BE', organisation_id: 'cert-be-example' },
      { country: 'DE', organisation_id: 'cert-de-example' },
    ]);
  });

  for (const format of ['yaml', 'csv'] as const) {
    it(`round trip through ${format}: import, export, import elsewhere gives the same rows and export`, async () => {
      expectOk(await importDirectoryFiles(store, [examplePath]));
      const exported = await exportDirectory(store, format);
      const other = await createTestStore();
      try {
        expectOk(await importDirectory(other, [{ name: `export.${format}`, text: exported, format }]));
        expect(await snapshot(other)).toEqual(await snapshot(store));
        expect(await exportDirectory(other, format)).toBe(exported);
      } finally {
        await other.close();
      }
    });
  }

  it('importing the same file again changes nothing, and keeps updated_at of unchanged rows', async () => {
    expectOk(await importDirectoryFiles(store, [examplePath]));
    const before = await store.db
      .selectFrom('netobjects')
      .select(['value', 'updated_at'])
      .orderBy('value')
      .execute();
    const rows = await snapshot(store);
    expectOk(await importDirectoryFiles(store, [examplePath]));
    expect(await snapshot(store)).toEqual(rows);
    expect(
      await store.db.selectFrom('netobjects').select(['value', 'updated_at']).orderBy('value').execute(),
    ).toEqual(before);
  });

  it('an organisation in a file is authoritative for its netobjects and contacts; --replace drops the rest', async () => {
    expectOk(await importDirectoryFiles(store, [examplePath]));
    const update = `
organisations:
  - id: cloudhost
    name: CloudHost Nederland B.V.
    constituency: digital-service-provider
    netobjects:
      - { asn: 64497, status: approved }
    contacts:
      - { email: noc@cloudhost.example, roles: [abuse, 24x7] }
`;
    const merged = await importDirectory(store, [yaml(update)]);
    expectOk(merged);
    expect(merged.removed).toMatchObject({ netobjects: 3, contacts: 1, organisations: 0 });
    const cloud = await effectiveNetobjects(store, { organisationId: 'cloudhost' });
    expect(cloud.map((n) => n.value)).toEqual(['AS64497']);
    expect((await snapshot(store)).organisations).toHaveLength(8);

    const replaced = await importDirectory(store, [yaml(update)], { replace: true });
    expectOk(replaced);
    expect(replaced.removed).toMatchObject({ organisations: 7, nationalCerts: 2, desks: 3 });
    const rows = await snapshot(store);
    expect(rows.organisations.map((o) => o.id)).toEqual(['cloudhost']);
    expect(rows.contacts.map((c) => c.email)).toEqual(['noc@cloudhost.example']);
  });

  it('a file with errors applies nothing and names file, record and field of every problem (YAML)', async () => {
    const result = await importDirectoryFiles(store, [fixture('directory/bad.yaml')]);
    expect(result.ok).toBe(false);
    const messages = result.ok ? [] : result.problems.map(formatProblem);
    const file = fixture('directory/bad.yaml');
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          new RegExp(`^${file}: organisations\\[1\\] \\(bad-org\\) line 8: constituency: Invalid option`),
        ),
        expect.stringMatching(
          /organisations\[1\] \(bad-org\) line 8: netobjects\[0\]\.cidr: .*host bits|not an IPv4/,
        ),
        expect.stringMatching(
          /organisations\[1\] \(bad-org\) line 8: contacts\[0\]\.email: expected an e-mail address/,
        ),
      ]),
    );
    expect(messages.length).toBeGreaterThanOrEqual(3);
    expect((await snapshot(store)).organisations).toEqual([]);
  });

  it('cross-record problems are listed together and nothing is applied', async () => {
    const text = `
organisations:
  - { id: one, name: One, netobjects: [{ cidr: 192.0.2.0/24 }], serves: { sectors: [health] } }
  - { id: two, name: Two, netobjects: [{ cidr: 192.0.2.0/24 }] }
  - { id: one, name: One again }
national_certs:
  - { country: DE, organisation: nobody }
desks:
  - { id: d, name: D, identity: { name: X, email: x@example.org } }
  - { id: d, name: D, identity: { name: X, email: x@example.org } }
`;
    const result = await importDirectory(store, [yaml(text, 'cross.yaml')]);
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([
      'cross.yaml: organisations[1] (two) line 4: netobjects[0].cidr: 192.0.2.0/24 is given twice (first in cross.yaml: organisations[0] (one) line 3)',
      'cross.yaml: organisations[2] (one) line 5: id: organisation one is given twice (first in cross.yaml: organisations[0] (one) line 3)',
      'cross.yaml: organisations[0] (one) line 3: serves: only a link organisation (constituency link-organisation) serves others',
      'cross.yaml: national_certs[0] (DE) line 7: organisation: no organisation nobody',
      'cross.yaml: desks[1] (d) line 10: id: desk d is given twice (first in cross.yaml: desks[0] (d) line 9)',
    ]);
    expect((await snapshot(store)).organisations).toEqual([]);
  });

  it('a CSV with errors applies nothing and names line, kind and column', async () => {
    const file = fixture('directory/bad.csv');
    const result = await importDirectoryFiles(store, [file]);
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([
      `${file}: line 3 (netobject of csv-org): netobject: "AS99999999999" is not an AS number (AS64496 or 64496)`,
      expect.stringMatching(new RegExp(`^${file}: line 4 \\(contact of csv-org\\): roles: Invalid option`)),
      `${file}: line 5 (netobject of missing-org): organisation: no organisation missing-org in this file`,
    ]);
    expect((await snapshot(store)).organisations).toEqual([]);
  });

  it('references may name manual organisations already stored', async () => {
    expectOk(await importDirectoryFiles(store, [examplePath]));
    expectOk(
      await importDirectory(store, [
        yaml('national_certs: [{ country: FR, organisation: cert-be-example }]'),
      ]),
    );
    expect((await snapshot(store)).certs).toContainEqual({
      country: 'FR',
      organisation_id: 'cert-be-example',
    });
  });
});

describe(`RIPE import into the store on ${backend}`, () => {
  const contactFiles = [rpsl('ripe.db.organisation'), rpsl('ripe.db.role')];
  const netObjectFiles = [rpsl('ripe.db.inetnum'), rpsl('ripe.db.inet6num'), rpsl('ripe.db.aut-num')];

  it('writes network objects, the organisations they name and their abuse contacts, with problems', async () => {
    const result = await importRipe(store, { name: 'ripe', contactFiles, netObjectFiles });
    expect(result).toMatchObject({
      netobjects: 10,
      organisations: 3,
      contacts: 2,
      replaced: 0,
      problemCount: 4,
    });
    expect(result.problems.map((p) => [p.file, p.line, p.field])).toEqual(
      expect.arrayContaining([
        [rpsl('ripe.db.role'), 29, 'abuse-mailbox'],
        [rpsl('ripe.db.inetnum'), 33, 'inetnum'],
        [rpsl('ripe.db.inet6num'), 12, 'inet6num'],
        [rpsl('ripe.db.aut-num'), 21, 'aut-num'],
      ]),
    );
    const rows = await snapshot(store);
    expect(rows.netobjects.filter((n) => n.kind === 'cidr').map((n) => n.value)).toEqual(
      expect.arrayContaining(['198.51.100.0/29', '198.51.100.8/31', '198.51.100.10/32', '2001:db8::/48']),
    );
    expect(rows.netobjects.find((n) => n.value === '192.0.2.0/24')).toEqual({
      organisation_id: 'ripe:ORG-EXA1-TEST',
      kind: 'cidr',
      value: '192.0.2.0/24',
      status: 'approved',
      source: 'import:ripe',
      name: 'EXAMPLE-NET',
      country: 'NL',
      abuse_email: 'abuse@example.net',
    });
    expect(rows.netobjects.find((n) => n.value === 'AS64497')).toMatchObject({
      abuse_email: 'noc@example.com',
    });
    expect(rows.organisations.find((o) => o.id === 'ripe:ORG-LOW3-TEST')).toMatchObject({
      name: 'Lower Case Handles Ltd',
      registry_id: 'ORG-LOW3-TEST',
      constituency: null,
      source: 'import:ripe',
    });
    expect(rows.contacts.map((c) => [c.organisation_id, c.email, c.roles])).toEqual([
      ['ripe:ORG-EXA1-TEST', 'abuse@example.net', ['abuse']],
      ['ripe:ORG-LOW3-TEST', 'abuse@lower.example.org', ['abuse']],
    ]);
  });

  it('reads gzipped split files as the plain ones', async () => {
    const plain = await importRipe(store, { name: 'plain', contactFiles, netObjectFiles });
    const gzipped = await importRipe(store, {
      name: 'gzipped',
      contactFiles: [rpsl('ripe.db.organisation'), rpsl('ripe.db.role.gz')],
      netObjectFiles,
    });
    expect({ ...gzipped, name: 'plain', problems: [] }).toEqual({ ...plain, problems: [] });
    expect(gzipped.problems.map((p) => p.reason)).toEqual(plain.problems.map((p) => p.reason));
  });

  it('restricted to a country keeps only that country (an aut-num by its organisation)', async () => {
    const result = await importRipe(store, { name: 'ripe-nl', contactFiles, netObjectFiles, country: 'nl' });
    expect(result).toMatchObject({ netobjects: 5, organisations: 2 });
    const values = (await snapshot(store)).netobjects.map((n) => n.value);
    expect(new Set(values)).toEqual(
      new Set(['192.0.2.0/24', '203.0.113.128/25', '2001:db8::/48', '2001:db8:2::/48', 'AS64496']),
    );
    const recorded = await store.db.selectFrom('directory_imports').selectAll().executeTakeFirstOrThrow();
    expect(recorded).toMatchObject({ name: 'ripe-nl', kind: 'ripe', country: 'NL' });
  });

  it('a re-import replaces the previous import of that name, never manual rows or other imports', async () => {
    expectOk(await importDirectoryFiles(store, [examplePath]));
    const manual = (await snapshot(store)).netobjects.filter((n) => n.source === 'manual');
    await importRipe(store, { name: 'other', contactFiles, netObjectFiles: [rpsl('ripe.db.aut-num')] });
    const first = await importRipe(store, { name: 'ripe', contactFiles, netObjectFiles });
    expect(first.netobjects).toBe(10);
    const again = await importRipe(store, { name: 'ripe', contactFiles, netObjectFiles, country: 'NL' });
    expect(again.replaced).toBe(10 + 3 + 2);
    const rows = await snapshot(store);
    expect(rows.netobjects.filter((n) => n.source === 'import:ripe')).toHaveLength(5);
    expect(rows.netobjects.filter((n) => n.source === 'import:other')).toHaveLength(2);
    expect(rows.netobjects.filter((n) => n.source === 'manual')).toEqual(manual);
    expect(rows.organisations.filter((o) => o.source === 'import:ripe').map((o) => o.id)).toEqual([
      'ripe:ORG-EXA1-TEST',
      'ripe:ORG-LOW3-TEST',
    ]);
    // Importing the same again gives the same rows.
    await importRipe(store, { name: 'ripe', contactFiles, netObjectFiles, country: 'NL' });
    expect(await snapshot(store)).toEqual(rows);
  });

  it('manual entries win over imported ones for the same value', async () => {
    await importRipe(store, { name: 'ripe', contactFiles, netObjectFiles });
    const [imported] = await effectiveNetobjects(store, { values: ['192.0.2.0/24'] });
    expect(imported).toMatchObject({ source: 'import:ripe', organisationId: 'ripe:ORG-EXA1-TEST' });
    expectOk(
      await importDirectory(store, [
        yaml(`
organisations:
  - id: own
    name: Own Organisation
    netobjects: [{ cidr: 192.0.2.0/24, status: claimed }, { asn: AS64496 }]
`),
      ]),
    );
    const effective = await effectiveNetobjects(store, {
      values: ['192.0.2.0/24', 'AS64496', '203.0.113.128/25'],
    });
    expect(effective.map((n) => [n.value, n.source, n.organisationId, n.status])).toEqual([
      ['AS64496', 'manual', 'own', 'claimed'],
      ['192.0.2.0/24', 'manual', 'own', 'claimed'],
      ['203.0.113.128/25', 'import:ripe', 'ripe:ORG-LOW3-TEST', 'approved'],
    ]);
    // Both rows are kept: the import is not changed by the manual entry.
    expect(
      await store.db.selectFrom('netobjects').select('source').where('value', '=', '192.0.2.0/24').execute(),
    ).toHaveLength(2);
  });

  it('sorts files into contact and network-object passes by name, else by their first object', async () => {
    expect(
      await classifyRipeFiles([
        rpsl('ripe.db.role.gz'),
        rpsl('ripe.db.inetnum'),
        rpsl('ripe.db.organisation'),
        rpsl('crlf-latin1.db'),
      ]),
    ).toEqual({
      contactFiles: [
        rpsl('ripe.db.role.gz'),
        rpsl('ripe.db.organisation'),
        ...firstClassIsContact(rpsl('crlf-latin1.db')),
      ],
      netObjectFiles: [rpsl('ripe.db.inetnum'), ...firstClassIsNet(rpsl('crlf-latin1.db'))],
    });
  });
});

function firstLineClass(path: string): string {
  const line = readFileSync(path, 'latin1')
    .split(/\r?\n/)
    .find((l) => /^[a-z0-9-]+:/i.test(l));
  return (line ?? '').split(':')[0]?.toLowerCase() ?? '';
}
function firstClassIsContact(path: string): string[] {
  const c = firstLineClass(path);
  return c === 'organisation' || c === 'role' || !['inetnum', 'inet6num', 'aut-num'].includes(c)
    ? [path]
    : [];
}
function firstClassIsNet(path: string): string[] {
  const c = firstLineClass(path);
  return ['inetnum', 'inet6num', 'aut-num'].includes(c) || !['organisation', 'role'].includes(c)
    ? [path]
    : [];
}
