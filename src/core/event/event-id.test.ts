import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildEvent } from './build.ts';
import { canonicalBody, eventId } from './event-id.ts';
import type { Event } from './types.ts';

// RFC 9562: 8-4-4-4-12 lower-case hex, version 8 (custom, here SHA-256 based), variant 10xx.
const uuidV8 = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const base: Event = {
  'classification.taxonomy': 'vulnerable',
  'classification.type': 'vulnerable-system',
  'classification.identifier': 'openntp',
  'feed.name': 'Shadowserver scan_ntp',
  'source.ip': '192.0.2.1',
  'source.port': 123,
  'source.asn': 64496,
  'protocol.transport': 'udp',
  'time.source': '2024-05-01T12:00:00+00:00',
  'time.observation': '2024-05-02T08:00:00+00:00',
  'extra.tag': 'ntp',
  'extra.response': { version: 4, peers: [1, 2] },
};

/** JSON with object keys sorted: two values are one value exactly when these texts are equal. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, member: unknown) =>
    typeof member === 'object' && member !== null && !Array.isArray(member)
      ? Object.fromEntries(Object.entries(member).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)))
      : member,
  );
}

/** The event built from raw fields, failing the test if it does not build. */
function built(fields: Record<string, unknown>): Event {
  const result = buildEvent(fields);
  if (!result.ok) throw new Error(`${result.field}: ${result.reason}`);
  return result.event;
}

