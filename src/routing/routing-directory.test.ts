import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend, createTestStore } from '../../test/db.ts';
import type { Event } from '../core/index.ts';
import { formatProblem, importDirectory } from '../directory/index.ts';
import type { Store } from '../platform/db/index.ts';
import { loadOwnerDirectory, loadRoutingProfile, OwnerIndex, routeEvent } from './index.ts';

/**
 * The routing acceptance table: a directory of 26 organisations (test/fixtures/routing/directory.yaml)
 * imported into the store, read back as owner resolution reads it, and one row per kind of case with the
 * directives the nl-three-desks profile must make. Every row is also explained (as `route --explain` does):
 * the layer that answered names the netobject, and every rule before the deciding one says why it did not.
 */
const directoryFile = new URL('../../test/fixtures/routing/directory.yaml', import.meta.url);
const profile = loadRoutingProfile(
  new URL('../../config/routing/nl-three-desks.yaml', import.meta.url).pathname,
);

const vulnerable = { 'classification.taxonomy': 'vulnerable', 'classification.type': 'vulnerable-system' };
const compromised = { 'classification.taxonomy': 'intrusions', 'classification.type': 'system-compromise' };

type Row = [
  label: string,
  event: Event,
  layer: string,
  owner: string | undefined,
  rule: string | undefined,
  directives: string[],
];

// Directives as "desk channel recipient[ for end user]".
const table: Row[] = [
  [
    'vital, own AS: no other network owner',
    { ...vulnerable, 'source.ip': '198.18.0.5', 'source.asn': 64500 },
    'end-user',
    'vital-power',
    'vital-and-government-end-user',
    ['ncsc direct vital-power'],
  ],
  [
    'vital with its ISP: both',
    { ...vulnerable, 'source.ip': '198.18.1.9', 'source.asn': 64503 },
    'end-user',
    'vital-water',
    'vital-and-government',
    ['ncsc direct vital-water', 'ncsc direct isp-x'],
  ],
  [
    'vital in a sector a link organisation serves: still direct',
    { ...vulnerable, 'source.ip': '198.18.2.1' },
    'end-user',
    'vital-hospital',
    'vital-and-government-end-user',
    ['ncsc direct vital-hospital'],
  ],
  [
    'vital by a parent domain',
    { ...vulnerable, 'source.fqdn': 'www.water.example' },
    'end-user',
    'vital-water',
    'vital-and-government-end-user',
    ['ncsc direct vital-water'],
  ],
  [
    'central government, outer CIDR',
    { ...vulnerable, 'source.ip': '198.18.3.10' },
    'end-user',
    'gov-ministry',
    'vital-and-government-end-user',
    ['ncsc direct gov-ministry'],
  ],
  [
    'central government, nested CIDR wins',
    { ...vulnerable, 'source.ip': '198.18.3.200' },
    'end-user',
    'gov-tax',
    'vital-and-government-end-user',
    ['ncsc direct gov-tax'],
  ],
  [
    'central government by a grandparent domain',
    { ...vulnerable, 'source.url': 'https://www.portal.agency.example/' },
    'end-user',
    'gov-agency',
    'vital-and-government-end-user',
    ['ncsc direct gov-agency'],
  ],
  [
    "a link organisation's own network",
    { ...vulnerable, 'source.ip': '198.18.4.4' },
    'end-user',
    'link-zorg',
    'link-organisations',
    ['ncsc direct link-zorg'],
  ],
  [
    'DSP by its AS only',
    { ...vulnerable, 'source.ip': '198.18.20.1', 'source.asn': 64501 },
    'end-user',
    'dsp-cloud',
    'dsp-direct',
    ['csirt-dsp direct dsp-cloud'],
  ],
  [
    'compromised DSP without a link organisation',
    { ...compromised, 'source.ip': '198.18.20.2', 'source.asn': 64501 },
    'end-user',
    'dsp-cloud',
    'compromised-dsp-without-link',
    ['csirt-dsp direct dsp-cloud'],
  ],
  [
    'DSP served by a link organisation',
    { ...vulnerable, 'source.ip': '198.18.5.5' },
    'end-user',
    'dsp-hosting',
    'dsp-via-link',
    ['csirt-dsp via-link-organisation link-mkb for dsp-hosting'],
  ],
  [
    'compromised important DSP with a link organisation: through it',
    { ...compromised, 'source.ip': '198.18.5.6' },
    'end-user',
    'dsp-hosting',
    'dsp-via-link',
    ['csirt-dsp via-link-organisation link-mkb for dsp-hosting'],
  ],
  [
    'DSP by IPv6 network',
    { ...vulnerable, 'source.ip': '2001:db8:10::53' },
    'end-user',
    'dsp-dns',
    'dsp-direct',
    ['csirt-dsp direct dsp-dns'],
  ],
  [
    'DSP by a parent domain',
    { ...vulnerable, 'source.fqdn': 'app.eu.saas.example' },
    'end-user',
    'dsp-saas',
    'dsp-direct',
    ['csirt-dsp direct dsp-saas'],
  ],
  [
    'an ISP by its AS',
    { ...vulnerable, 'source.ip': '198.18.43.1', 'source.asn': 64503 },
    'end-user',
    'isp-x',
    'dsp-direct',
    ['csirt-dsp direct isp-x'],
  ],
  [
    'business served by name',
    { ...vulnerable, 'source.ip': '198.18.6.7' },
    'end-user',
    'clinic-a',
    'business-via-link',
    ['dtc via-link-organisation link-zorg for clinic-a'],
  ],
  [
    'business served through its sector',
    { ...vulnerable, 'source.ip': '198.18.7.7' },
    'end-user',
    'clinic-b',
    'business-via-link',
    ['dtc via-link-organisation link-zorg for clinic-b'],
  ],
  [
    'business in a /28',
    { ...vulnerable, 'source.ip': '198.18.8.3' },
    'end-user',
    'bakery',
    'business-via-link',
    ['dtc via-link-organisation link-mkb for bakery'],
  ],
  [
    'business by exact domain',
    { ...vulnerable, 'source.fqdn': 'garage.example' },
    'end-user',
    'garage-b',
    'business-via-link',
    ['dtc via-link-organisation link-mkb for garage-b'],
  ],
  [
    'business no link organisation serves',
    { ...vulnerable, 'source.ip': '198.18.9.9' },
    'end-user',
    'shop-c',
    'business-direct',
    ['dtc direct shop-c'],
  ],
  [
    'business by its AS only',
    { ...vulnerable, 'source.ip': '198.18.30.1', 'source.asn': 64502 },
    'end-user',
    'factory-d',
    'business-direct',
    ['dtc direct factory-d'],
  ],
  [
    'research sector, outer CIDR',
    { ...vulnerable, 'source.ip': '198.18.10.77' },
    'end-user',
    'university',
    'business-via-link',
    ['dtc via-link-organisation link-edu for university'],
  ],
  [
    'research sector, nested CIDR wins',
    { ...vulnerable, 'source.ip': '198.18.11.5' },
    'end-user',
    'lab-e',
    'business-via-link',
    ['dtc via-link-organisation link-edu for lab-e'],
  ],
  [
    'only a claimed network, at home: unresolved',
    { ...vulnerable, 'source.ip': '198.18.12.5', 'source.geolocation.cc': 'NL' },
    'unresolved',
    undefined,
    undefined,
    [],
  ],
  [
    'abroad, Germany',
    { ...vulnerable, 'source.ip': '198.18.40.1', 'source.geolocation.cc': 'DE' },
    'national-cert',
    'cert-de',
    'abroad',
    ['ncsc foreign-cert cert:de'],
  ],
  [
    'abroad, Belgium',
    { ...vulnerable, 'source.ip': '198.18.41.1', 'source.geolocation.cc': 'BE' },
    'national-cert',
    'cert-be',
    'abroad',
    ['ncsc foreign-cert cert:be'],
  ],
  [
    'abroad without a registered national CERT: unresolved',
    { ...vulnerable, 'source.ip': '198.18.42.1', 'source.geolocation.cc': 'FR' },
    'unresolved',
    undefined,
    undefined,
    [],
  ],
  ['nothing to go by: unresolved', { ...vulnerable }, 'unresolved', undefined, undefined, []],
];

