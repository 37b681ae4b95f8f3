import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { Database, Store } from '../platform/db/index.ts';
import type {
  Constituency,
  ContactRole,
  Directory,
  DirectorySource,
  NetobjectKind,
  NetobjectStatus,
  Nis2Class,
  Nis2Sector,
  OrganisationEntry,
  TlpLevel,
} from './model.ts';

/** What an import of directory files wrote (records given) and removed (`replace` only). */
export interface DirectoryCounts {
  organisations: number;
  netobjects: number;
  contacts: number;
  serves: number;
  nationalCerts: number;
  desks: number;
}

const insertChunk = 500;

function* chunks<T>(items: readonly T[]): Generator<T[]> {
  for (let start = 0; start < items.length; start += insertChunk)
    yield items.slice(start, start + insertChunk);
}

/** `(t.a, t.b) is distinct from (excluded.a, excluded.b)`: update a row (and its date) only when it changed. */
function changed(table: string, columns: readonly string[]): RawBuilder<boolean> {
  const row = (prefix: string) => sql.join(columns.map((column) => sql.ref(`${prefix}.${column}`)));
  return sql<boolean>`(${row(table)}) is distinct from (${row('excluded')})`;
}

export async function listManualOrganisationIds(db: Kysely<Database>): Promise<Set<string>> {
  const rows = await db.selectFrom('organisations').select('id').where('source', '=', 'manual').execute();
  return new Set(rows.map((row) => row.id));
}

/**
 * Writes a checked directory as manual entries, inside the caller's transaction. Each organisation in it
 * is authoritative for its own network objects, contacts and links: those it no longer lists are removed.
 * Rows that did not change keep their `updated_at`. With `replace`, manual organisations, national CERTs
 * and desks absent from the directory are removed too (imported rows are never touched).
 */
