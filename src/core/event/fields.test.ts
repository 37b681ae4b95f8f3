import { describe, expect, it } from 'vitest';
import { eventFields, fieldSpec, isExtraField, isKnownField } from './fields.ts';

// Every event field of IntelMQ's harmonization.conf (develop d5e3e41): name, type and length.
const harmonization: [name: string, type: string, length?: number][] = [
  ['classification.identifier', 'String'],
  ['classification.taxonomy', 'ClassificationTaxonomy', 100],
  ['classification.type', 'ClassificationType'],
  ['comment', 'String'],
  ['destination.abuse_contact', 'LowercaseString'],
  ['destination.account', 'String'],
  ['destination.allocated', 'DateTime'],
  ['destination.as_name', 'String'],
  ['destination.asn', 'ASN'],
  ['destination.domain_suffix', 'FQDN'],
  ['destination.fqdn', 'FQDN'],
  ['destination.geolocation.cc', 'UppercaseString', 2],
  ['destination.geolocation.city', 'String'],
  ['destination.geolocation.country', 'String'],
  ['destination.geolocation.latitude', 'Float'],
  ['destination.geolocation.longitude', 'Float'],
  ['destination.geolocation.region', 'String'],
  ['destination.geolocation.state', 'String'],
  ['destination.ip', 'IPAddress'],
  ['destination.local_hostname', 'String'],
  ['destination.local_ip', 'IPAddress'],
  ['destination.network', 'IPNetwork'],
  ['destination.port', 'Integer'],
  ['destination.registry', 'Registry', 7],
  ['destination.reverse_dns', 'FQDN'],
  ['destination.tor_node', 'Boolean'],
  ['destination.url', 'URL'],
  ['destination.urlpath', 'String'],
  ['event_description.target', 'String'],
  ['event_description.text', 'String'],
  ['event_description.url', 'URL'],
  ['event_hash', 'UppercaseString', 40],
  ['extra', 'JSONDict'],
  ['feed.accuracy', 'Accuracy'],
  ['feed.code', 'String', 100],
  ['feed.documentation', 'String'],
  ['feed.name', 'String'],
  ['feed.provider', 'String'],
  ['feed.url', 'URL'],
  ['malware.hash.md5', 'String', 200],
  ['malware.hash.sha1', 'String', 200],
  ['malware.hash.sha256', 'String', 200],
  ['malware.name', 'LowercaseString'],
  ['malware.version', 'String'],
  ['misp.attribute_uuid', 'LowercaseString', 36],
  ['misp.event_uuid', 'LowercaseString', 36],
  ['output', 'JSON'],
  ['protocol.application', 'LowercaseString', 100],
  ['protocol.transport', 'LowercaseString', 11],
  ['raw', 'Base64'],
  ['rtir_id', 'Integer'],
  ['screenshot_url', 'URL'],
  ['source.abuse_contact', 'LowercaseString'],
  ['source.account', 'String'],
  ['source.allocated', 'DateTime'],
  ['source.as_name', 'String'],
  ['source.asn', 'ASN'],
  ['source.domain_suffix', 'FQDN'],
  ['source.fqdn', 'FQDN'],
  ['source.geolocation.cc', 'UppercaseString', 2],
  ['source.geolocation.city', 'String'],
  ['source.geolocation.country', 'String'],
  ['source.geolocation.cymru_cc', 'UppercaseString', 2],
  ['source.geolocation.geoip_cc', 'UppercaseString', 2],
  ['source.geolocation.latitude', 'Float'],
  ['source.geolocation.longitude', 'Float'],
  ['source.geolocation.region', 'String'],
  ['source.geolocation.state', 'String'],
  ['source.ip', 'IPAddress'],
  ['source.local_hostname', 'String'],
  ['source.local_ip', 'IPAddress'],
  ['source.network', 'IPNetwork'],
  ['source.port', 'Integer', 5],
  ['source.registry', 'Registry', 7],
  ['source.reverse_dns', 'FQDN'],
  ['source.tor_node', 'Boolean'],
  ['source.url', 'URL'],
  ['source.urlpath', 'String'],
  ['status', 'String'],
  ['time.observation', 'DateTime'],
  ['time.source', 'DateTime'],
  ['tlp', 'TLP'],
];

// Kept out of Tocsin's registry on purpose (see fields.ts): IntelMQ-internal or flattened into `extra.*`.
const leftOut = new Set(['output', 'extra']);

describe('eventFields', () => {
  it.each(harmonization.filter(([name]) => !leftOut.has(name)))(
    'has %s as IntelMQ defines it',
    (name, type, length) => {
      const spec = eventFields.get(name);
      expect(spec?.type).toBe(type);
      expect(spec?.length).toBe(length);
    },
  );

  it('has nothing IntelMQ lacks except the 3.5 additions', () => {
    const intelmq = new Set(harmonization.map(([name]) => name));
    const added = [...eventFields.keys()].filter((name) => !intelmq.has(name)).sort();
    expect(added).toEqual([
      'constituency',
      'product.full_name',
      'product.name',
      'product.vendor',
      'product.version',
      'product.vulnerabilities',
      'severity',
    ]);
    expect(eventFields.get('severity')?.type).toBe('Severity');
  });

  it('gives every field a description and its own name', () => {
    for (const [name, spec] of eventFields) {
      expect(spec.name).toBe(name);
      expect(spec.description.length).toBeGreaterThan(10);
    }
  });

  it('keeps the IntelMQ patterns that are case-insensitive there (iregex) case-insensitive', () => {
    expect(eventFields.get('protocol.transport')?.pattern?.test('TCP')).toBe(true);
    expect(eventFields.get('source.geolocation.cc')?.pattern?.test('N1')).toBe(true);
    expect(eventFields.get('source.geolocation.cc')?.pattern?.test('NLD')).toBe(false);
  });
});

describe('fieldSpec and isKnownField', () => {
  it.each([
    ['source.ip', 'IPAddress'],
    ['extra.tag', 'JSON'],
    ['extra.source.naics', 'JSON'],
    ['extra._private', 'JSON'],
  ])('knows %s as %s', (name, type) => {
    expect(fieldSpec(name)?.type).toBe(type);
    expect(fieldSpec(name)?.name).toBe(name);
    expect(isKnownField(name)).toBe(true);
  });

  it.each([
    'source.ipaddress',
    'extra',
    'extra.',
    'extra.Tag',
    'extra.a-b',
    'extra.x..y',
    'output',
    'EXTRA.tag',
    '',
  ])('does not know %j', (name) => {
    expect(fieldSpec(name)).toBeUndefined();
    expect(isKnownField(name)).toBe(false);
  });

  it('tells extra keys from registered fields', () => {
    expect(isExtraField('extra.tag')).toBe(true);
    expect(isExtraField('source.ip')).toBe(false);
  });
});
