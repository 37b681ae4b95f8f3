/**
 * The Shadowserver parser on the suite's own fixtures (`test/fixtures/shadowserver/`: a small hand-written
 * schema in the shape of Shadowserver's `intelmq.json` and hand-written reports), so that a clone without
 * the shared corpus still exercises it. The corpus tests are `shadowserver.conformance.test.ts` (IntelMQ)
 * and `shadowserver.schema.test.ts` (every report type of the published schema).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAppError, sanitiseField } from '../../core/index.ts';
import { conversions } from './shadowserver-conversions.ts';
import { createShadowserverParser } from './shadowserver.ts';
import {
  findShadowserverReport,
  loadShadowserverSchema,
  parseShadowserverSchema,
  reportTypeFromFileName,
} from './shadowserver-schema.ts';
import type { ParseItem, ParseOptions, ParsedEvent, Reject } from './types.ts';

const fixtures = join(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'shadowserver');
const schema = loadShadowserverSchema(join(fixtures, 'intelmq-schema.json'));
const parse = createShadowserverParser(schema);
const observationTime = '2024-05-01T12:00:00+00:00';

function fixture(name: string): string {
  return readFileSync(join(fixtures, name), 'utf8');
}

async function* chunksOf(text: string, size = text.length || 1): AsyncGenerator<string> {
  for (let at = 0; at < text.length; at += size) yield text.slice(at, at + size);
}

async function parseText(
  text: string,
  options: Partial<ParseOptions> = {},
  chunkSize?: number,
): Promise<ParseItem[]> {
  const items: ParseItem[] = [];
  for await (const batch of parse(chunksOf(text, chunkSize), { observationTime, ...options }))
    items.push(...batch);
  return items;
}

async function parseFixture(name: string, options: Partial<ParseOptions> = {}): Promise<ParseItem[]> {
  return parseText(fixture(name), { fileName: name, ...options });
}

function eventsOf(items: readonly ParseItem[]): ParsedEvent[] {
  return items.filter((item): item is ParsedEvent => item.kind === 'event');
}

function rejectsOf(items: readonly ParseItem[]): Reject[] {
  return items.filter((item): item is Reject => item.kind === 'reject');
}

async function thrownBy(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error, none was thrown');
}

const scanHttp = '2024-05-01-scan_http-example-asn.csv';
const scanHttpRejects = '2024-05-01-scan_http-rejects.csv';
const httpConstants = {
  'feed.name': 'Accessible-HTTP',
  'feed.documentation': 'https://example.org/reports/accessible-http',
  'time.observation': observationTime,
  'classification.taxonomy': 'vulnerable',
  'classification.type': 'potentially-unwanted-accessible',
  'classification.identifier': 'accessible-http',
  'protocol.application': 'http',
};

describe('Shadowserver parser: mapping by header', () => {
  it('maps each column by its header name through its conversion into IDF fields', async () => {
    const items = await parseFixture(scanHttp);
    expect(rejectsOf(items)).toEqual([]);
    expect(items.map((item) => item.line)).toEqual([2, 3, 4]);
    expect(eventsOf(items).map((item) => item.event)).toEqual([
      {
        ...httpConstants,
        'time.source': '2024-05-01T01:02:03+00:00',
        'source.ip': '192.0.2.10',
        'source.port': 8080,
        'protocol.transport': 'tcp',
        'source.reverse_dns': 'host-10.example.net',
        'source.asn': 64500,
        'source.geolocation.cc': 'NL',
        'source.geolocation.city': 'AMSTERDAM',
        severity: 'medium',
        'extra.tag': 'http',
        'extra.http_code': 200,
        'extra.http_date': '2024-05-01T01:02:04+00:00',
        'extra.server': 'nginx',
        'extra.content_type': 'text/html',
      },
      {
        ...httpConstants,
        'time.source': '2024-05-01T01:05:00+00:00',
        'source.ip': '2001:db8::1',
        'source.port': 443,
        'protocol.transport': 'tcp',
        'source.geolocation.cc': 'DE',
        'source.geolocation.city': 'BERLIN',
        severity: 'high',
        'extra.tag': 'http;https',
        'extra.extra_note': 'only here',
      },
      {
        ...httpConstants,
        'time.source': '2024-05-01T02:00:00+00:00',
        'source.ip': '198.51.100.7',
        'source.port': 80,
        'protocol.transport': 'tcp',
        'source.asn': 64501,
        'extra.http_code': 301,
        'extra.server': 'Apache "2.4"',
        'extra.content_type': 'text/plain',
      },
    ]);
  });

  it('keeps raw as the header line and the record line, as the file has them', async () => {
    const lines = fixture(scanHttp).split('\n');
    const events = eventsOf(await parseFixture(scanHttp));
    expect(events.map((item) => item.raw)).toEqual(
      [2, 3, 4].map((line) => `${lines[0]}\n${lines[line - 1]}`),
    );
  });

  it('gives the same events whatever the column order', async () => {
    const [header = '', ...rows] = fixture(scanHttp).trimEnd().split('\n');
    const split = (line: string): string[] =>
      line.match(/("(?:[^"]|"")*"|[^,]*)(?:,|$)/g)?.slice(0, 16) ?? [];
    const order = [15, 3, 0, 14, 1, 2, 13, 4, 12, 5, 11, 6, 10, 7, 9, 8];
    const permute = (line: string): string =>
      order.map((index) => (split(line)[index] ?? '').replace(/,$/, '')).join(',');
    const shuffled = [header, ...rows].map(permute).join('\n');
    expect(shuffled).not.toBe(fixture(scanHttp).trimEnd());

    const original = eventsOf(await parseFixture(scanHttp)).map((item) => item.event);
    const reordered = eventsOf(await parseText(shuffled, { fileName: scanHttp })).map((item) => item.event);
    expect(reordered).toEqual(original);
  });

  it('puts columns the schema does not map into extra.<column>, with names made valid keys', async () => {
    const [first] = eventsOf(await parseFixture(scanHttp));
    expect(first?.event['extra.server']).toBe('nginx');
    // "Content Type" is no valid extra key; it becomes extra.content_type.
    expect(first?.event['extra.content_type']).toBe('text/html');
    // scan_id is mapped to false in the schema: ignored, not kept as extra.
    expect(Object.keys(first?.event ?? {}).filter((key) => key.includes('scan_id'))).toEqual([]);
    // An empty unmapped value is absent, not "".
    expect(first?.event).not.toHaveProperty('extra.extra_note');
  });

  it('takes columns of another report (sinkhole) in another order, and leaves out values a conversion drops', async () => {
    const items = await parseFixture('2024-05-01-event4_sinkhole-example.csv');
    expect(rejectsOf(items)).toEqual([]);
    const sinkhole = {
      'feed.name': 'Sinkhole-Events IPv4',
      'feed.documentation': 'https://example.org/reports/sinkhole-events',
      'time.observation': observationTime,
      'classification.taxonomy': 'malicious-code',
      'classification.type': 'infected-system',
      'classification.identifier': 'example-bot',
      'malware.name': 'example-bot',
    };
    expect(eventsOf(items).map((item) => item.event)).toEqual([
      {
        ...sinkhole,
        'time.source': '2024-05-01T03:00:00+00:00',
        'source.ip': '192.0.2.20',
        'source.port': 51234,
        'destination.ip': '203.0.113.5',
        'destination.port': 80,
        'extra.family': 'examplefamily',
        'extra.device_model': 'router x',
      },
      {
        // invalidate_zero gave 0 no value above; a network in dst_ip is no address (validate_ip).
        ...sinkhole,
        'time.source': '2024-05-01T03:00:01+00:00',
        'source.ip': '192.0.2.21',
        'source.port': 51235,
        'extra.destination.naics': 517311,
      },
    ]);
  });

  it('reads a network in an address column into source.network (validate_network)', async () => {
    const events = eventsOf(await parseFixture('2024-05-01-blocklist-example.csv')).map((item) => item.event);
    expect(events[0]).toMatchObject({ 'source.network': '192.0.2.0/24', 'extra.reason': 'spam' });
    expect(events[0]).not.toHaveProperty('source.ip');
    expect(events[1]).toMatchObject({ 'source.ip': '192.0.2.30', 'extra.source_name': 'example list' });
    expect(events[1]).not.toHaveProperty('source.network');
  });

  it('gives the same items however the input is cut into chunks', async () => {
    const text = fixture(scanHttpRejects);
    const whole = await parseText(text, { fileName: scanHttpRejects });
    for (const size of [1, 7, 64, 1000]) {
      expect(await parseText(text, { fileName: scanHttpRejects }, size), `chunks of ${size}`).toEqual(whole);
    }
  });

  it('lets the options set feed.name, as an IntelMQ collector does', async () => {
    const events = eventsOf(await parseFixture(scanHttp, { feedName: 'Our HTTP feed' }));
    expect(events.map((item) => item.event['feed.name'])).toEqual(Array(3).fill('Our HTTP feed'));
  });
});

describe('Shadowserver parser: building events', () => {
  it('gives each row the event it gives alone, in key order too, however many key sets a file has', async () => {
    // 14 optional columns filled at random give more distinct key sequences than the builder caches (1024).
    const [header = ''] = fixture(scanHttp).split('\n');
    const optional = ['"tcp"', '"h.example.net"', '"http"', '64500', '"NL"', '"UTRECHT"', '200'];
    const rows: string[] = [];
    let seed = 7;
    const random = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let i = 0; i < 1500; i++) {
      const pick = (value: string): string => (random() < 0.5 ? value : '');
      const [protocol, hostname, tag, asn, geo, city, code] = optional.map(pick);
      const ip = `"192.0.2.${i % 250}"`;
      rows.push(
        `"2024-05-01 01:02:03",${ip},${protocol},${i % 65535},${hostname},${tag},${asn},${geo},${city},${code},` +
          `,${pick('"low"')},${i},${pick('"srv"')},${pick('"text/html"')},${pick('"n"')}`,
      );
    }
    const together = eventsOf(await parseText([header, ...rows].join('\n'), { fileName: scanHttp }));
    expect(together).toHaveLength(rows.length);
    const keySets = new Set(together.map((item) => Object.keys(item.event).join()));
    expect(keySets.size).toBeGreaterThan(1024);
    for (const [index, row] of rows.entries()) {
      const alone = eventsOf(await parseText(`${header}\n${row}`, { fileName: scanHttp }));
      expect(JSON.stringify(together[index]?.event), `row ${index + 2}`).toBe(
        JSON.stringify(alone[0]?.event),
      );
    }
  });

  it('lets a schema constant win over a column mapped to the same field, and drop an empty one', async () => {
    const custom = createShadowserverParser(
      parseShadowserverSchema({
        scan_x: {
          feed_name: 'X',
          file_name: 'scan_x',
          constant_fields: { 'classification.identifier': 'from-schema', 'protocol.application': '-' },
          required_fields: [['time.source', 'timestamp', 'add_UTC_to_timestamp']],
          optional_fields: [
            ['classification.identifier', 'kind', 'validate_to_none'],
            ['protocol.application', 'app'],
          ],
        },
      }),
    );
    const items: ParseItem[] = [];
    const input = chunksOf('timestamp,kind,app,other\n2024-05-01 00:00:00,from-row,http,1\n');
    for await (const batch of custom(input, { fileName: 'scan_x.csv', observationTime }))
      items.push(...batch);
    expect(eventsOf(items).map((item) => item.event)).toEqual([
      {
        'feed.name': 'X',
        'time.observation': observationTime,
        'time.source': '2024-05-01T00:00:00+00:00',
        'classification.identifier': 'from-schema',
        'extra.other': '1',
      },
    ]);
  });
});

describe('Shadowserver parser: report type', () => {
  it('comes from the file name, even where the schema key differs from it', async () => {
    expect(reportTypeFromFileName(schema, '2024-05-01-event4_sinkhole-example.csv')).toBe('event4_sinkhole');
    expect(reportTypeFromFileName(schema, '/in/box/2024-05-01-scan_http-nl-geo.csv')).toBe('scan_http');
    expect(reportTypeFromFileName(schema, 'scan_http.csv')).toBe('scan_http');
    expect(reportTypeFromFileName(schema, '2024-05-01-scan_nothing-nl.csv')).toBeUndefined();
    expect(findShadowserverReport(schema, 'event_sinkhole')?.fileName).toBe('event4_sinkhole');
    expect(findShadowserverReport(schema, 'Accessible-HTTP')?.fileName).toBe('scan_http');
  });

  it('comes from options.reportType when given, which wins over the file name', async () => {
    const text = fixture(scanHttp);
    const byType = eventsOf(await parseText(text, { fileName: 'upload.csv', reportType: 'scan_http' }));
    expect(byType).toHaveLength(3);
    const byFeedName = eventsOf(await parseText(text, { reportType: 'Accessible-HTTP' }));
    expect(byFeedName.map((item) => item.event)).toEqual(byType.map((item) => item.event));

    // A blocklist report needs only timestamp and ip, so the same rows read as blocklist events.
    const asBlocklist = eventsOf(await parseText(text, { fileName: scanHttp, reportType: 'blocklist' }));
    expect(asBlocklist.map((item) => item.event['feed.name'])).toEqual(Array(3).fill('Blocklist'));
  });

  it('throws intake.unknown_report_type naming the file when the schema lacks the type', async () => {
    const fileName = '2024-05-01-scan_gopher-example.csv';
    const error = await thrownBy(() => parseText(fixture(scanHttp), { fileName }));
    expect(isAppError(error) && error.code).toBe('intake.unknown_report_type');
    expect((error as Error).message).toContain(fileName);
    expect((error as Error).message).toContain('scan_gopher');

    const byOption = await thrownBy(() =>
      parseText('', { fileName: 'upload.csv', reportType: 'scan_gopher' }),
    );
    expect(isAppError(byOption) && byOption.code).toBe('intake.unknown_report_type');
    expect((byOption as Error).message).toContain('upload.csv');
  });

  it('throws intake.unknown_report_type for a file name without a report type and no option', async () => {
    for (const fileName of ['report.txt', undefined]) {
      const error = await thrownBy(() =>
        parseText(fixture(scanHttp), fileName === undefined ? {} : { fileName }),
      );
      expect(isAppError(error) && error.code, String(fileName)).toBe('intake.unknown_report_type');
    }
  });
});

describe('Shadowserver schema file', () => {
  it('missing: intake.schema_missing, telling the user to run tocsin feeds update-schema', () => {
    const path = join(fixtures, 'no-such-dir', 'intelmq.json');
    let error: unknown;
    try {
      loadShadowserverSchema(path);
    } catch (thrown) {
      error = thrown;
    }
    expect(isAppError(error) && error.code).toBe('intake.schema_missing');
    expect((error as Error).message).toContain('tocsin feeds update-schema');
    expect((error as Error).message).toContain(path);
  });

  it('invalid: lists every problem, an unknown conversion function among them', () => {
    const broken = {
      scan_x: {
        feed_name: 'X',
        file_name: 'scan_x',
        required_fields: [['source.ip', 'ip', 'validate_quantum']],
      },
      scan_y: { feed_name: 'Y', required_fields: [] },
    };
    let error: unknown;
    try {
      parseShadowserverSchema(broken);
    } catch (thrown) {
      error = thrown;
    }
    expect(isAppError(error) && error.code).toBe('core.invalid_input');
    expect((error as Error).message).toContain('validate_quantum');
    expect((error as Error).message).toContain('scan_y.file_name');
  });

  it('reads the meta data of the schema', () => {
    expect(schema.created).toBe('2025-01-15T09:00:00Z');
    expect([...schema.reports.keys()]).toEqual(['scan_http', 'event_sinkhole', 'blocklist']);
  });
});

describe('Shadowserver parser: bad input is rejected by line, the rest accepted', () => {
  it('rejects bad rows with their physical line and field, and accepts the others', async () => {
    const items = await parseFixture(scanHttpRejects);
    expect(eventsOf(items).map((item) => item.line)).toEqual([2, 7, 10]);
    const rejects = rejectsOf(items);
    expect(rejects.map((item) => [item.line, item.field])).toEqual([
      [3, 'source.ip'],
      [4, 'time.source'],
      [5, undefined],
      [6, undefined],
      [9, 'source.port'],
      [11, undefined],
    ]);
    expect(rejects.map((item) => item.reason)).toEqual([
      'ip: validate_ip refused it: "192.0.2.300" is not an IP address',
      expect.stringMatching(/^timestamp: "2024-05-01 25:02:05" is not a valid time\.source: /) as unknown,
      'the row has 13 fields, the header 16',
      'the row has 17 fields, the header 16',
      'port: convert_int refused it: "eighty" is not an integer',
      'unterminated quoted field at the end of the input (truncated file?)',
    ]);
  });

  it('counts the lines of a field with a line break, so later line numbers stay physical', async () => {
    const items = await parseFixture(scanHttpRejects);
    const banner = eventsOf(items).find((item) => item.line === 7);
    expect(banner?.event['extra.server']).toBe('a banner\nover two lines');
    expect(banner?.event['source.ip']).toBe('192.0.2.15');
  });

  it('rejects a truncated last line without a quote as a short row', async () => {
    const text = fixture(scanHttp).trimEnd();
    const cut = text.slice(0, text.lastIndexOf(',"not a date"'));
    const items = await parseText(cut, { fileName: scanHttp });
    expect(eventsOf(items).map((item) => item.line)).toEqual([2, 3]);
    expect(rejectsOf(items)).toEqual([
      { kind: 'reject', line: 4, reason: 'the row has 10 fields, the header 16' },
    ]);
  });

  it('rejects binary garbage by line and goes on, even where the garbage holds quotes', async () => {
    const [header = '', good = ''] = fixture(scanHttp).split('\n');
    const garbage = [
      new TextDecoder().decode(
        Uint8Array.from([0xff, 0xfe, 0x00, 0x13, 0x80, 0x7f, 0xc3, 0x28, 0x2c, 0x2c, 0x01]),
      ),
      new TextDecoder().decode(
        Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x2c, 0x22, 0x1a, 0x0a, 0x2c, 0xf0, 0x9f]),
      ),
      '\u0000\u0000\u0000',
      'x"y,"abc',
    ].join('\n');
    const text = `${header}\n${good}\n${garbage}\n${good}\n${good}\n`;
    const physicalLines = text.split('\n').length - 1;
    const items = await parseText(text, { fileName: scanHttp });
    // 1 header, 2 good, 3 garbage, 4–5 garbage with a line break, 6 NULs, 7 quotes, 8–9 good.
    expect(physicalLines).toBe(9);
    expect(eventsOf(items).map((item) => item.line)).toEqual([2, 8, 9]);
    const rejected = rejectsOf(items).map((item) => item.line);
    expect(rejected).toContain(3);
    expect(rejected).toContain(7);
    expect(rejected.every((line) => line >= 3 && line <= 7)).toBe(true);
  });

  it('skips a 10 MB line with a reject and parses the lines after it', async () => {
    const [header = '', good = ''] = fixture(scanHttp).split('\n');
    const huge = `"2024-05-01 01:02:03","192.0.2.10","tcp",80,"${'A'.repeat(10 * 1024 * 1024)}"`;
    const text = `${header}\n${good}\n${huge}\n${good}\n`;
    const items = await parseText(text, { fileName: scanHttp }, 65536);
    expect(eventsOf(items).map((item) => item.line)).toEqual([2, 4]);
    expect(rejectsOf(items).map((item) => [item.line, item.field])).toEqual([[3, undefined]]);
    expect(rejectsOf(items)[0]?.reason).toContain('longer than');
  });

  it('skips a 10 MB unquoted line without a line break inside a record too', async () => {
    const [header = '', good = ''] = fixture(scanHttp).split('\n');
    const text = `${header}\n${'x,'.repeat(5 * 1024 * 1024)}\n${good}\n`;
    const items = await parseText(text, { fileName: scanHttp }, 1 << 20);
    expect(items.map((item) => [item.kind, item.line])).toEqual([
      ['reject', 2],
      ['event', 3],
    ]);
  });

  it('an empty file has no header: intake.unreadable_input naming the file', async () => {
    const error = await thrownBy(() => parseText('', { fileName: scanHttp }));
    expect(isAppError(error) && error.code).toBe('intake.unreadable_input');
    expect((error as Error).message).toContain(scanHttp);
  });

  it('a file with only its header gives nothing', async () => {
    const [header = ''] = fixture(scanHttp).split('\n');
    expect(await parseText(`${header}\n`, { fileName: scanHttp })).toEqual([]);
    expect(await parseText(header, { fileName: scanHttp })).toEqual([]);
  });

  it('rejects every row when the header lacks a required column, naming the column', async () => {
    const text = '"timestamp","ip","protocol"\n"2024-05-01 01:02:03","192.0.2.1","tcp"\n';
    const items = await parseText(text, { fileName: scanHttp });
    expect(items.map((item) => [item.kind, item.line])).toEqual([['reject', 2]]);
    expect(rejectsOf(items)[0]?.field).toBe('port');
    expect(rejectsOf(items)[0]?.reason).toContain('required column "port"');
  });
});

describe('Shadowserver parser: fuzzing', () => {
  const [header = '', good = ''] = fixture(scanHttp).split('\n');
  // Text close to a report: the real header, good rows, pieces of rows, CSV syntax and noise.
  const line = fc.oneof(
    fc.constant(good),
    fc.constant(header),
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    fc.string({ unit: fc.constantFrom('"', ',', '\n', '\r', 'a', '1', '.', ' ', '\u0000'), maxLength: 30 }),
    fc.nat({ max: good.length }).map((cut) => good.slice(0, cut)),
    fc
      .tuple(fc.nat({ max: good.length }), fc.string({ maxLength: 5 }))
      .map(([at, noise]) => good.slice(0, at) + noise + good.slice(at)),
  );
  const report = fc
    .tuple(fc.boolean(), fc.array(line, { maxLength: 12 }), fc.boolean())
    .map(
      ([withHeader, lines, finalBreak]) =>
        (withHeader ? [header, ...lines] : lines).join('\n') + (finalBreak ? '\n' : ''),
    );

  async function check(text: string, chunkSize: number): Promise<void> {
    let items: ParseItem[];
    try {
      items = await parseText(text, { fileName: scanHttp }, chunkSize);
    } catch (error) {
      // Only a whole-input problem may throw, and only as an AppError.
      expect(isAppError(error), String(error)).toBe(true);
      return;
    }
    const physicalLines = text.split(/\r\n|\n|\r/).length;
    let previous = 0;
    for (const item of items) {
      expect(Number.isInteger(item.line) && item.line >= 2 && item.line <= physicalLines).toBe(true);
      expect(item.line).toBeGreaterThanOrEqual(previous);
      previous = item.line;
      if (item.kind === 'reject') expect(item.reason.length).toBeGreaterThan(0);
      else {
        // A required address is read or the row is rejected; only a network stays, in extra (IntelMQ #1720).
        expect(typeof item.event['time.source']).toBe('string');
        if (item.event['source.ip'] === undefined) {
          expect(sanitiseField('source.network', item.event['extra.ip'])).toMatchObject({ ok: true });
        }
      }
    }
  }

  it('never throws anything but AppError on report-like text, and every reject has a line and a reason', async () => {
    await fc.assert(
      fc.asyncProperty(report, fc.integer({ min: 1, max: 64 }), async (text, size) => {
        await check(text, size);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws anything but AppError on random bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 400 }), fc.boolean(), async (bytes, withHeader) => {
        const text = new TextDecoder().decode(bytes);
        await check(withHeader ? `${header}\n${text}` : text, 16);
      }),
      { numRuns: 300 },
    );
  });
});

describe('Shadowserver conversions: fast paths agree with the general parse', () => {
  const twoDigits = fc.integer({ min: 0, max: 99 }).map((n) => String(n).padStart(2, '0'));
  const year = fc.integer({ min: 0, max: 9999 }).map((n) => String(n).padStart(4, '0'));

  function asTime(converted: unknown): unknown {
    const result = sanitiseField('time.source', converted);
    return result.ok ? result.value : 'invalid';
  }

  it('add_UTC_to_timestamp reads "YYYY-MM-DD HH:MM:SS" as IntelMQ reads it with " UTC" appended', () => {
    fc.assert(
      fc.property(year, twoDigits, twoDigits, twoDigits, twoDigits, twoDigits, (y, mo, d, h, mi, s) => {
        const value = `${y}-${mo}-${d} ${h}:${mi}:${s}`;
        expect(asTime(conversions.add_UTC_to_timestamp(value))).toEqual(asTime(`${value} UTC`));
      }),
      { numRuns: 2000 },
    );
  });

  it('convert_date reads an HTTP date as the general date parse does', () => {
    const day = fc.constantFrom('Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun');
    const month = fc.constantFrom(
      'Jan',
      'Feb',
      'Mar',
      'Apr',
      'May',
      'Jun',
      'Jul',
      'Aug',
      'Sep',
      'Oct',
      'Nov',
      'Dec',
    );
    fc.assert(
      fc.property(day, twoDigits, month, year, twoDigits, twoDigits, twoDigits, (wd, d, mo, y, h, mi, s) => {
        const value = `${wd}, ${d} ${mo} ${y} ${h}:${mi}:${s} GMT`;
        const general = sanitiseField('time.source', value);
        const converted = conversions.convert_date(value);
        expect(typeof converted === 'string' ? converted : 'invalid').toEqual(
          general.ok && general.value !== undefined ? general.value : 'invalid',
        );
      }),
      { numRuns: 2000 },
    );
  });

  it('reads time stamps in other forms the general way; a zone of its own yields to the UTC appended', async () => {
    const text = [
      '"timestamp","ip","port"',
      '"2024-05-01 01:02:03","192.0.2.1",1',
      '"2024-05-01T01:02:03Z","192.0.2.1",1',
      '"2024-05-01 03:02:03+02:00","192.0.2.1",1',
      '"2024-05-01 01:02:03.500","192.0.2.1",1',
    ].join('\n');
    const times = eventsOf(await parseText(text, { fileName: scanHttp })).map(
      (item) => item.event['time.source'],
    );
    expect(times).toEqual([
      '2024-05-01T01:02:03+00:00',
      '2024-05-01T01:02:03+00:00',
      // dateutil, IntelMQ's parser, lets the appended UTC win over the +02:00 (shadowserver-conversions.ts).
      '2024-05-01T03:02:03+00:00',
      '2024-05-01T01:02:03.500000+00:00',
    ]);
  });
});
