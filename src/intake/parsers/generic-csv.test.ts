import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../../core/index.ts';
import { parseCsvMapping } from './csv-mapping.ts';
import { createGenericCsvParser } from './generic-csv.ts';
import { eventsOf as events, observationTime, parseAll, parseOutcome } from '../../../test/parse.ts';
import type { ParseItem, ParseOptions, Reject } from './types.ts';

const fixture = (name: string): string =>
  readFileSync(new URL(`../../../test/fixtures/feeds/${name}`, import.meta.url), 'utf8');
const mappingFile = (name: string): string =>
  readFileSync(new URL(`../../../config/mappings/${name}`, import.meta.url), 'utf8');

const rejects = (items: ParseItem[]): Reject[] =>
  items.filter((item): item is Reject => item.kind === 'reject');

const byName = `
columns:
  ip: source.ip
  when: { field: time.source, time: '%Y-%m-%d %H:%M:%S' }
  port: source.port
constants:
  classification.type: scanner
`;

describe('generic CSV: the partner example (config/mappings/partner-exposed-services.yaml)', () => {
  it('maps columns by header name, translates values, keeps unmapped columns in extra and rejects bad rows', async () => {
    const items = await parse(
      mappingFile('partner-exposed-services.yaml'),
      fixture('partner-exposed-services.csv'),
    );
    const header = 'timestamp,ip,port,asn,hostname,service,country,notes,banner';
    const constant = {
      'classification.type': 'potentially-unwanted-accessible',
      'classification.taxonomy': 'vulnerable',
      'protocol.transport': 'tcp',
      'feed.name': 'Partner X exposed services',
      'feed.provider': 'Partner X',
      tlp: 'AMBER',
      'time.observation': observationTime,
    };
    expect(items).toEqual([
      {
        kind: 'event',
        line: 3,
        event: {
          ...constant,
          // Europe/Amsterdam in winter is UTC+1.
          'time.source': '2026-03-01T05:12:44+00:00',
          'source.ip': '192.0.2.10',
          'source.port': 3389,
          'source.asn': 64500,
          'source.reverse_dns': 'host-10.example.nl',
          'classification.identifier': 'accessible-rdp',
          'source.geolocation.cc': 'NL',
          'extra.banner': 'RDP 10.0',
        },
        raw: `${header}\n2026-03-01 06:12:44,192.0.2.10,3389,AS64500,host-10.example.nl,rdp,NL,first seen,RDP 10.0`,
      },
      {
        kind: 'event',
        line: 4,
        event: {
          ...constant,
          // ... and UTC+2 in summer.
          'time.source': '2026-07-01T05:00:00+00:00',
          'source.ip': '192.0.2.11',
          'source.port': 5900,
          'source.asn': 64500,
          'classification.identifier': 'accessible-vnc',
          'source.geolocation.cc': 'NL',
          'extra.banner': 'RFB 003.008',
        },
        raw: `${header}\n2026-07-01 07:00:00,192.0.2.11,5900,AS64500,,vnc,NL,,RFB 003.008`,
      },
      {
        kind: 'reject',
        line: 5,
        field: 'source.ip',
        reason: expect.stringMatching(/^source\.ip from column "ip": .*"999\.0\.2\.12"/) as string,
      },
      {
        kind: 'reject',
        line: 6,
        field: 'time.source',
        reason: expect.stringMatching(
          /^time\.source from column "timestamp": "2026-13-01 07:05:00"/,
        ) as string,
      },
      { kind: 'reject', line: 7, reason: 'found 3 columns, expected 9' },
      {
        kind: 'reject',
        line: 8,
        field: 'source.ip',
        reason: 'column "ip" is required but has no value',
      },
      {
        kind: 'event',
        line: 9,
        event: {
          ...constant,
          'time.source': '2026-03-01T06:20:00+00:00',
          'source.ip': '2001:db8::1',
          'source.port': 3389,
          'source.asn': 64502,
          'classification.identifier': 'accessible-rdp',
          'source.geolocation.cc': 'NL',
          'extra.banner': 'banner with "quotes", and a comma',
        },
        raw: expect.stringContaining('"banner with ""quotes"", and a comma"') as string,
      },
    ]);
  });

  it('lets the feed name option override the mapping constant', async () => {
    const items = await parse(
      mappingFile('partner-exposed-services.yaml'),
      fixture('partner-exposed-services.csv'),
      { feedName: 'Partner X (manual upload)' },
    );
    expect(events(items).map((item) => item.event['feed.name'])).toEqual([
      'Partner X (manual upload)',
      'Partner X (manual upload)',
      'Partner X (manual upload)',
    ]);
  });
});

