import { readFileSync } from 'node:fs';
import { AppError } from '../core/index.ts';
import type { Store } from '../platform/db/index.ts';
import { type NetobjectRecord, type OwnerDirectory } from './owner.ts';
import type { OrganisationFacts } from './route.ts';
import { parseRoutingProfile, type Constituency, type Nis2Class, type RoutingProfile } from './rules.ts';

export function loadRoutingProfile(path: string): RoutingProfile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new AppError(
      'core.invalid_input',
      `cannot read the routing profile ${path}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  return parseRoutingProfile(text, path);
}

/**
 * The directory as owner resolution needs it, read in one go: organisations with the link organisations that
 * serve them (directly or through their NIS2 sector), every netobject with its source and status, and the
 * national CERTs.
 */
export async function loadOwnerDirectory(store: Store, homeCountry: string): Promise<OwnerDirectory> {
  const [organisations, serves, netobjects, certs] = await Promise.all([
    store.db
      .selectFrom('organisations')
      .select(['id', 'name', 'constituency', 'nis2_class', 'nis2_sector', 'nis2_subsector', 'country'])
      .execute(),
    store.db
      .selectFrom('link_organisation_serves')
      .select(['link_organisation_id', 'organisation_id', 'sector'])
      .orderBy('id')
      .execute(),
    store.db
      .selectFrom('netobjects')
      .select(['organisation_id', 'kind', 'value', 'status', 'source', 'abuse_email'])
      .execute(),
    store.db
      .selectFrom('national_certs')
      .innerJoin('organisations', 'organisations.id', 'national_certs.organisation_id')
      .select(['national_certs.country', 'organisations.id', 'organisations.name'])
      .execute(),
  ]);
  const byOrganisation = new Map<string, string[]>();
  const bySector = new Map<string, string[]>();
  for (const row of serves) {
    const [map, key] =
      row.organisation_id !== null ? [byOrganisation, row.organisation_id] : [bySector, row.sector ?? ''];
    map.set(key, [...(map.get(key) ?? []), row.link_organisation_id]);
  }
  const facts: OrganisationFacts[] = organisations.map((row) => ({
    id: row.id,
    name: row.name,
    constituency: (row.constituency ?? undefined) as Constituency | undefined,
    nis2Class: (row.nis2_class ?? undefined) as Nis2Class | undefined,
    sector: row.nis2_sector ?? undefined,
    subsector: row.nis2_subsector ?? undefined,
    country: row.country ?? undefined,
    // Named first, then through the sector; a link organisation does not serve itself.
    linkOrganisations: [
      ...new Set([
        ...(byOrganisation.get(row.id) ?? []),
        ...(row.nis2_sector === null ? [] : (bySector.get(row.nis2_sector) ?? [])),
      ]),
    ].filter((id) => id !== row.id),
  }));
  return {
    organisations: facts,
    netobjects: netobjects.map((row): NetobjectRecord => ({
      organisationId: row.organisation_id,
      kind: row.kind,
      value: row.value,
      status: row.status,
      source: row.source,
      abuseEmail: row.abuse_email,
    })),
    nationalCerts: new Map(certs.map((row) => [row.country.toUpperCase(), { id: row.id, name: row.name }])),
    homeCountry,
  };
}
