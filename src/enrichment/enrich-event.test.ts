import { describe, expect, it } from 'vitest';
import { enrichEvent, type IpLookup } from './enrich-event.ts';
import type { IpInfo } from './ip-table.ts';

/** A table that knows two addresses and records what it was asked. */
function fakeTable(): IpLookup & { asked: string[] } {
  const known: Record<string, IpInfo> = {
    '192.0.2.1': { asn: 64496, asName: 'Example Net', network: '192.0.2.0/24', cc: 'NL' },
    '2001:db8::1': { asn: 64497, asName: 'Example Six', network: '2001:db8::/32', cc: undefined },
  };
  const asked: string[] = [];
  return {
    asked,
    lookup(ip: string) {
      asked.push(ip);
      return known[ip];
    },
  };
}

describe('enrichEvent', () => {
  it('fills the AS, network and country of source and destination where the feed gave none', () => {
    const event = {
      'source.ip': '192.0.2.1',
      'destination.ip': '2001:db8::1',
      'classification.type': 'scanner',
    };
    const enriched = enrichEvent(fakeTable(), event);
    expect(enriched).toEqual({
      ...event,
      'source.asn': 64496,
      'source.as_name': 'Example Net',
      'source.network': '192.0.2.0/24',
      'source.geolocation.cc': 'NL',
      'destination.asn': 64497,
      'destination.as_name': 'Example Six',
      'destination.network': '2001:db8::/32',
    });
    // A field the table does not know stays absent; the given event is left as it was.
    expect(enriched).not.toHaveProperty(['destination.geolocation.cc']);
    expect(event).not.toHaveProperty(['source.asn']);
  });

  it("keeps the feed's values and records where the table disagrees under extra.enrichment.*", () => {
    const event = {
      'source.ip': '192.0.2.1',
      'source.asn': 64511,
      'source.as_name': 'EXAMPLE NET',
      'source.network': '192.0.2.0/25',
      'source.geolocation.cc': 'BE',
    };
    const enriched = enrichEvent(fakeTable(), event);
    expect(enriched).toEqual({
      ...event,
      'extra.enrichment.source.asn': 64496,
      'extra.enrichment.source.network': '192.0.2.0/24',
      'extra.enrichment.source.geolocation.cc': 'NL',
    });
  });

  it('records nothing where the feed agrees, counting an AS number given as text', () => {
    const event = {
      'source.ip': '192.0.2.1',
      'source.asn': '64496',
      'source.as_name': 'Example Net',
      'source.network': '192.0.2.0/24',
      'source.geolocation.cc': 'nl',
    };
    expect(enrichEvent(fakeTable(), event)).toEqual(event);
  });

  it('treats an empty value as absent and leaves events without a known address alone', () => {
    expect(enrichEvent(fakeTable(), { 'source.ip': '192.0.2.1', 'source.as_name': '' })).toMatchObject({
      'source.as_name': 'Example Net',
    });
    const table = fakeTable();
    const unknown = { 'source.ip': '198.51.100.7', 'destination.port': 443 };
    expect(enrichEvent(table, unknown)).toEqual(unknown);
    expect(enrichEvent(table, { 'source.fqdn': 'example.org' })).toEqual({ 'source.fqdn': 'example.org' });
    expect(table.asked).toEqual(['198.51.100.7']);
  });
});