describe('eventId', () => {
  it('is the id events were stored under: a change of the canonical form would split known facts', () => {
    expect(eventId(base)).toBe('3ab2fac0-9fd9-8a9b-885f-7c18255b9a5c');
    const scalars: Event = { ...base, 'extra.note': 'a"b\u2028\ud800', 'extra.ok': true, 'extra.x': -0 };
    delete scalars['extra.response'];
    expect(eventId(scalars)).toBe('fa61f03d-4abe-82cb-92a3-4e149c9633f1');
  });

  it('is a UUID (version 8, RFC 9562 variant) in lower-case hex', () => {
    expect(eventId(base)).toMatch(uuidV8);
    expect(eventId({})).toMatch(uuidV8);
  });

  it('is the same for the same event, computed again', () => {
    expect(eventId({ ...base })).toBe(eventId(base));
  });

  it('ignores the order of keys, at the top and inside extra values', () => {
    const reversed = Object.fromEntries(Object.entries(base).reverse());
    reversed['extra.response'] = { peers: [1, 2], version: 4 };
    expect(eventId(reversed)).toBe(eventId(base));
  });

  it('ignores time.observation and raw, which say when and how, not what', () => {
    expect(eventId({ ...base, 'time.observation': '2030-01-01T00:00:00+00:00' })).toBe(eventId(base));
    const withoutObservation: Event = { ...base };
    delete withoutObservation['time.observation'];
    expect(eventId(withoutObservation)).toBe(eventId(base));
    expect(eventId({ ...base, raw: 'c29tZSBsaW5l' })).toBe(eventId(base));
  });

  it('ignores members without a value (undefined, null), as the event store drops them', () => {
    expect(eventId({ ...base, comment: undefined })).toBe(eventId(base));
    expect(eventId({ ...base, comment: null })).toBe(eventId(base));
  });

  it.each<[string, unknown]>([
    ['source.ip', '192.0.2.2'],
    ['source.port', 124],
    ['source.port', '123'], // a number and its text are different values
    ['source.asn', 64497],
    ['classification.type', 'ddos-amplifier'],
    ['classification.identifier', 'ntp-monitor'],
    ['feed.name', 'another feed'],
    ['time.source', '2024-05-01T12:00:01+00:00'],
    ['extra.tag', 'NTP'],
    ['extra.response', { version: 4, peers: [2, 1] }], // array order is meaningful
    ['extra.response', { version: '4', peers: [1, 2] }],
    ['extra.other', 'x'], // a field more
    ['comment', ''],
  ])('changes when %s becomes %j', (field, value) => {
    expect(eventId({ ...base, [field]: value })).not.toBe(eventId(base));
  });

  it('changes when a field is left out', () => {
    const less: Event = { ...base };
    delete less['extra.tag'];
    expect(eventId(less)).not.toBe(eventId(base));
  });

  it('keeps keys and values apart: moving text between them changes the id', () => {
    expect(eventId({ 'extra.a': 'b,"extra.c":"d' })).not.toBe(eventId({ 'extra.a': 'b', 'extra.c': 'd' }));
    expect(eventId({ 'extra.a': { b: 1 } })).not.toBe(eventId({ 'extra.a.b': 1 }));
  });

  it('hashes text with quotes, control characters, and characters beyond the BMP exactly', () => {
    const ids = new Set(
      ['a"b', 'a\\b', 'a\nb', 'a\u0001b', 'a😀b', 'a\u2028b', 'ab'].map((text) => eventId({ comment: text })),
    );
    expect(ids.size).toBe(7);
  });

  it('is the same for equivalent spellings that sanitising normalises', () => {
    const spelledOnce = built({
      'classification.type': 'Botnet Drone',
      'source.ip': ' 2001:0DB8:0000:0000:0000:0000:0000:0001 ',
      'source.fqdn': 'WWW.Example.COM.',
      'source.url': 'HXXP://WWW.EXAMPLE.COM/Login',
      'source.asn': 'AS64496',
      'source.port': '0443',
      'source.geolocation.cc': 'nl',
      'time.source': '2024-05-01 14:00:00+02:00',
      'time.observation': '2024-05-02T08:00:00Z',
      'feed.name': 'feed',
      tlp: 'tlp:white',
      extra: { tag: ' x ' },
    });
    const spelledAgain = built({
      'feed.name': 'feed',
      tlp: 'CLEAR',
      'classification.taxonomy': 'malicious-code',
      'classification.type': 'infected-system',
      'source.ip': '2001:db8::1',
      'source.fqdn': 'www.example.com',
      'source.url': 'http://www.example.com/Login',
      'source.asn': 64496,
      'source.port': 443,
      'source.geolocation.cc': 'NL',
      'time.source': '2024-05-01T12:00:00+00:00',
      'extra.tag': 'x',
      raw: 'the line',
    });
    expect(eventId(spelledAgain)).toBe(eventId(spelledOnce));
    // The URL path keeps its case: only scheme and host are case-insensitive (RFC 3986 §6.2.2.1).
    expect(eventId({ ...spelledAgain, 'source.url': 'http://www.example.com/login' })).not.toBe(
      eventId(spelledOnce),
    );
  });

  const fieldValue = fc.oneof(
    fc.string(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.jsonValue({ maxDepth: 2 }),
  );
  const event = fc.dictionary(
    fc.stringMatching(/^[a-z_][a-z_0-9]{1,6}(\.[a-z_0-9]{1,4}){0,2}$/),
    fieldValue,
    { maxKeys: 8 },
  );

  it('property: depends on the content only, never on key order, time.observation or raw', () => {
    fc.assert(
      fc.property(event, fc.string(), fc.string(), (content, observation, raw) => {
        const shuffled = Object.fromEntries(Object.entries(content).reverse());
        const id = eventId(content);
        expect(id).toMatch(uuidV8);
        expect(eventId({ ...shuffled, 'time.observation': observation, raw })).toBe(id);
      }),
    );
  });

  /** JSON text with every object's keys sorted, written out by hand, independently of `canonicalBody`. */
  function sortedJson(value: unknown): string | undefined {
    if (Array.isArray(value)) return `[${value.map((item) => sortedJson(item) ?? 'null').join(',')}]`;
    if (typeof value !== 'object' || value === null) return JSON.stringify(value);
    const members = Object.keys(value)
      .sort()
      .map((key) => [key, sortedJson((value as Record<string, unknown>)[key])] as const)
      .filter(([, text]) => text !== undefined)
      .map(([key, text]) => `${JSON.stringify(key)}:${text}`);
    return `{${members.join(',')}}`;
  }

  /** The canonical text: the event's members but `time.observation`, `raw` and nulls, in sorted JSON. */
  function reference(event: Event): string {
    const members = Object.keys(event)
      .filter((key) => key !== 'time.observation' && key !== 'raw' && event[key] !== null)
      .sort()
      .map((key) => [key, sortedJson(event[key])] as const)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => `${JSON.stringify(key)}:${value}`);
    return `{${members.join(',')}}`;
  }

  it('property: the canonical text is the sorted members of the event, scalar or nested, any keys', () => {
    const key = fc.oneof(
      fc.constantFrom('source.ip', 'time.observation', 'raw', '__proto__', '0', '17', 'extra.a'),
      fc.string(),
    );
    const scalar = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constantFrom(undefined, null, -0),
    );
    const anEvent = fc.dictionary(key, fc.oneof(scalar, scalar, fc.jsonValue({ maxDepth: 2 })), {
      maxKeys: 10,
    }) as fc.Arbitrary<Event>;
    fc.assert(
      fc.property(anEvent, (event) => {
        const body = canonicalBody(event);
        expect(body.text).toBe(reference(event));
        const nullMember = Object.entries(event).some(
          ([key, value]) => value === null && key !== 'time.observation' && key !== 'raw',
        );
        expect(body.complete).toBe(!nullMember);
        // Events of one shape come one after another: the cached plan must fit the next one too.
        const again = { ...event };
        expect(canonicalBody(again).text).toBe(body.text);
      }),
      { numRuns: 2000 },
    );
  });

  it('property: any change of one value gives another id', () => {
    fc.assert(
      fc.property(event, fc.string({ minLength: 1 }), fieldValue, fieldValue, (content, key, a, b) => {
        fc.pre(key !== 'time.observation' && key !== 'raw');
        fc.pre(canonical(a) !== canonical(b));
        expect(eventId({ ...content, [key]: a })).not.toBe(eventId({ ...content, [key]: b }));
      }),
    );
  });
});
