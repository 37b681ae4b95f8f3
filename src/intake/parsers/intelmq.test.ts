import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { flattenIntelmq, parseIntelmqEvents } from './intelmq.ts';
import { eventsOf as events, observationTime, parseAll as parse, parseOutcome } from '../../../test/parse.ts';
import type { ParseItem } from './types.ts';

const fixture = (name: string): string =>
  readFileSync(new URL(`../../../test/fixtures/feeds/${name}`, import.meta.url), 'utf8');

describe('IntelMQ events: the fixture (test/fixtures/feeds/intelmq-events.jsonl)', () => {
  it('reads dotted and nested keys, extra as an object or JSON text, decodes raw, and rejects what is no event', async () => {
    const text = fixture('intelmq-events.jsonl');
    const lines = text.split('\n');
    expect(await parse(parseIntelmqEvents, text)).toEqual([
      {
        kind: 'event',
        line: 1,
        event: {
          'feed.name': 'Partner feed',
          'classification.type': 'scanner',
          'classification.taxonomy': 'information-gathering',
          'source.ip': '192.0.2.1',
          'source.port': 22,
          'time.source': '2026-03-01T10:00:00+00:00',
          // The event's own observation time is kept.
          'time.observation': '2026-03-01T11:00:00+00:00',
          'extra.scan_id': 'a1',
          'extra.tags': ['x', 'y'],
        },
        raw: '192.0.2.1,22\n',
      },
      {
        kind: 'event',
        line: 2,
        event: {
          'classification.type': 'infected-system',
          'classification.taxonomy': 'malicious-code',
          'classification.identifier': 'mirai',
          'source.ip': '192.0.2.2',
          'source.geolocation.cc': 'NL',
          'malware.name': 'mirai',
          'extra.botnet': { id: 7 },
          'time.observation': observationTime,
        },
        // Without raw, the record itself stands in, as IntelMQ's JSON parser does.
        raw: lines[1],
      },
      {
        kind: 'reject',
        line: 3,
        field: '__type',
        reason: expect.stringContaining('IntelMQ Report') as string,
      },
      { kind: 'reject', line: 4, field: 'raw', reason: 'raw is not base64 text' },
      {
        kind: 'reject',
        line: 5,
        field: 'source.ip',
        reason: expect.stringContaining('"300.0.0.1"') as string,
      },
      { kind: 'reject', line: 6, reason: expect.stringMatching(/^line is not valid JSON/) as string },
      { kind: 'reject', line: 7, reason: 'line is not a JSON object' },
      {
        kind: 'event',
        line: 8,
        event: {
          // IntelMQ's legacy "unknown" is RSIT's "undetermined"; FQDNs are lower-cased without the root dot.
          'classification.type': 'undetermined',
          'classification.taxonomy': 'other',
          'source.fqdn': 'example.com',
          'extra.note': 'dotted extra key',
          'time.observation': observationTime,
        },
        raw: lines[7],
      },
    ]);
  });

  it('reads the same events from one JSON array, numbering elements from 1', async () => {
    const records = fixture('intelmq-events.jsonl')
      .split('\n')
      .filter((line) => line.startsWith('{'));
    const fromLines = await parse(parseIntelmqEvents, records.join('\n'));
    const fromArray = await parse(parseIntelmqEvents, `[\n  ${records.join(',\n  ')}\n]\n`);
    expect(fromArray.map((item) => item.line)).toEqual(records.map((_, index) => index + 1));
    const withoutLines = (items: ParseItem[]): unknown[] => items.map(({ line: _, ...rest }) => rest);
    expect(withoutLines(fromArray)).toEqual(withoutLines(fromLines));
  });

  it('sets feed.name from the options, over the event', async () => {
    const [item] = events(
      await parse(parseIntelmqEvents, '{"feed.name": "theirs", "classification.type": "scanner"}', {
        feedName: 'ours',
      }),
    );
    expect(item?.event['feed.name']).toBe('ours');
  });
});

describe('flattenIntelmq', () => {
  it('flattens nested objects except below extra, and refuses a key given twice or nested too deep', () => {
    expect(
      flattenIntelmq({
        __type: 'Event',
        output: '{"rendered": true}',
        source: { ip: '192.0.2.1', geolocation: { cc: 'AT' } },
        'source.port': 80,
        extra: { nested: { a: [1, { b: 2 }] } },
        'extra.flat': true,
      }),
    ).toEqual({
      ok: true,
      fields: {
        'source.ip': '192.0.2.1',
        'source.geolocation.cc': 'AT',
        'source.port': 80,
        'extra.nested': { a: [1, { b: 2 }] },
        'extra.flat': true,
      },
    });
    expect(flattenIntelmq({ 'source.ip': '192.0.2.1', source: { ip: '192.0.2.2' } })).toEqual({
      ok: false,
      field: 'source.ip',
      reason: 'source.ip is given twice',
    });
    expect(flattenIntelmq({ 'extra.a': 1, extra: '{"a": 2}' })).toMatchObject({
      ok: false,
      field: 'extra.a',
    });
    expect(flattenIntelmq({ extra: '[1]' })).toMatchObject({ ok: false, field: 'extra' });
    let deep: Record<string, unknown> = { ip: '192.0.2.1' };
    for (let i = 0; i < 12; i++) deep = { source: deep };
    expect(flattenIntelmq(deep)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('nested deeper') as string,
    });
  });
});