describe('generic CSV: mapping features', () => {
  it('reads columns by position without a header, with a delimiter and a default time zone', async () => {
    const yaml = `
delimiter: ';'
header: false
time_zone: '+02:00'
columns: [source.ip, ignore, time.source, { field: source.port }]
constants: { classification.type: scanner }
`;
    const items = await parse(
      yaml,
      '192.0.2.1;x;2026-01-01 12:00:00;22\n192.0.2.2;y;2026-01-01T12:00:00Z;23\n',
    );
    expect(items).toEqual([
      {
        kind: 'event',
        line: 1,
        event: {
          'source.ip': '192.0.2.1',
          'time.source': '2026-01-01T10:00:00+00:00',
          'source.port': 22,
          'classification.type': 'scanner',
          'classification.taxonomy': 'information-gathering',
          'time.observation': observationTime,
        },
        raw: '192.0.2.1;x;2026-01-01 12:00:00;22',
      },
      expect.objectContaining({
        line: 2,
        // An offset in the value wins over the mapping's zone.
        event: expect.objectContaining({ 'time.source': '2026-01-01T12:00:00+00:00' }) as object,
      }),
    ]);
  });

  it('reads columns by position after a header, and keeps unmapped columns only when told', async () => {
    const text = 'IP\tWhen\tFeed-Source\tFeed Source\n192.0.2.1\t1495782036\tDCU\tx\n';
    const yaml = (unmapped: string): string => `
delimiter: "\\t"
time_format: epoch_seconds
unmapped: ${unmapped}
columns: [source.ip, time.source]
constants: { classification.type: infected-system }
`;
    const [kept] = events(await parse(yaml('extra'), text));
    expect(kept?.event).toMatchObject({
      'source.ip': '192.0.2.1',
      'time.source': '2017-05-26T07:00:36+00:00',
      // Header names become valid extra keys; a name taken twice gets a suffix.
      'extra.feed_source': 'DCU',
      'extra.feed_source_2': 'x',
    });
    expect(kept?.raw).toBe('IP\tWhen\tFeed-Source\tFeed Source\n192.0.2.1\t1495782036\tDCU\tx');
    const [dropped] = events(await parse(yaml('drop'), text));
    expect(Object.keys(dropped?.event ?? {}).filter((key) => key.startsWith('extra.'))).toEqual([]);
  });

  it('applies a column time format and zone, alternatives, extraction, values, JSON cells and composition', async () => {
    const yaml = `
columns:
  seen: { field: time.source, time: '%d/%b/%Y:%H:%M:%S', zone: Europe/Amsterdam }
  addr: source.ip|source.network|ignore
  asn: { field: source.asn, extract: 'AS(\\d+)' }
  kind: { field: classification.type, values: { bot: infected-system, scan: scanner } }
  tags: { field: extra.tags, json: true }
  host: source.fqdn
  path: source.urlpath
compose:
  source.url: 'https://{host}{path}'
constants:
  classification.type: undetermined
  feed.name: Features
`;
    const text = [
      'seen,addr,asn,kind,tags,host,path',
      '01/Jul/2024:12:00:00,192.0.2.1,AS64500,bot,"[""a"",1]",www.example.com,/x',
      '01/Jan/2024:12:00:00,198.51.100.0/24,AS64501,scan,{},,/y',
      '01/Jan/2024:12:00:00,not an address,AS1,unheard-of,,,',
    ].join('\n');
    const items = await parse(yaml, text);
    expect(items.map((item) => (item.kind === 'event' ? item.event : item))).toEqual([
      {
        'time.source': '2024-07-01T10:00:00+00:00',
        'source.ip': '192.0.2.1',
        'source.asn': 64500,
        'classification.type': 'infected-system',
        'classification.taxonomy': 'malicious-code',
        'extra.tags': ['a', 1],
        'source.fqdn': 'www.example.com',
        'source.urlpath': '/x',
        'source.url': 'https://www.example.com/x',
        'feed.name': 'Features',
        'time.observation': observationTime,
      },
      {
        'time.source': '2024-01-01T11:00:00+00:00',
        'source.network': '198.51.100.0/24',
        'source.asn': 64501,
        'classification.type': 'scanner',
        'classification.taxonomy': 'information-gathering',
        // An empty JSON object is no value (as IntelMQ drops an empty extra value); nor is an empty host.
        'source.urlpath': '/y',
        'feed.name': 'Features',
        'time.observation': observationTime,
      },
      // "ignore" among the alternatives drops a value no field takes; "unheard-of" is no RSIT type.
      {
        kind: 'reject',
        line: 4,
        field: 'classification.type',
        reason: expect.stringContaining('classification.type from column "kind"') as string,
      },
    ]);
  });

  it('skips lines before the header, comments, blank lines, and lines the filters exclude', async () => {
    const yaml = `
skip_lines: 1
keep_lines_containing: '192.0.2.'
drop_lines_containing: 'test'
columns: { ip: source.ip }
constants: { classification.type: scanner }
`;
    const text =
      'Report of 2026-03-01\n\n# a comment\nip\n  # indented comment\n192.0.2.1\n198.51.100.1\n192.0.2.2 test\n\n192.0.2.3\n';
    const items = await parse(yaml, text);
    expect(items.map((item) => [item.line, item.kind === 'event' ? item.event['source.ip'] : item])).toEqual([
      [6, '192.0.2.1'],
      [10, '192.0.2.3'],
    ]);
    expect(events(items)[0]?.raw).toBe('ip\n192.0.2.1');
  });

  it('accepts short rows when the mapping allows them, and prefixes URLs without a scheme', async () => {
    const yaml = `
header: false
allow_short_rows: true
default_url_scheme: http
columns: [source.url, source.ip, source.port]
constants: { classification.type: malware-distribution }
`;
    const items = await parse(yaml, 'example.com/a.exe,192.0.2.1\nhttps://example.net/,192.0.2.2,443\n');
    expect(events(items).map((item) => item.event['source.url'])).toEqual([
      'http://example.com/a.exe',
      'https://example.net/',
    ]);
  });

  it('splits by a pattern when the delimiter also occurs in values (DataPlane)', async () => {
    const items = await parse(
      mappingFile('dataplane-sshpwauth.yaml'),
      [
        '# DataPlane.org',
        'NA    |  NA                    |  192.0.2.1  |  2016-12-01 04:26:48  |  sshpwauth',
        '1     |  TEST-AS a | b | c     |  192.0.2.2  |  2024-04-02 12:00:00  |  sshpwauth',
        '2     |  X                     |  192.0.2.3  |  2024-04-02  |  sshpwauth',
      ].join('\n'),
    );
    expect(items.map((item) => (item.kind === 'event' ? item.event : item))).toEqual([
      expect.objectContaining({ 'source.ip': '192.0.2.1', 'time.source': '2016-12-01T04:26:48+00:00' }),
      expect.objectContaining({ 'source.asn': 1, 'source.as_name': 'TEST-AS', 'source.ip': '192.0.2.2' }),
      {
        kind: 'reject',
        line: 4,
        field: 'time.source',
        reason: expect.stringContaining('"2024-04-02"') as string,
      },
    ]);
    expect(events(items)[0]?.event['source.asn']).toBeUndefined();
  });

  it('throws intake.unreadable_input naming the mapping when the header lacks a named column', async () => {
    const error: unknown = await parse(byName, 'ip,port\n192.0.2.1,22\n').catch((e: unknown) => e);
    expect(isAppError(error) && error.code).toBe('intake.unreadable_input');
    expect((error as Error).message).toBe(
      'The header has no column "when" that the mapping test.yaml names.',
    );
  });
});

