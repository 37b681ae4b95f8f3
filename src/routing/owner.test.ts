import { describe, expect, it } from 'vitest';
import type { Event } from '../core/index.ts';
import { OwnerIndex, type NetobjectRecord } from './owner.ts';
import type { OrganisationFacts } from './route.ts';

function org(id: string, facts: Partial<OrganisationFacts> = {}): OrganisationFacts {
  return { id, name: id, constituency: 'other-business', nis2Class: 'none', linkOrganisations: [], ...facts };
}

const manual = (
  organisationId: string,
  kind: NetobjectRecord['kind'],
  value: string,
  status: NetobjectRecord['status'] = 'approved',
): NetobjectRecord => ({
  organisationId,
  kind,
  value,
  status,
  source: 'manual',
});
const imported = (
  organisationId: string | null,
  kind: NetobjectRecord['kind'],
  value: string,
  abuseEmail?: string,
): NetobjectRecord => ({
  organisationId,
  kind,
  value,
  status: 'approved',
  source: 'import:ripe',
  abuseEmail,
});

const index = new OwnerIndex({
  homeCountry: 'NL',
  organisations: [
    org('isp', { constituency: 'digital-service-provider' }),
    org('hospital', { constituency: 'vital' }),
    org('hospital-lab'),
    org('city'),
    org('own-as', { constituency: 'central-government' }),
    org('pending'),
    { id: 'ripe:ORG-HOST1-RIPE', name: 'Hoster B.V.', linkOrganisations: [] },
  ],
  netobjects: [
    manual('isp', 'asn', 'AS64500'),
    manual('hospital', 'cidr', '192.0.2.0/24'),
    manual('hospital-lab', 'cidr', '192.0.2.128/25'),
    manual('city', 'domain', 'gemeente.example'),
    manual('own-as', 'asn', 'AS64501'),
    manual('hospital', 'cidr', '2001:db8:1::/48'),
    manual('pending', 'cidr', '203.0.113.0/24', 'claimed'),
    imported('ripe:ORG-HOST1-RIPE', 'cidr', '198.51.100.0/24', 'abuse@hoster.example'),
    imported(null, 'cidr', '198.51.100.64/26', 'abuse@reseller.example'),
    imported(null, 'asn', 'AS64502', 'abuse@transit.example'),
    // An import of a value registered by hand: the manual entry wins.
    imported(null, 'cidr', '192.0.2.0/24', 'abuse@someone-else.example'),
  ],
  nationalCerts: new Map([['DE', { id: 'cert-bund', name: 'CERT-Bund' }]]),
});

function resolve(event: Event) {
  return index.resolve(event, true);
}

