import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import type { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { reportOfBadRows, shadowserverFixtureSchema } from '../../test/shadowserver-report.ts';
import { binaryRowFields, uuidHex } from '../../test/binary-rows.ts';
import { buildZip } from '../../test/zip.ts';
import { AppError } from '../core/index.ts';
import { decodeChunk } from './event-records.ts';
import { batchIds, distinctEvents } from './events.repo.ts';
import { FeedParsers } from './feeds.ts';
import { parseHere, type ParseJob, type ReadyBatch } from './parse-report.ts';
import { parseInWorker } from './parse-in-worker.ts';

const feeds = { shadowserverSchemaPath: join(tmpdir(), 'tocsin-no-schema', 'intelmq.json') };
const eventsFile = new URL('../../test/fixtures/intake/events.jsonl', import.meta.url).pathname;
const settings = { batchSize: 2, keepRejects: 100 };

function job(path: string, overrides: Partial<ParseJob> = {}): ParseJob {
  return {
    reportId: '0a6f6a9e-4c1b-4a57-9d4f-3f8f1b0e5c11',
    path,
    fileName: path.split('/').pop() ?? 'input',
    container: 'plain',
    observationTime: '2026-11-23T10:00:00+00:00',
    ...overrides,
  };
}

async function collect(batches: AsyncIterable<ReadyBatch>): Promise<ReadyBatch[]> {
  const all: ReadyBatch[] = [];
  for await (const batch of batches) all.push(batch);
  return all;
}

function scratch(name: string, content: string | Buffer): string {
  const path = join(mkdtempSync(join(tmpdir(), 'tocsin-parse-worker-')), name);
  writeFileSync(path, content);
  return path;
}

describe('parsing in a worker thread', () => {
  it('gives the same batches as parsing in this thread, members of a zip of two feeds included', async () => {
    const lines = readFileSync(eventsFile, 'utf8').trim().split('\n');
    const array = JSON.stringify(lines.slice(0, 2).map((line) => JSON.parse(line) as unknown));
    const zip = scratch(
      'two.zip',
      buildZip([
        { name: 'events.jsonl', data: Buffer.from(lines.join('\n')) },
        { name: 'more.json', data: Buffer.from(array) },
      ]),
    );
    const input = job(zip, { container: 'zip' });
    const here = await collect(parseHere(input, { parsers: new FeedParsers(feeds), ...settings }));
    const there = await collect(parseInWorker({ feeds })(input, settings));
    // Bytes read depend on how far the stream read ahead, chunk ids on the clock; the rest is the same.
    const comparable = (batches: ReadyBatch[]): unknown[] =>
      batches.map(({ bytesRead: _, prepared: { chunk, eventRows, lines, ...prepared }, ...rest }) => ({
        ...rest,
        ...prepared,
        records: decodeChunk(chunk.bytes),
        eventRows: binaryRowFields(eventRows).map((row) =>
          row.map((field) => (field === uuidHex(chunk.id) ? 'CHUNK' : field)),
        ),
        eventRowEnds: [...eventRows.ends],
        lines: [...lines],
      }));
    expect(comparable(there)).toEqual(comparable(here));
    expect(there[0]?.prepared.chunk.bytes).toBeInstanceOf(Uint8Array);
    // A batch is cut after the parser's own batch that fills it; a member of another feed starts a new one.
    expect(here.map((b) => [b.feed, distinctEvents(b.prepared)])).toEqual([
      ['jsonl', 4],
      ['jsonl', 1],
      ['intelmq', 2],
    ]);
  });

  it('keeps the reject for an input that breaks off right after a full batch', async () => {
    const many = Array.from({ length: 3000 }, (_, i) =>
      JSON.stringify({ 'classification.type': 'scanner', 'source.ip': `10.${i >> 8}.${i & 255}.1` }),
    ).join('\n');
    const full = gzipSync(many);
    const truncated = scratch('many.jsonl.gz', full.subarray(0, Math.floor(full.length * 0.6)));
    // One event per batch: every batch is full when the input breaks, so the break is in a batch of its own.
    const tight = { batchSize: 1, keepRejects: 100 };
    const input = job(truncated, { container: 'gzip' });
    for (const batches of [
      parseHere(input, { parsers: new FeedParsers(feeds), ...tight }),
      parseInWorker({ feeds })(input, tight),
    ]) {
      const all = await collect(batches);
      expect(all.at(-1)?.rejects.map((r) => r.reason)).toEqual([
        expect.stringContaining('input ends unexpectedly'),
      ]);
      expect(all.reduce((n, b) => n + b.rejected, 0)).toBe(1);
    }
  });

  it('parses a file below inThreadBelowBytes in this thread and a larger one in a worker', async () => {
    const size = readFileSync(eventsFile).length;
    let started = 0;
    const count = async (inThreadBelowBytes: number): Promise<number> => {
      const strategy = parseInWorker({ feeds, inThreadBelowBytes, onWorker: () => started++ });
      const all = await collect(strategy(job(eventsFile), settings));
      return all.reduce((n, b) => n + distinctEvents(b.prepared), 0);
    };
    expect(await count(size + 1)).toBe(5);
    expect(started).toBe(0);
    expect(await count(size)).toBe(5);
    expect(started).toBe(1);
  });

  it('passes on an input error as the same AppError, and any other failure as an error', async () => {
    const unknown = parseInWorker({ feeds })(job(scratch('data.bin', 'x')), settings);
    await expect(collect(unknown)).rejects.toSatisfy(
      (error) => error instanceof AppError && error.code === 'intake.unknown_feed',
    );
    const missing = parseInWorker({ feeds })(job('/nonexistent/events.jsonl'), settings);
    await expect(collect(missing)).rejects.toThrow(/parsing failed: .*ENOENT/);
  });

  it('parses a Shadowserver report cut into segments by several workers as one thread does', async () => {
    const path = scratch('2024-05-01-scan_http-big.csv', reportOfBadRows(30));
    const input = job(path);
    const feedsWithSchema = { shadowserverSchemaPath: shadowserverFixtureSchema };
    const tight = { batchSize: 7, keepRejects: 50 };
    // An event repeated in the report is kept once per batch; batches are cut elsewhere in segments, so
    // what is compared is each event's first row and record.
    const flat = (batches: ReadyBatch[]) => {
      const firsts = new Map<string, { row: string; record: string }>();
      for (const { prepared } of batches) {
        const rows = binaryRowFields(prepared.eventRows);
        const records = decodeChunk(prepared.chunk.bytes);
        batchIds(prepared).forEach((id, at) => {
          // The chunk id and the place in it depend on how the events were batched.
          const row = (rows[at] ?? []).toSpliced(8, 2).join(' ');
          if (!firsts.has(id)) firsts.set(id, { row, record: records[at] ?? '' });
        });
      }
      return {
        records: batches.reduce((n, b) => n + b.records, 0),
        rejected: batches.reduce((n, b) => n + b.rejected, 0),
        rejects: batches.flatMap((b) => b.rejects),
        events: [...firsts],
      };
    };
    const here = flat(
      await collect(parseHere(input, { parsers: new FeedParsers(feedsWithSchema), ...tight })),
    );
    expect(here.events.length).toBeGreaterThan(60);
    expect(here.rejected).toBeGreaterThan(150);
    expect(here.rejects).toHaveLength(50);
    for (const [workers, segmentBytes] of [
      [2, 700],
      [3, 1],
    ] as const) {
      let started = 0;
      const strategy = parseInWorker({
        feeds: feedsWithSchema,
        workers,
        segmentBytes,
        onWorker: () => started++,
      });
      const batches = await collect(strategy(input, tight));
      expect(started).toBe(workers);
      expect(new Set(batches.map((b) => b.segment)).size).toBeGreaterThan(workers);
      expect(flat(batches)).toEqual(here);
    }
  });

  it('parses any other report in one worker, however many are allowed', async () => {
    let started = 0;
    const strategy = parseInWorker({ feeds, workers: 4, segmentBytes: 1, onWorker: () => started++ });
    const all = await collect(strategy(job(eventsFile), settings));
    expect(all.reduce((n, b) => n + distinctEvents(b.prepared), 0)).toBe(5);
    expect(started).toBe(1);
  });

  it('stops the worker when the reader stops early', async () => {
    const zip = scratch(
      'two.zip',
      buildZip([
        { name: 'a.jsonl', data: readFileSync(eventsFile) },
        { name: 'b.jsonl', data: readFileSync(eventsFile) },
      ]),
    );
    let worker: Worker | undefined;
    const batches = parseInWorker({ feeds, credit: 1, onWorker: (w) => (worker = w) })(
      job(zip, { container: 'zip' }),
      settings,
    );
    for await (const batch of batches) {
      expect(distinctEvents(batch.prepared)).toBeGreaterThan(0);
      break;
    }
    // Leaving the loop ended the generator, which stopped the worker (it was waiting to send the next batch).
    expect(worker).toBeDefined();
    if (worker !== undefined && worker.threadId !== -1) await once(worker, 'exit');
    expect(worker?.threadId).toBe(-1);
  });
});
