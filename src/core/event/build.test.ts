import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildEvent, completeClassification } from './build.ts';
import { eventFields } from './fields.ts';
import { rsitTaxonomies } from './taxonomy.ts';
import type { Event } from './types.ts';

/** The event built from raw fields, failing the test if it does not build. */
function built(fields: Record<string, unknown>): Event {
  const result = buildEvent(fields);
  if (!result.ok) throw new Error(`${result.field}: ${result.reason}`);
  return result.event;
}

describe('buildEvent', () => {
  it('sanitises every field and leaves absent values out', () => {
    expect(
      built({
        'source.ip': ' 192.0.2.1 ',
        'source.port': '8080',
        'source.fqdn': 'Example.COM.',
        'time.source': '2024-05-01 14:00:00+02:00',
        'source.asn': 'AS64496',
        comment: '',
        'source.geolocation.city': '-',
        'source.geolocation.region': 'N/A',
        'source.account': null,
        'source.as_name': undefined,
      }),
    ).toEqual({
      'source.ip': '192.0.2.1',
      'source.port': 8080,
      'source.fqdn': 'example.com',
      'time.source': '2024-05-01T12:00:00+00:00',
      'source.asn': 64496,
    });
  });

  it.each<[Record<string, unknown>, string, RegExp]>([
    [{ 'source.ip': '192.0.2.1', 'source.port': 'http' }, 'source.port', /whole number/],
    [{ 'source.ip': '0.0.0.0' }, 'source.ip', /0\.0\.0\.0 is not the address of a system/],
    [{ 'time.source': 'yesterday' }, 'time.source', /date and time/],
    [{ 'classification.type': 'dropzone' }, 'classification.type', /RSIT classification type/],
    [{ 'source.url': 'example.com/login' }, 'source.url', /URL with a scheme and a host/],
    [{ 'feed.code': 'x'.repeat(101) }, 'feed.code', /longer than 100 characters/],
  ])('rejects %j naming %s and what is expected', (fields, field, reason) => {
    const result = buildEvent(fields);
    expect(result).toMatchObject({ ok: false, field });
    expect(result.ok ? '' : result.reason).toMatch(reason);
  });

  it('names the first field that fails, in the order given', () => {
    expect(buildEvent({ 'source.port': 'x', 'source.ip': 'y' })).toMatchObject({ field: 'source.port' });
    expect(buildEvent({ 'source.ip': 'y', 'source.port': 'x' })).toMatchObject({ field: 'source.ip' });
  });

  describe('fields that are no IDF field', () => {
    // IntelMQ's Message.add refuses a key that harmonization.conf does not define (InvalidKey); a parser that
    // wants to keep an unknown column puts it under extra.<key> itself (see generic-csv.ts, shadowserver.ts).
    it.each([
      ['source.ipaddress', /not an IDF field: "source.ipaddress"/],
      ['Source.IP', /not an IDF field/],
      ['output', /not an IDF field/], // IntelMQ's output rendering is no event field in Tocsin
      ['constructor', /not an IDF field/],
      ['__proto__', /not an IDF field/],
      ['extra.Tag', /not a valid extra key/],
      ['extra.a-b', /not a valid extra key/],
      ['extra.', /not a valid extra key/],
    ])('rejects %s', (name, reason) => {
      const fields: Record<string, unknown> = { 'source.ip': '192.0.2.1' };
      Object.defineProperty(fields, name, { value: 'x', enumerable: true });
      const result = buildEvent(fields);
      expect(result).toMatchObject({ ok: false, field: name });
      expect(result.ok ? '' : result.reason).toMatch(reason);
    });

    it('rejects an unknown field even when its value is absent', () => {
      expect(buildEvent({ 'source.ipaddress': '' })).toMatchObject({ ok: false, field: 'source.ipaddress' });
    });
  });

  it('encodes raw, when given, as IntelMQ does (parsers keep it beside the event instead)', () => {
    expect(built({ raw: 'a,b\n1,2' })).toEqual({ raw: 'YSxiCjEsMg==' });
  });

  describe('classification', () => {
    it('completes the taxonomy from the type', () => {
      expect(built({ 'classification.type': 'scanner' })).toEqual({
        'classification.type': 'scanner',
        'classification.taxonomy': 'information-gathering',
      });
    });

    it.each([
      ['botnet drone', 'infected-system', 'malicious-code'],
      ['c&c', 'c2-server', 'malicious-code'],
      ['vulnerable service', 'vulnerable-system', 'vulnerable'],
      ['compromised', 'system-compromise', 'intrusions'],
      ['defacement', 'unauthorised-information-modification', 'information-content-security'],
      ['unknown', 'undetermined', 'other'],
      ['Malware Distribution', 'malware-distribution', 'malicious-code'],
    ])('rewrites the legacy type %j to %s and completes %s', (legacy, type, taxonomy) => {
      expect(built({ 'classification.type': legacy })).toEqual({
        'classification.type': type,
        'classification.taxonomy': taxonomy,
      });
    });

    it('keeps a taxonomy that is given, normalised', () => {
      expect(
        built({ 'classification.taxonomy': 'Malicious Code', 'classification.type': 'infected-system' }),
      ).toEqual({ 'classification.taxonomy': 'malicious-code', 'classification.type': 'infected-system' });
      expect(built({ 'classification.taxonomy': 'other' })).toEqual({ 'classification.taxonomy': 'other' });
    });

    it('completes the right taxonomy for every RSIT type', () => {
      for (const [taxonomy, types] of Object.entries(rsitTaxonomies)) {
        for (const type of types) {
          expect(built({ 'classification.type': type })['classification.taxonomy']).toBe(taxonomy);
        }
      }
    });

    it('completeClassification leaves an event without a type alone, and a given taxonomy too', () => {
      const none: Event = { 'source.ip': '192.0.2.1' };
      completeClassification(none);
      expect(none).toEqual({ 'source.ip': '192.0.2.1' });
      const given: Event = { 'classification.type': 'scanner', 'classification.taxonomy': 'other' };
      completeClassification(given);
      expect(given['classification.taxonomy']).toBe('other');
      const legacy: Event = { 'classification.type': 'botnet drone' };
      completeClassification(legacy);
      expect(legacy['classification.taxonomy']).toBe('malicious-code');
    });
  });

  describe('extra', () => {
    it('keeps extra.<key> fields as JSON values', () => {
      expect(built({ 'extra.count': 3, 'extra.tags': ['a', 'b'], 'extra.geo': { lat: 1 } })).toEqual({
        'extra.count': 3,
        'extra.tags': ['a', 'b'],
        'extra.geo': { lat: 1 },
      });
    });

    it('flattens an extra object given whole, as IntelMQ Message.add does', () => {
      expect(
        built({ 'source.ip': '192.0.2.1', extra: { naics: 517311, tag: ' ntp ', empty: '', none: null } }),
      ).toEqual({
        'source.ip': '192.0.2.1',
        'extra.naics': 517311,
        'extra.tag': 'ntp',
      });
    });

    it('reads extra given as JSON text of an object (IntelMQ JSONDict)', () => {
      expect(built({ extra: '{"naics": 517311, "nested": {"a": [1]}}' })).toEqual({
        'extra.naics': 517311,
        'extra.nested': { a: [1] },
      });
      expect(built({ extra: '' })).toEqual({});
      expect(built({ extra: {} })).toEqual({});
      expect(built({ extra: null })).toEqual({});
    });

    it.each([['[1, 2]'], ['"text"'], ['{'], [[1, 2]], [5], [true]])(
      'rejects extra = %j, naming extra',
      (value) => {
        const result = buildEvent({ extra: value });
        expect(result).toMatchObject({ ok: false, field: 'extra' });
        expect(result.ok ? '' : result.reason).toMatch(/JSON object/);
      },
    );

    it('names the key of a bad value inside extra', () => {
      expect(buildEvent({ extra: { 'Bad-Key': 1 } })).toMatchObject({ ok: false, field: 'extra.Bad-Key' });
      const nul = buildEvent({ extra: { note: 'a\u0000b' } });
      expect(nul).toMatchObject({ ok: false, field: 'extra.note' });
      expect(nul.ok ? '' : nul.reason).toMatch(/NUL/);
    });

    it('refuses a key given both inside extra and as extra.<key>, whichever comes first', () => {
      expect(buildEvent({ 'extra.tag': 'a', extra: { tag: 'b' } })).toMatchObject({
        ok: false,
        field: 'extra.tag',
      });
      expect(buildEvent({ extra: { tag: 'b' }, 'extra.tag': 'a' })).toMatchObject({
        ok: false,
        field: 'extra.tag',
      });
      expect(built({ extra: { tag: 'b' }, 'extra.other': 'a' })).toEqual({
        'extra.tag': 'b',
        'extra.other': 'a',
      });
    });
  });

  it('property: never throws, and what it builds builds again to itself', () => {
    const names = [...eventFields.keys(), 'extra', 'extra.tag', 'extra.x.y', 'unknown', 'extra.Bad'];
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.constantFrom(...names),
          fc.oneof(fc.string(), fc.integer(), fc.jsonValue(), fc.anything()),
          {
            maxKeys: 6,
          },
        ),
        (fields) => {
          const result = buildEvent(fields);
          if (!result.ok) {
            expect(Object.hasOwn(fields, result.field) || result.field.startsWith('extra.')).toBe(true);
            expect(result.reason.length).toBeGreaterThan(0);
            return;
          }
          const withoutRaw: Event = { ...result.event };
          delete withoutRaw.raw;
          expect(buildEvent(withoutRaw)).toEqual({ ok: true, event: withoutRaw });
        },
      ),
      { numRuns: 300 },
    );
  });
});