/** One physical line of binary garbage: no line break. */
const garbage = Buffer.from([
  0x00, 0xff, 0xfe, 0x1f, 0x8b, 0x08, 0x00, 0x7b, 0x22, 0xc3, 0x28, 0xe2, 0x82,
]).toString('latin1');
const tenMegabytes = `{"comment": "${'x'.repeat(10 * 1024 * 1024)}"}`;

describe('IntelMQ events: bad input', () => {
  const text = [
    '{"classification.type": "scanner", "source.ip": "192.0.2.1"}', // 1
    '{"classification.type": "scanner", "source.ip": "192.0.2.256"}', // 2
    '{"classification.type": "scanner", "source.ip": "192.0.2.3", "time.source": "2026-02-30T00:00:00Z"}', // 3
    garbage, // 4
    tenMegabytes, // 5
    '', // 6
    '{"classification.type": "scanner", "source": {"ip": "192.0.2.7"}}', // 7
    '{"classification.type": "scanner", "source.ip": "192.0.2.8", "time.sou', // 8: truncated
  ].join('\n');

  it('rejects bad lines with line numbers and reasons, and parses the rest, however the input is split', async () => {
    for (const sizes of [undefined, [4096], [13, 1 << 20]]) {
      const items = await parse(parseIntelmqEvents, text, {}, sizes);
      expect(items).toEqual([
        expect.objectContaining({ kind: 'event', line: 1 }),
        {
          kind: 'reject',
          line: 2,
          field: 'source.ip',
          reason: expect.stringContaining('192.0.2.256') as string,
        },
        {
          kind: 'reject',
          line: 3,
          field: 'time.source',
          reason: expect.stringContaining('2026-02-30') as string,
        },
        { kind: 'reject', line: 4, reason: expect.stringMatching(/^line is not valid JSON/) as string },
        {
          kind: 'reject',
          line: 5,
          reason: expect.stringMatching(/^line longer than [\d,]+ characters; skipped$/) as string,
        },
        expect.objectContaining({ kind: 'event', line: 7 }),
        { kind: 'reject', line: 8, reason: expect.stringMatching(/^line is not valid JSON/) as string },
      ]);
    }
  });

  it('rejects a broken array element and a truncated array, and goes on', async () => {
    const items = await parse(
      parseIntelmqEvents,
      '[{"classification.type": "scanner", "source.ip": "192.0.2.1"}, {"source.ip": 1]}, {"classification.type": "scanner"',
    );
    expect(items.map((item) => [item.line, item.kind])).toEqual([
      [1, 'event'],
      [2, 'reject'],
      [3, 'reject'],
    ]);
  });

  it('throws intake.unreadable_input for an empty or blank input', async () => {
    for (const input of ['', ' \n\r\n']) {
      expect(await outcome(input)).toEqual({
        code: 'intake.unreadable_input',
        message: 'The input is empty.',
      });
    }
  });
});

describe('IntelMQ events: properties', () => {
  const value = fc.oneof(
    fc.constantFrom(
      '192.0.2.1',
      '2001:db8::1',
      '0.0.0.0',
      'scanner',
      'unknown',
      '2026-01-01T00:00:00Z',
      'Zm9v',
    ),
    fc.jsonValue({ maxDepth: 2 }),
  );
  const key = fc.constantFrom(
    'source.ip',
    'classification.type',
    'time.source',
    'raw',
    'extra',
    'extra.x',
    '__type',
    'source',
    'feed.name',
    'Bad Key',
  );
  const record = fc.dictionary(key, value, { maxKeys: 5 }).map((object) => JSON.stringify(object));
  const jsonText = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 300 }),
    fc.array(record, { maxLength: 6 }).map((records) => records.join('\n')),
    fc.array(record, { maxLength: 6 }).map((records) => `[${records.join(',')}]`),
    fc
      .tuple(fc.array(record, { minLength: 1, maxLength: 4 }), fc.nat())
      .map(([records, cut]) => records.join('\n').slice(0, cut % (records.join('\n').length + 1))),
  );
  const sizes = fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 6 });

  it('never throws anything but an AppError, and every reject has a line and a reason (fuzz)', async () => {
    await fc.assert(
      fc.asyncProperty(jsonText, async (text) => {
        const result = await outcome(text);
        if (!Array.isArray(result)) {
          expect(result).toMatchObject({ code: 'intake.unreadable_input' });
          return;
        }
        for (const item of result as ParseItem[]) {
          expect(item.line).toBeGreaterThanOrEqual(1);
          if (item.kind === 'reject') expect(item.reason.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('gives the same items however the input is split into chunks', async () => {
    await fc.assert(
      fc.asyncProperty(jsonText, sizes, async (text, chunkSizes) => {
        expect(await outcome(text, chunkSizes)).toEqual(await outcome(text));
      }),
      { numRuns: 300 },
    );
  });
});

function outcome(text: string, sizes?: number[]): Promise<unknown> {
  return parseOutcome(parseIntelmqEvents, text, sizes);
}