describe('owner resolution', () => {
  it.each([
    [
      'the longest registered CIDR',
      { 'source.ip': '192.0.2.200', 'source.asn': 64500 },
      'end-user',
      'hospital-lab',
      '192.0.2.128/25',
    ],
    [
      'the enclosing CIDR outside the nested one',
      { 'source.ip': '192.0.2.5', 'source.asn': 64500 },
      'end-user',
      'hospital',
      '192.0.2.0/24',
    ],
    ['an IPv6 network', { 'source.ip': '2001:db8:1:2::5' }, 'end-user', 'hospital', '2001:db8:1::/48'],
    ['an exact domain', { 'source.fqdn': 'gemeente.example' }, 'end-user', 'city', 'gemeente.example'],
    ['a parent domain', { 'source.fqdn': 'Mail.Gemeente.Example.' }, 'end-user', 'city', 'gemeente.example'],
    [
      'the host of a URL',
      { 'source.url': 'https://www.gemeente.example/login' },
      'end-user',
      'city',
      'gemeente.example',
    ],
    [
      'a registered AS when no network or domain matches',
      { 'source.ip': '203.0.113.9', 'source.asn': 64501 },
      'end-user',
      'own-as',
      'AS64501',
    ],
    [
      'the holder of the AS when nobody registered the address',
      { 'source.ip': '203.0.113.9', 'source.asn': 64500 },
      'end-user',
      'isp',
      'AS64500',
    ],
    [
      'an imported abuse contact of the longest imported CIDR',
      { 'source.ip': '198.51.100.70' },
      'network-owner',
      'abuse:abuse@reseller.example',
      '198.51.100.64/26',
    ],
    [
      'an imported organisation',
      { 'source.ip': '198.51.100.7' },
      'network-owner',
      'ripe:ORG-HOST1-RIPE',
      '198.51.100.0/24',
    ],
    [
      'an imported AS',
      { 'source.ip': '203.0.113.9', 'source.asn': 64502 },
      'network-owner',
      'abuse:abuse@transit.example',
      'AS64502',
    ],
  ] as [string, Event, string, string, string][])(
    'finds %s',
    (_label, event, layer, organisation, netobject) => {
      const { resolution, trace } = resolve(event);
      expect(resolution.layer).toBe(layer);
      if (resolution.layer !== 'end-user' && resolution.layer !== 'network-owner')
        throw new Error('no organisation');
      expect(resolution.organisation.id).toBe(organisation);
      expect(resolution.netobject).toBe(netobject);
      expect(trace.at(-1)?.outcome).toBe('found');
    },
  );

  it('names the network owner beside the end user, when another organisation holds the AS', () => {
    const { resolution } = resolve({ 'source.ip': '192.0.2.5', 'source.asn': 64500 });
    expect(resolution.layer === 'end-user' && resolution.networkOwner?.id).toBe('isp');
  });

  it('never uses a claimed netobject, nor an import of a value registered by hand', () => {
    // 203.0.113.0/24 is only claimed by "pending": the address falls through to its AS holder.
    const claimed = resolve({ 'source.ip': '203.0.113.9', 'source.asn': 64500 });
    expect(claimed.resolution.layer === 'end-user' && claimed.resolution.organisation.id).toBe('isp');
    const registered = resolve({ 'source.ip': '192.0.2.9' });
    expect(registered.resolution.layer === 'end-user' && registered.resolution.organisation.id).toBe(
      'hospital',
    );
  });

  it('resolves the same without the explanation, and records no trace', () => {
    const quiet = index.resolve({ 'source.ip': '192.0.2.200', 'source.asn': 64500 });
    expect(quiet.trace).toEqual([]);
    expect(quiet.resolution).toEqual(resolve({ 'source.ip': '192.0.2.200', 'source.asn': 64500 }).resolution);
  });

  it('sends an address abroad to its national CERT, and says why when there is none', () => {
    expect(resolve({ 'source.ip': '203.0.113.9', 'source.geolocation.cc': 'de' }).resolution).toEqual({
      layer: 'national-cert',
      country: 'DE',
      cert: { id: 'cert-bund', name: 'CERT-Bund' },
    });
    expect(resolve({ 'source.ip': '203.0.113.9', 'source.geolocation.cc': 'FR' }).resolution).toEqual({
      layer: 'unresolved',
      reason: 'abroad (FR) and no national CERT registered for it',
    });
  });

  it('marks an unknown owner at home unresolved, with every layer tried and why', () => {
    const { resolution, trace } = resolve({
      'source.ip': '203.0.113.9',
      'source.asn': 65000,
      'source.geolocation.cc': 'NL',
    });
    expect(resolution).toEqual({
      layer: 'unresolved',
      reason: 'no registered owner and no network holder in NL',
    });
    expect(trace).toEqual([
      { layer: 'end user', outcome: 'nothing', detail: 'no registered network holds 203.0.113.9' },
      { layer: 'end user', outcome: 'nothing', detail: 'AS65000 is not registered' },
      {
        layer: 'network owner',
        outcome: 'nothing',
        detail: 'no registered or imported holder of the address or its AS',
      },
      { layer: 'national CERT', outcome: 'nothing', detail: 'NL is the home country' },
    ]);
    expect(resolve({}).resolution).toEqual({
      layer: 'unresolved',
      reason: 'no registered owner, no network holder and no country',
    });
  });
});