export async function writeManualDirectory(
  trx: Transaction<Database>,
  directory: Directory,
  options: { replace?: boolean } = {},
): Promise<{ written: DirectoryCounts; removed: DirectoryCounts }> {
  const removed: DirectoryCounts = {
    organisations: 0,
    netobjects: 0,
    contacts: 0,
    serves: 0,
    nationalCerts: 0,
    desks: 0,
  };
  const ids = directory.organisations.map((organisation) => organisation.id);
  if (options.replace === true) {
    const countries = directory.nationalCerts.map((cert) => cert.country);
    removed.nationalCerts = await deleteCount(
      trx
        .deleteFrom('national_certs')
        .where((eb) => (countries.length > 0 ? eb.not(eb('country', 'in', countries)) : eb.val(true))),
    );
    const deskIds = directory.desks.map((desk) => desk.id);
    removed.desks = await deleteCount(
      trx
        .deleteFrom('desks')
        .where((eb) => (deskIds.length > 0 ? eb.not(eb('id', 'in', deskIds)) : eb.val(true))),
    );
    // Last: removing an organisation also removes the national CERT entries that name it.
    removed.organisations = await deleteCount(
      trx
        .deleteFrom('organisations')
        .where('source', '=', 'manual')
        .where((eb) => (ids.length > 0 ? eb.not(eb('id', 'in', ids)) : eb.val(true))),
    );
  }

  const organisationColumns = [
    'name',
    'registry_id',
    'constituency',
    'nis2_class',
    'nis2_sector',
    'nis2_subsector',
    'country',
    'languages',
    'tlp_ceiling',
  ] as const;
  for (const part of chunks(directory.organisations)) {
    await trx
      .insertInto('organisations')
      .values(
        part.map((organisation) => ({
          id: organisation.id,
          name: organisation.name,
          registry_id: organisation.registryId ?? null,
          constituency: organisation.constituency ?? null,
          nis2_class: organisation.nis2Class ?? null,
          nis2_sector: organisation.nis2Sector ?? null,
          nis2_subsector: organisation.nis2Subsector ?? null,
          country: organisation.country ?? null,
          languages: organisation.languages,
          tlp_ceiling: organisation.tlpCeiling ?? null,
          source: 'manual',
        })),
      )
      .onConflict((oc) =>
        oc
          .column('id')
          .doUpdateSet((eb) => ({
            ...Object.fromEntries(
              organisationColumns.map((column) => [column, eb.ref(`excluded.${column}`)]),
            ),
            updated_at: sql<Date>`now()`,
          }))
          .where(changed('organisations', organisationColumns)),
      )
      .execute();
  }

  const netobjects = directory.organisations.flatMap((organisation) =>
    organisation.netobjects.map((netobject) => ({
      organisation_id: organisation.id,
      kind: netobject.kind,
      value: netobject.value,
      asn: netobject.kind === 'asn' ? Number(netobject.value.slice(2)) : null,
      cidr: netobject.kind === 'cidr' ? netobject.value : null,
      status: netobject.status,
      name: netobject.name ?? null,
      source: 'manual',
    })),
  );
  const netobjectColumns = ['organisation_id', 'status', 'name'] as const;
  for (const part of chunks(netobjects)) {
    await trx
      .insertInto('netobjects')
      .values(part)
      .onConflict((oc) =>
        oc
          .columns(['kind', 'value'])
          .where('source', '=', 'manual')
          .doUpdateSet((eb) => ({
            ...Object.fromEntries(netobjectColumns.map((column) => [column, eb.ref(`excluded.${column}`)])),
            updated_at: sql<Date>`now()`,
          }))
          .where(changed('netobjects', netobjectColumns)),
      )
      .execute();
  }

  const contacts = directory.organisations.flatMap((organisation) =>
    organisation.contacts.map((contact) => ({
      organisation_id: organisation.id,
      email: contact.email,
      name: contact.name ?? null,
      roles: contact.roles,
      language: contact.language ?? null,
      openpgp_key: contact.openpgpKey ?? null,
      active: contact.active,
      source: 'manual',
    })),
  );
  const contactColumns = ['name', 'roles', 'language', 'openpgp_key', 'active'] as const;
  for (const part of chunks(contacts)) {
    await trx
      .insertInto('contacts')
      .values(part)
      .onConflict((oc) =>
        oc
          .columns(['organisation_id', 'email'])
          .doUpdateSet((eb) => ({
            ...Object.fromEntries(contactColumns.map((column) => [column, eb.ref(`excluded.${column}`)])),
            updated_at: sql<Date>`now()`,
          }))
          .where(changed('contacts', contactColumns)),
      )
      .execute();
  }

  for (const organisation of directory.organisations) {
    const keep = organisation.netobjects.map((netobject) => `${netobject.kind} ${netobject.value}`);
    removed.netobjects += await deleteCount(
      trx
        .deleteFrom('netobjects')
        .where('source', '=', 'manual')
        .where('organisation_id', '=', organisation.id)
        .where((eb) =>
          keep.length > 0 ? eb.not(eb(sql<string>`kind || ' ' || value`, 'in', keep)) : eb.val(true),
        ),
    );
    const emails = organisation.contacts.map((contact) => contact.email);
    removed.contacts += await deleteCount(
      trx
        .deleteFrom('contacts')
        .where('source', '=', 'manual')
        .where('organisation_id', '=', organisation.id)
        .where((eb) => (emails.length > 0 ? eb.not(eb('email', 'in', emails)) : eb.val(true))),
    );
    removed.serves += await deleteCount(
      trx
        .deleteFrom('link_organisation_serves')
        .where('source', '=', 'manual')
        .where('link_organisation_id', '=', organisation.id),
    );
  }
  const serves = directory.organisations.flatMap((organisation) => [
    ...organisation.serves.organisations.map((id) => ({
      link_organisation_id: organisation.id,
      organisation_id: id,
      sector: null,
      source: 'manual',
    })),
    ...organisation.serves.sectors.map((sector) => ({
      link_organisation_id: organisation.id,
      organisation_id: null,
      sector,
      source: 'manual',
    })),
  ]);
  for (const part of chunks(serves)) await trx.insertInto('link_organisation_serves').values(part).execute();

  for (const part of chunks(directory.nationalCerts)) {
    await trx
      .insertInto('national_certs')
      .values(part.map((cert) => ({ country: cert.country, organisation_id: cert.organisation })))
      .onConflict((oc) =>
        oc
          .column('country')
          .doUpdateSet((eb) => ({
            organisation_id: eb.ref('excluded.organisation_id'),
            updated_at: sql<Date>`now()`,
          }))
          .where(changed('national_certs', ['organisation_id'])),
      )
      .execute();
  }
  const deskColumns = ['name', 'identity_name', 'identity_email', 'constituencies'] as const;
  for (const part of chunks(directory.desks)) {
    await trx
      .insertInto('desks')
      .values(
        part.map((desk) => ({
          id: desk.id,
          name: desk.name,
          identity_name: desk.identity.name,
          identity_email: desk.identity.email,
          constituencies: desk.serves,
        })),
      )
      .onConflict((oc) =>
        oc
          .column('id')
          .doUpdateSet((eb) => ({
            ...Object.fromEntries(deskColumns.map((column) => [column, eb.ref(`excluded.${column}`)])),
            updated_at: sql<Date>`now()`,
          }))
          .where(changed('desks', deskColumns)),
      )
      .execute();
  }

  return {
    written: {
      organisations: directory.organisations.length,
      netobjects: netobjects.length,
      contacts: contacts.length,
      serves: serves.length,
      nationalCerts: directory.nationalCerts.length,
      desks: directory.desks.length,
    },
    removed,
  };
}

async function deleteCount(query: {
  executeTakeFirst(): Promise<{ numDeletedRows: bigint }>;
}): Promise<number> {
  return Number((await query.executeTakeFirst()).numDeletedRows);
}

