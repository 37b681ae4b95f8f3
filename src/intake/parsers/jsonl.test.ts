import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createTestStore } from '../../../test/db.ts';
import { exportEvents, type ExportFormat } from '../export-events.ts';
import { FeedParsers, type FeedKind } from '../feeds.ts';
import { ingestFile } from '../ingest.ts';
import { parseCsvMapping } from './csv-mapping.ts';
import { parseIntelmqEvents } from './intelmq.ts';
import { parseIdfJsonLines } from './jsonl.ts';
import { eventsOf as events, observationTime, parseAll as parse, parseOutcome } from '../../../test/parse.ts';
import type { FeedParser, ParseItem } from './types.ts';
import { storedEvents } from '../../../test/events.ts';

const fixturePath = (name: string): string =>
  fileURLToPath(new URL(`../../../test/fixtures/feeds/${name}`, import.meta.url));
const fixture = (name: string): string => readFileSync(fixturePath(name), 'utf8');

describe('IDF JSON lines: the fixtures', () => {
  it('reads Tocsin export records (event + raw) and flat IDF events (base64 raw), and rejects the rest', async () => {
    const text = fixture('idf-events.jsonl');
    const lines = text.split('\n');
    expect(await parse(parseIdfJsonLines, text)).toEqual([
      {
        kind: 'event',
        line: 1,
        event: {
          'classification.type': 'vulnerable-system',
          'classification.taxonomy': 'vulnerable',
          'classification.identifier': 'openntp',
          'source.ip': '198.51.100.7',
          'source.port': 123,
          'protocol.transport': 'udp',
          'time.source': '2026-02-01T03:04:05+00:00',
          'time.observation': '2026-02-01T06:00:00+00:00',
          'feed.name': 'Shadowserver NTP',
        },
        // An export record's raw is the original text, not base64; its id and reports are not taken over.
        raw: 'timestamp,ip,port\n2026-02-01 03:04:05,198.51.100.7,123',
      },
      {
        kind: 'event',
        line: 2,
        event: {
          'classification.type': 'phishing',
          'classification.taxonomy': 'fraud',
          'source.url': 'http://login.example.net/bank',
          'time.observation': observationTime,
        },
        raw: 'phishing url\n',
      },
      { kind: 'reject', line: 3, field: 'event', reason: 'event is not a JSON object of IDF fields' },
      { kind: 'reject', line: 5, field: 'source.ip', reason: expect.stringContaining('0.0.0.0') as string },
      {
        kind: 'event',
        line: 6,
        event: {
          'classification.type': 'scanner',
          'classification.taxonomy': 'information-gathering',
          'source.ip': '203.0.113.9',
          'time.observation': observationTime,
        },
        raw: lines[5],
      },
    ]);
  });

  it('reads a JSON array of both kinds, numbering elements from 1', async () => {
    const items = await parse(parseIdfJsonLines, fixture('idf-events-array.json'));
    expect(
      items.map((item) => (item.kind === 'event' ? [item.line, item.event['source.ip']] : item)),
    ).toEqual([
      [1, '203.0.113.1'],
      [2, '203.0.113.2'],
      { kind: 'reject', line: 3, reason: 'element 3 is not a JSON object' },
      {
        kind: 'reject',
        line: 4,
        field: 'source.ip',
        reason: expect.stringContaining('not an address') as string,
      },
      [5, '203.0.113.5'],
    ]);
    expect(events(items)[0]?.event['extra.banner']).toBe('SSH-2.0-OpenSSH_9.6 [x], {y}');
    expect(events(items)[1]?.raw).toBe('203.0.113.2,dns');
    expect(events(items)[2]?.event.comment).toBe('a "quoted" ] bracket, and a comma');
  });

  it('rejects a flat event whose raw is not base64, and unknown fields', async () => {
    const items = await parse(
      parseIdfJsonLines,
      '{"classification.type": "scanner", "raw": "%%%"}\n{"classification.type": "scanner", "colour": "red"}',
    );
    expect(items).toEqual([
      { kind: 'reject', line: 1, field: 'raw', reason: 'raw is not base64 text' },
      { kind: 'reject', line: 2, field: 'colour', reason: 'not an IDF field: "colour"' },
    ]);
  });
});

const garbage = Buffer.from([0x00, 0xff, 0xfe, 0x1f, 0x8b, 0x08, 0x00, 0x7b, 0x22, 0xc3, 0x28]).toString(
  'latin1',
);