let store: Store;
let index: OwnerIndex;

beforeAll(async () => {
  store = await createTestStore();
  const result = await importDirectory(store, [
    { name: 'directory.yaml', text: readFileSync(directoryFile, 'utf8'), format: 'yaml' },
  ]);
  if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'));
  index = new OwnerIndex(await loadOwnerDirectory(store, 'NL'));
});

afterAll(async () => {
  await store.close();
});

describe(`routing the test directory on ${backend}`, () => {
  it('holds at least 25 organisations of every constituency', async () => {
    const rows = await store.db.selectFrom('organisations').select('constituency').execute();
    expect(rows.length).toBeGreaterThanOrEqual(25);
    expect(new Set(rows.map((r) => r.constituency))).toEqual(
      new Set([
        'vital',
        'central-government',
        'digital-service-provider',
        'other-business',
        'link-organisation',
        'foreign-cert',
      ]),
    );
  });

  it.each(table)('%s', (_label, event, layer, owner, rule, expected) => {
    const resolved = index.resolve(event, true);
    const routed = routeEvent(profile, { eventId: 'e', event, resolution: resolved.resolution }, true);
    const { resolution } = resolved;
    expect(resolution.layer).toBe(layer);
    const found =
      resolution.layer === 'end-user' || resolution.layer === 'network-owner'
        ? resolution.organisation.id
        : resolution.layer === 'national-cert'
          ? resolution.cert.id
          : undefined;
    expect(found).toBe(owner);
    expect(
      routed.directives.map(
        (d) => `${d.desk} ${d.channel} ${d.recipient}${d.onBehalfOf ? ` for ${d.onBehalfOf}` : ''}`,
      ),
    ).toEqual(expected);
    // Explained: the answering layer names what matched; each rule before the deciding one says why not.
    const last = resolved.trace.at(-1);
    if (resolution.layer === 'end-user') expect(last?.detail).toContain(resolution.netobject);
    if (resolution.layer === 'unresolved')
      expect(resolved.trace.every((t) => t.outcome === 'nothing')).toBe(true);
    expect(routed.trace.find((t) => t.outcome === 'matched')?.rule).toBe(rule);
    for (const step of routed.trace.filter((t) => t.outcome !== 'matched'))
      expect(step.reason.length).toBeGreaterThan(10);
  });
});