/** The manual directory, in a stable order (ids, then network objects by kind and address), for export. */
export async function readManualDirectory(db: Kysely<Database>): Promise<Directory> {
  const [organisations, netobjects, contacts, serves, certs, desks] = await Promise.all([
    db.selectFrom('organisations').selectAll().where('source', '=', 'manual').orderBy('id').execute(),
    db
      .selectFrom('netobjects')
      .select(['organisation_id', 'kind', 'value', 'status', 'name'])
      .where('source', '=', 'manual')
      .orderBy('organisation_id')
      .orderBy('kind')
      .orderBy('asn')
      .orderBy('cidr')
      .orderBy('value')
      .execute(),
    db
      .selectFrom('contacts')
      .selectAll()
      .where('source', '=', 'manual')
      .orderBy('organisation_id')
      .orderBy('email')
      .execute(),
    db
      .selectFrom('link_organisation_serves')
      .select(['link_organisation_id', 'organisation_id', 'sector'])
      .where('source', '=', 'manual')
      .orderBy('link_organisation_id')
      .orderBy('organisation_id')
      .orderBy('sector')
      .execute(),
    db.selectFrom('national_certs').select(['country', 'organisation_id']).orderBy('country').execute(),
    db.selectFrom('desks').selectAll().orderBy('id').execute(),
  ]);
  const byId = new Map<string, OrganisationEntry>();
  const entries = organisations.map((row): OrganisationEntry => {
    const entry: OrganisationEntry = {
      id: row.id,
      name: row.name,
      ...optional('registryId', row.registry_id),
      ...optional('constituency', row.constituency as Constituency | null),
      ...optional('nis2Class', row.nis2_class as Nis2Class | null),
      ...optional('nis2Sector', row.nis2_sector as Nis2Sector | null),
      ...optional('nis2Subsector', row.nis2_subsector),
      ...optional('country', row.country),
      languages: row.languages,
      ...optional('tlpCeiling', row.tlp_ceiling as TlpLevel | null),
      netobjects: [],
      contacts: [],
      serves: { organisations: [], sectors: [] },
    };
    byId.set(row.id, entry);
    return entry;
  });
  for (const row of netobjects) {
    byId.get(row.organisation_id ?? '')?.netobjects.push({
      kind: row.kind,
      value: row.value,
      status: row.status,
      ...optional('name', row.name),
    });
  }
  for (const row of contacts) {
    byId.get(row.organisation_id)?.contacts.push({
      email: row.email,
      ...optional('name', row.name),
      roles: row.roles as ContactRole[],
      ...optional('language', row.language),
      ...optional('openpgpKey', row.openpgp_key),
      active: row.active,
    });
  }
  for (const row of serves) {
    const serving = byId.get(row.link_organisation_id)?.serves;
    if (row.organisation_id !== null) serving?.organisations.push(row.organisation_id);
    if (row.sector !== null) serving?.sectors.push(row.sector as Nis2Sector);
  }
  return {
    organisations: entries,
    nationalCerts: certs.map((row) => ({ country: row.country, organisation: row.organisation_id })),
    desks: desks.map((row) => ({
      id: row.id,
      name: row.name,
      identity: { name: row.identity_name, email: row.identity_email },
      serves: row.constituencies as Constituency[],
    })),
  };
}

function optional<K extends string, V>(key: K, value: V | null): { [P in K]?: V } {
  return (value === null ? {} : { [key]: value }) as { [P in K]?: V };
}

/** A network object as routing sees it: the manual entry when there is one, else the latest import's. */
export interface EffectiveNetobject {
  organisationId: string | null;
  kind: NetobjectKind;
  value: string;
  status: NetobjectStatus;
  source: DirectorySource;
  name: string | null;
  country: string | null;
  /** The abuse mailbox a registry gives for this object; null for manual entries (use the contacts). */
  abuseEmail: string | null;
  updatedAt: Date;
}

/**
 * The effective network objects (the `effective_netobjects` view: one per kind and value, manual over
 * imported, then the most recently written import), optionally only some kinds, values or organisation.
 *
 * @example
 * const [holder] = await effectiveNetobjects(store, { values: ['192.0.2.0/24'] });
 */
export async function effectiveNetobjects(
  store: Store,
  filter: { kind?: NetobjectKind; values?: readonly string[]; organisationId?: string } = {},
): Promise<EffectiveNetobject[]> {
  let query = store.db
    .selectFrom('effective_netobjects')
    .select([
      'organisation_id',
      'kind',
      'value',
      'status',
      'source',
      'name',
      'country',
      'abuse_email',
      'updated_at',
    ])
    .orderBy('kind')
    .orderBy('asn')
    .orderBy('cidr')
    .orderBy('value');
  if (filter.kind !== undefined) query = query.where('kind', '=', filter.kind);
  if (filter.values !== undefined) {
    if (filter.values.length === 0) return [];
    query = query.where('value', 'in', [...filter.values]);
  }
  if (filter.organisationId !== undefined) query = query.where('organisation_id', '=', filter.organisationId);
  const rows = await query.execute();
  return rows.map((row) => ({
    organisationId: row.organisation_id,
    kind: row.kind,
    value: row.value,
    status: row.status,
    source: row.source as DirectorySource,
    name: row.name,
    country: row.country,
    abuseEmail: row.abuse_email,
    updatedAt: row.updated_at,
  }));
}