/** A line that is one physical line of binary garbage: no line break, quote, delimiter or comment mark. */
const garbage = Buffer.from([
  0x00, 0xff, 0xfe, 0x1f, 0x8b, 0x08, 0x00, 0x9c, 0xc3, 0x28, 0xe2, 0x82, 0x7f, 0xf0, 0x90,
])
  .toString('latin1')
  .concat(Buffer.from([0xc3, 0x28, 0xa0, 0xa1]).toString('utf8'));
const tenMegabytes = 'x'.repeat(10 * 1024 * 1024);

describe('generic CSV: bad input', () => {
  it('rejects bad lines with physical line numbers and reasons, and parses the rest', async () => {
    const text = [
      'ip,when,port', // 1
      '192.0.2.1,2026-01-01 00:00:00,22', // 2
      '192.0.2.300,2026-01-01 00:00:00,22', // 3 bad IP
      '192.0.2.3,2026-01-01 25:00:00,22', // 4 bad time
      '192.0.2.4,2026-01-01 00:00:00', // 5 column count
      garbage, // 6
      tenMegabytes, // 7
      '192.0.2.8,2026-01-01 00:00:00,"2', // 8: a quoted cell over two physical lines
      '3"', // 9
      '192.0.2.10,2026-01-01 00:00:00,24', // 10
      '192.0.2.11,"2026-01-01 00:0', // 11: truncated inside a quoted cell
    ].join('\n');
    for (const sizes of [undefined, [1000], [7, 1 << 20]]) {
      const items = await parse(byName, text, {}, sizes);
      expect(
        items.map((item) => [item.line, item.kind, item.kind === 'reject' ? item.field : undefined]),
      ).toEqual([
        [2, 'event', undefined],
        [3, 'reject', 'source.ip'],
        [4, 'reject', 'time.source'],
        [5, 'reject', undefined],
        [6, 'reject', undefined],
        [7, 'reject', undefined],
        [8, 'reject', 'source.port'],
        [10, 'event', undefined],
        [11, 'reject', undefined],
      ]);
      const reasons = rejects(items).map((reject) => reject.reason);
      expect(reasons[0]).toContain('192.0.2.300');
      expect(reasons[1]).toContain('2026-01-01 25:00:00');
      expect(reasons[2]).toBe('found 2 columns, expected 3');
      expect(reasons[3]).toBe('found 1 columns, expected 3');
      expect(reasons[4]).toContain('skipped to the next line');
      expect(reasons[5]).toContain('source.port from column "port": not a whole number');
      expect(reasons[6]).toContain('truncated');
    }
  });

  it('rejects a truncated file (fixture) at the line where the broken record starts', async () => {
    const yaml =
      'columns: { timestamp: time.source, ip: source.ip }\nconstants: { classification.type: scanner }';
    expect(await parse(yaml, fixture('truncated.csv'))).toEqual([
      { kind: 'reject', line: 2, reason: expect.stringContaining('unterminated quoted field') as string },
    ]);
  });

  it('throws intake.unreadable_input for an empty input, a blank one, and one without a header', async () => {
    for (const text of ['', '\n\n  \n', '# only a comment\n']) {
      expect(await outcome(byName, text)).toEqual({
        code: 'intake.unreadable_input',
        message: text.includes('#')
          ? 'The input has no header line (the mapping test.yaml expects one).'
          : 'The input is empty.',
      });
    }
  });
});