describe('IDF JSON lines: bad input', () => {
  it('rejects bad lines with line numbers and reasons, and parses the rest, however the input is split', async () => {
    const text = [
      '{"classification.type": "scanner", "source.ip": "192.0.2.1"}', // 1
      '{"id": "a", "event": {"classification.type": "scanner", "source.ip": "192.0.2"}}', // 2
      '{"classification.type": "scanner", "time.source": "yesterday"}', // 3
      garbage, // 4
      `{"comment": "${'x'.repeat(10 * 1024 * 1024)}"}`, // 5
      '{"id": "b", "event": {"classification.type": "scanner", "source.ip": "192.0.2.6"}, "raw": "x"}', // 6
      '{"classification.type": "scanner", "source.ip": "192.0.2.7"', // 7: truncated
    ].join('\r\n');
    for (const sizes of [undefined, [4096], [11, 1 << 20]]) {
      expect(await parse(parseIdfJsonLines, text, {}, sizes)).toEqual([
        expect.objectContaining({ kind: 'event', line: 1 }),
        { kind: 'reject', line: 2, field: 'source.ip', reason: expect.stringContaining('192.0.2') as string },
        {
          kind: 'reject',
          line: 3,
          field: 'time.source',
          reason: expect.stringContaining('yesterday') as string,
        },
        { kind: 'reject', line: 4, reason: expect.stringMatching(/^line is not valid JSON/) as string },
        {
          kind: 'reject',
          line: 5,
          reason: expect.stringMatching(/^line longer than [\d,]+ characters; skipped$/) as string,
        },
        expect.objectContaining({ kind: 'event', line: 6, raw: 'x' }),
        { kind: 'reject', line: 7, reason: expect.stringMatching(/^line is not valid JSON/) as string },
      ]);
    }
  });

  it('throws intake.unreadable_input for an empty input', async () => {
    expect(await outcome('')).toEqual({ code: 'intake.unreadable_input', message: 'The input is empty.' });
  });
});

describe('IDF JSON lines: properties', () => {
  const value = fc.oneof(
    fc.constantFrom('192.0.2.1', '0.0.0.0', 'scanner', '2026-01-01T00:00:00Z', 'Zm9v', 'hxxp://a.example/'),
    fc.jsonValue({ maxDepth: 2 }),
  );
  const fields = fc.dictionary(
    fc.constantFrom('source.ip', 'classification.type', 'time.source', 'source.url', 'extra.x', 'raw', 'Bad'),
    value,
    { maxKeys: 4 },
  );
  const record = fc.oneof(
    fields,
    fc.record({ id: fc.string(), event: fc.oneof(fields, fc.jsonValue()), raw: fc.option(fc.string()) }),
  );
  const jsonText = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 300 }),
    fc.array(record, { maxLength: 6 }).map((records) => records.map((r) => JSON.stringify(r)).join('\n')),
    fc.array(record, { maxLength: 6 }).map((records) => JSON.stringify(records, null, 1)),
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

describe('round trip: tocsin events export, parsed back', () => {
  const exportParsers: Record<Exclude<ExportFormat, 'csv'>, FeedParser> = {
    jsonl: parseIdfJsonLines,
    intelmq: parseIntelmqEvents,
  };

  it.each(Object.keys(exportParsers) as (keyof typeof exportParsers)[])(
    'gives the stored events and raw texts back from the %s export',
    async (format) => {
      const store = await createTestStore();
      try {
        const mappingText = readFileSync(
          new URL('../../../config/mappings/partner-exposed-services.yaml', import.meta.url),
          'utf8',
        );
        const parsers = new FeedParsers({
          shadowserverSchemaPath: join(tmpdir(), 'tocsin-no-schema', 'intelmq.json'),
          mapping: parseCsvMapping(mappingText, 'partner-exposed-services.yaml'),
        });
        const inputs: [string, FeedKind][] = [
          ['partner-exposed-services.csv', 'csv'],
          ['intelmq-events.jsonl', 'intelmq'],
          ['idf-events.jsonl', 'jsonl'],
          ['idf-events-array.json', 'jsonl'],
        ];
        for (const [name, feed] of inputs) {
          const result = await ingestFile(
            { store, parsers },
            { path: fixturePath(name), fileName: name, source: 'round-trip', feed },
          );
          expect(result.status).toBe('processed');
        }
        const stored = await storedEvents(store);
        expect(stored.length).toBe(12);

        const parsed = await parse(exportParsers[format], exportEvents(store, { format, pageSize: 4 }));
        expect(parsed.filter((item) => item.kind === 'reject')).toEqual([]);
        const byEvent = (a: { event: string }, b: { event: string }): number =>
          a.event.localeCompare(b.event);
        expect(
          events(parsed)
            .map((item) => ({ event: JSON.stringify(sortKeys(item.event)), raw: item.raw }))
            .sort(byEvent),
        ).toEqual(
          stored
            .map((row) => ({
              event: JSON.stringify(sortKeys(row.data)),
              raw: row.raw,
            }))
            .sort(byEvent),
        );
      } finally {
        await store.close();
      }
    },
  );
});

function sortKeys(event: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(event).sort(([a], [b]) => a.localeCompare(b)));
}

function outcome(text: string, sizes?: number[]): Promise<unknown> {
  return parseOutcome(parseIdfJsonLines, text, sizes);
}
