import fc from 'fast-check';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isCsvProblem, readCsv, type CsvItem } from './parsers/csv-reader.ts';
import { cutSegments, planSegments, readSegment, type Segment, type SegmentPlan } from './segments.ts';

const dir = mkdtempSync(join(tmpdir(), 'tocsin-segments-'));
let files = 0;

function file(content: string | Buffer): string {
  const path = join(dir, `report-${files++}.csv`);
  writeFileSync(path, content);
  return path;
}

async function segmentsOf(path: string, plan: SegmentPlan): Promise<Segment[]> {
  const all: Segment[] = [];
  for await (const range of cutSegments(path, plan)) all.push(await readSegment(path, plan, range));
  return all;
}

async function* once(text: string): AsyncGenerator<string> {
  yield text;
}

async function csvItems(text: string, firstLine = 1): Promise<CsvItem[]> {
  const items: CsvItem[] = [];
  for await (const batch of readCsv(once(text), { firstLine })) items.push(...batch);
  return items;
}

/** What the CSV reader reads of the file whole, and of its segments each behind the header. */
async function readBothWays(text: string, segmentBytes: number) {
  const path = file(text);
  const plan = await planSegments(path, { segmentBytes });
  if (plan === undefined) return undefined;
  const whole = await csvItems(text);
  const segments = await segmentsOf(path, plan);
  const pieces: CsvItem[] = whole.slice(0, 1);
  for (const segment of segments) {
    // The header parsed again in every segment is left out.
    pieces.push(...(await csvItems(`${segment.header}\n${segment.text}`, segment.firstLine - 1)).slice(1));
  }
  return { whole, pieces, segments };
}

describe('cutting a report into segments', () => {
  it('cuts between lines, keeps every byte in one segment and every line its number', async () => {
    const rows = Array.from({ length: 40 }, (_, i) => `"2026-01-01","192.0.2.${i}","${'x'.repeat(i)}"`);
    const text = `"timestamp","ip","note"\r\n${rows.join('\r\n')}\r\n`;
    const both = await readBothWays(text, 64);
    expect(both).toBeDefined();
    const { whole, pieces, segments } = both as NonNullable<typeof both>;
    expect(segments.length).toBeGreaterThan(5);
    expect(segments.map((segment) => segment.text).join('')).toBe(text.slice(text.indexOf('\n') + 1));
    expect(segments.map((segment) => segment.index)).toEqual(segments.map((_, index) => index));
    for (const [at, segment] of segments.entries()) {
      expect(segment.text.endsWith('\n') || at === segments.length - 1).toBe(true);
      expect(segment.end - segment.start).toBeGreaterThanOrEqual(at === segments.length - 1 ? 1 : 64);
      const before = text.slice(0, segment.start);
      expect(segment.firstLine).toBe(before.split('\n').length);
    }
    expect(pieces).toEqual(whole);
  });

  it('does not cut inside a quoted field that holds line breaks', async () => {
    const banner = `"a banner\n${'over many lines\n'.repeat(20)}end"`;
    const text = `"ip","banner"\n"192.0.2.1",${banner}\n"192.0.2.2","short"\n"192.0.2.3","x"\n`;
    const both = await readBothWays(text, 16);
    const { whole, pieces, segments } = both as NonNullable<typeof both>;
    expect(segments[0]?.text).toBe(`"192.0.2.1",${banner}\n`);
    expect(segments[1]?.firstLine).toBe(24);
    expect(pieces).toEqual(whole);
  });

  it('reads quotes as the CSV reader does: only at a field start, doubled inside, skipping NULs', async () => {
    // A quote inside an unquoted field is text; "" inside a quoted field is a quote; the line breaks in
    // the third record are inside quotes.
    const text = `h1,h2\n5" screen,"x\n"\n"say ""hi\n""",2\n\u0000"q\nq",3\nlast,1\n`;
    const path = file(text);
    const plan = (await planSegments(path, { segmentBytes: 1 })) as SegmentPlan;
    const segments = await segmentsOf(path, plan);
    expect(segments.map((segment) => [segment.firstLine, segment.text])).toEqual([
      [2, '5" screen,"x\n"\n'],
      [4, '"say ""hi\n""",2\n'],
      [6, '\u0000"q\nq",3\n'],
      [8, 'last,1\n'],
    ]);
  });

  it('agrees with the CSV reader on any text of quotes, delimiters and line breaks', async () => {
    const body = fc.string({ unit: fc.constantFrom('"', ',', '\n', '\r', 'a', '1', ' '), maxLength: 120 });
    await fc.assert(
      fc.asyncProperty(body, fc.integer({ min: 1, max: 24 }), async (text, segmentBytes) => {
        const both = await readBothWays(`"h1",h2\n${text}`, segmentBytes);
        if (both === undefined) return;
        // A record that runs to the end of a segment is unterminated there and nowhere else.
        const unterminated = both.pieces.filter(
          (item) => isCsvProblem(item) && item.problem.startsWith('unterminated'),
        );
        expect(unterminated.length).toBeLessThanOrEqual(1);
        expect(both.pieces).toEqual(both.whole);
      }),
      { numRuns: 300 },
    );
  });

  it('plans no cut for a small file or a header that does not end, or ends over two lines', async () => {
    const rows = '"192.0.2.1","x"\n'.repeat(10);
    expect(await planSegments(file(`"ip","note"\n${rows}`), { segmentBytes: 1000 })).toBeUndefined();
    expect(await planSegments(file(`"ip","no${'t'.repeat(100)}e`), { segmentBytes: 10 })).toBeUndefined();
    expect(await planSegments(file(`"ip","no\nte"\n${rows}`), { segmentBytes: 10 })).toBeUndefined();
    const plan = await planSegments(file(`\uFEFF"ip","note"\r\n${rows}`), { segmentBytes: 10 });
    expect(plan).toMatchObject({ header: '"ip","note"\r', headerEnd: 16, segmentBytes: 10 });
  });

  it('refuses to cut a file that changed since the plan', async () => {
    const path = file(`"ip"\n${'"192.0.2.1"\n'.repeat(10)}`);
    const plan = (await planSegments(path, { segmentBytes: 10 })) as SegmentPlan;
    writeFileSync(path, `"ip"\n${'"192.0.2.1"\n'.repeat(11)}`);
    await expect(segmentsOf(path, plan)).rejects.toThrow(/changed while it was read/);
  });
});
