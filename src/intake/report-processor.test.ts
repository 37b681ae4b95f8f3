import { copyFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../../test/app.ts';
import { backend, createTestStore } from '../../test/db.ts';
import { eventId } from '../core/index.ts';
import type { Store } from '../platform/db/index.ts';
import { openReportArchive } from './archive.ts';
import { eventToStore, storeEventBatch } from './events.repo.ts';
import { FeedParsers } from './feeds.ts';
import { receiveReport, type IngestRequest } from './ingest.ts';
import { ReportProcessor } from './report-processor.ts';
import { findReport } from './reports.repo.ts';
import { storedEvents } from '../../test/events.ts';

const eventsFile = new URL('../../test/fixtures/intake/events.jsonl', import.meta.url).pathname;
const parsers = new FeedParsers({
  shadowserverSchemaPath: join(tmpdir(), 'tocsin-no-schema', 'intelmq.json'),
});

let store: Store;
let uploadDir: string;
beforeEach(async () => {
  store = await createTestStore();
  uploadDir = mkdtempSync(join(tmpdir(), 'tocsin-uploads-'));
});
afterEach(async () => {
  await store.close();
});

/** An upload as the API leaves it: the report recorded as received, the file under its id. */
async function accepted(request: Partial<IngestRequest> = {}): Promise<{ id: string; path: string }> {
  const report = await receiveReport(
    { store },
    { path: eventsFile, fileName: 'events.jsonl', source: 'partner-a', ...request },
  );
  const path = join(uploadDir, report.id);
  copyFileSync(eventsFile, path);
  return { id: report.id, path };
}

async function readAll(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

describe(`report processing across restarts on ${backend}`, () => {
  it('resumes an upload that a stopped service had accepted, as it was asked', async () => {
    const { id, path } = await accepted({ feedName: 'Partner A scan' });
    const processor = new ReportProcessor({ store, parsers }, createMemoryLogger().log);
    expect(await processor.resume(uploadDir)).toBe(1);
    await processor.drain();
    const report = await findReport(store, id);
    expect(report).toMatchObject({ status: 'processed', accepted: 5, duplicates: 0, rejected: 0 });
    const names = await storedEvents(store);
    expect(names.map((row) => row.data['feed.name'])).toEqual(
      Array.from({ length: 5 }, () => 'Partner A scan'),
    );
    expect(existsSync(path)).toBe(false);
  });

  it('redoes a report interrupted part-way: counts, sightings and archive as if it had run once', async () => {
    const { id } = await accepted();
    // The interrupted run had committed a first batch (two events) and part of the archive.
    const lines = readFileSync(eventsFile, 'utf8').trim().split('\n').slice(0, 2);
    await storeEventBatch(
      store,
      id,
      '2026-11-23T10:00:00+00:00',
      lines.map((text, index) => {
        const event = JSON.parse(text) as Record<string, unknown>;
        return eventToStore(eventId(event), event, text, undefined, index + 1);
      }),
    );
    await store.db
      .insertInto('report_archives')
      .values({ report_id: id, part: 0, encoding: 'identity', data: new Uint8Array([1, 2, 3]) })
      .execute();
    await store.db.updateTable('reports').set({ status: 'processing' }).where('id', '=', id).execute();

    const processor = new ReportProcessor({ store, parsers }, createMemoryLogger().log);
    expect(await processor.resume(uploadDir)).toBe(1);
    await processor.drain();
    expect(await findReport(store, id)).toMatchObject({
      status: 'processed',
      accepted: 5,
      duplicates: 0,
      rejected: 0,
    });
    const sightings = await store.db
      .selectFrom('event_sightings')
      .select('event_id')
      .where('report_id', '=', id)
      .execute();
    expect(sightings).toHaveLength(5);
    expect(await readAll(await openReportArchive(store, id))).toEqual(readFileSync(eventsFile));
  });

  it('on stop finishes nothing new: queued uploads stay received with their files for the next start', async () => {
    const first = await accepted();
    const second = await accepted();
    const stopping = new ReportProcessor({ store, parsers }, createMemoryLogger().log);
    const results = [
      stopping.enqueue(
        { id: first.id, receivedAt: new Date() },
        { path: first.path, fileName: 'events.jsonl', source: 'partner-a' },
      ),
      stopping.enqueue(
        { id: second.id, receivedAt: new Date() },
        { path: second.path, fileName: 'events.jsonl', source: 'partner-a' },
      ),
    ];
    await stopping.stop();
    expect(await Promise.all(results)).toEqual([undefined, undefined]);
    expect((await findReport(store, first.id))?.status).toBe('received');
    expect(existsSync(first.path) && existsSync(second.path)).toBe(true);

    const next = new ReportProcessor({ store, parsers }, createMemoryLogger().log);
    expect(await next.resume(uploadDir)).toBe(2);
    await next.drain();
    expect((await findReport(store, first.id))?.status).toBe('processed');
    expect((await findReport(store, second.id))?.duplicates).toBe(5);
  });

  it('keeps the upload when processing breaks on something other than the input', async () => {
    const { id, path } = await accepted();
    const { log, lines } = createMemoryLogger();
    const broken: Store = {
      ...store,
      withSession: () => Promise.reject(new Error('connection lost')),
    };
    const processor = new ReportProcessor({ store: broken, parsers }, log);
    expect(
      await processor.enqueue(
        { id, receivedAt: new Date() },
        { path, fileName: 'events.jsonl', source: 'partner-a' },
      ),
    ).toBeUndefined();
    expect(existsSync(path)).toBe(true);
    expect(lines).toContainEqual(expect.objectContaining({ msg: 'report processing failed', upload: path }));
    // Nothing is left half-done that a resume could not redo.
    expect(['received', 'processing', 'failed']).toContain((await findReport(store, id))?.status);
  });
});
