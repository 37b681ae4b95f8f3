import type { CopyValue, SqlSession, Store } from '../platform/db/index.ts';
import { slugPattern } from './model.ts';
import {
  importRipeSplitFiles,
  type RipeImportOptions,
  type RipeNetObjectRecord,
  type RipeOrganisationRecord,
  type RipeProblemRecord,
} from './ripe-import.ts';

export interface RipeStoreImportRequest {
  /** The import's name: its rows get source `import:<name>`; a re-import under the name replaces them. */
  name: string;
  /** ripe.db.organisation(.gz), ripe.db.role(.gz). */
  contactFiles: string[];
  /** ripe.db.inetnum(.gz), ripe.db.inet6num(.gz), ripe.db.aut-num(.gz). */
  netObjectFiles: string[];
  country?: string;
  asns?: ReadonlySet<number>;
}

export interface RipeStoreImportResult {
  name: string;
  organisations: number;
  netobjects: number;
  contacts: number;
  /** Rows of the previous import under this name that were replaced. */
  replaced: number;
  problemCount: number;
  /** The first `maxProblemsKept` problems, each with file, line and field. */
  problems: RipeProblemRecord[];
}

export const maxProblemsKept = 1000;

/**
 * Writes the RIPE database split files into the directory as the import `name`: network objects
 * (`approved`: registry data, though any manual entry for the same value wins), their abuse mailboxes, the
 * organisations they name (without a constituency: network holders, not constituents) and each
 * organisation's abuse contact. One transaction: the previous rows of this import are deleted, the new
 * ones COPYed in batches as the files stream, and a failure leaves the previous import in place.
 */
export async function importRipe(
  store: Store,
  request: RipeStoreImportRequest,
): Promise<RipeStoreImportResult> {
  if (!slugPattern.test(request.name))
    throw new TypeError(`import name ${JSON.stringify(request.name)} is not a lower-case slug`);
  const source = `import:${request.name}`;
  const options: RipeImportOptions = {
    ...(request.country === undefined ? {} : { country: request.country.toUpperCase() }),
    ...(request.asns === undefined ? {} : { asns: request.asns }),
    batchSize: 5000,
  };
  return store.withSession(async (session) => {
    await session.exec('begin');
    const replaced = await deletePreviousImport(session, source);
    const result: RipeStoreImportResult = {
      name: request.name,
      organisations: 0,
      netobjects: 0,
      contacts: 0,
      replaced,
      problemCount: 0,
      problems: [],
    };
    const files = { contactFiles: request.contactFiles, netObjectFiles: request.netObjectFiles };
    for await (const batch of importRipeSplitFiles(files, options)) {
      const netobjects: RipeNetObjectRecord[] = [];
      const organisations: RipeOrganisationRecord[] = [];
      for (const item of batch) {
        if (item.kind === 'netobject') netobjects.push(item);
        else if (item.kind === 'organisation') organisations.push(item);
        else {
          result.problemCount += 1;
          if (result.problems.length < maxProblemsKept) result.problems.push(item);
        }
      }
      if (netobjects.length > 0)
        result.netobjects += await session.copyRows(
          'netobjects',
          netobjectColumns,
          netobjects.map((record) => netobjectRow(record, request.name, source)),
        );
      if (organisations.length > 0) {
        result.organisations += await session.copyRows(
          'organisations',
          ['id', 'name', 'registry_id', 'country', 'source'],
          organisations.map((record) => [
            organisationId(request.name, record.orgId),
            record.name ?? record.orgId,
            record.orgId,
            record.country ?? null,
            source,
          ]),
        );
        result.contacts += await session.copyRows(
          'contacts',
          ['organisation_id', 'email', 'roles', 'source'],
          organisations.flatMap((record) =>
            record.abuseMailboxes.map((email) => [
              organisationId(request.name, record.orgId),
              email,
              '{abuse}',
              source,
            ]),
          ),
        );
      }
    }
    // Objects may name organisations the organisation file does not hold; the link is dropped, not the object.
    await session.query(
      `update netobjects n set organisation_id = null
       where n.source = $1 and n.organisation_id is not null
         and not exists (select 1 from organisations o where o.id = n.organisation_id)`,
      [source],
    );
    await session.query(
      `insert into directory_imports (name, kind, files, country, imported_at, counts)
       values ($1, 'ripe', $2, $3, now(), $4)
       on conflict (name) do update set kind = excluded.kind, files = excluded.files,
         country = excluded.country, imported_at = excluded.imported_at, counts = excluded.counts`,
      [
        request.name,
        [...request.contactFiles, ...request.netObjectFiles],
        options.country ?? null,
        JSON.stringify({
          organisations: result.organisations,
          netobjects: result.netobjects,
          contacts: result.contacts,
          problems: result.problemCount,
        }),
      ],
    );
    await session.exec('commit');
    return result;
  });
}

const netobjectColumns = [
  'organisation_id',
  'kind',
  'value',
  'asn',
  'cidr',
  'status',
  'source',
  'name',
  'country',
  'abuse_email',
];

function netobjectRow(record: RipeNetObjectRecord, name: string, source: string): CopyValue[] {
  const { netobject } = record;
  return [
    netobject.orgId === undefined ? null : organisationId(name, netobject.orgId),
    netobject.kind,
    netobject.kind === 'asn' ? `AS${netobject.value}` : netobject.value,
    netobject.kind === 'asn' ? netobject.value : null,
    netobject.kind === 'cidr' ? netobject.value : null,
    'approved',
    source,
    netobject.name ?? null,
    netobject.country ?? null,
    record.abuseMailbox ?? null,
  ];
}

/** Imported organisations are keyed by import and registry handle, so imports never collide with each other. */
function organisationId(importName: string, handle: string): string {
  return `${importName}:${handle}`;
}

/** Deletes every row of the import `source` (never a manual one); returns how many were deleted. */
async function deletePreviousImport(session: SqlSession, source: string): Promise<number> {
  let deleted = 0;
  for (const table of ['link_organisation_serves', 'contacts', 'netobjects', 'organisations']) {
    const rows = await session.query<{ count: number }>(
      `with gone as (delete from ${table} where source = $1 returning 1) select count(*)::int as count from gone`,
      [source],
    );
    deleted += rows[0]?.count ?? 0;
  }
  return deleted;
}