describe('generic CSV: properties', () => {
  const cell = fc.oneof(
    fc.constantFrom('192.0.2.1', '2001:db8::1', '999.1.1.1', '2026-01-01 00:00:00', '22', '-', '', 'N/A'),
    fc.string({
      unit: fc.constantFrom('a', '1', '.', ':', ' ', ',', '"', '\n', '\r', '#', '\0', 'é', '\uD800'),
    }),
  );
  const csvText = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 300 }),
    fc
      .array(fc.array(cell, { minLength: 0, maxLength: 5 }), { maxLength: 8 })
      .map((rows) => ['ip,when,port', ...rows.map((row) => row.join(','))].join('\n')),
  );
  const sizes = fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 6 });

  it('never throws anything but an AppError, and every reject has a line and a reason (fuzz)', async () => {
    await fc.assert(
      fc.asyncProperty(csvText, async (text) => {
        const result = await outcome(byName, text);
        if (!Array.isArray(result)) {
          expect(result).toMatchObject({ code: 'intake.unreadable_input' });
          return;
        }
        // Only LF (or CRLF) ends a line; a bare carriage return is data.
        const lines = text.split('\n').length;
        for (const item of result as ParseItem[]) {
          expect(item.line).toBeGreaterThanOrEqual(1);
          expect(item.line).toBeLessThanOrEqual(lines);
          if (item.kind === 'reject') expect(item.reason.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('gives the same items however the input is split into chunks', async () => {
    await fc.assert(
      fc.asyncProperty(csvText, sizes, async (text, chunkSizes) => {
        expect(await outcome(byName, text, chunkSizes)).toEqual(await outcome(byName, text));
      }),
      { numRuns: 300 },
    );
  });
});

function parse(
  yaml: string,
  text: string,
  options: Partial<ParseOptions> = {},
  sizes?: number[],
): Promise<ParseItem[]> {
  return parseAll(createGenericCsvParser(parseCsvMapping(yaml, 'test.yaml')), text, options, sizes);
}

/** The items, or the thrown error's code and message: what a property compares. */
function outcome(yaml: string, text: string, sizes?: number[]): Promise<unknown> {
  return parseOutcome(createGenericCsvParser(parseCsvMapping(yaml, 'test.yaml')), text, sizes);
}
