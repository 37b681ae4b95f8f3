import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryLogger, shippedFramework } from '../../test/app.ts';
import { backend, createTestStore } from '../../test/db.ts';
import { changeSourceReliability } from '../assessment/index.ts';
import { importDirectoryFiles } from '../directory/index.ts';
import { FeedParsers, ingestFile, receiveReport, ReportProcessor } from '../intake/index.ts';
import { buildZip } from '../../test/zip.ts';
import type { Store } from '../platform/db/index.ts';
import { loadOwnerDirectory, loadRoutingProfile, OwnerIndex } from '../routing/index.ts';
import { loadEventPage, processStoredEvents, type ProcessResult } from './process-events.ts';

const path = (relative: string): string => fileURLToPath(new URL(relative, import.meta.url));
const profile = loadRoutingProfile(path('../../config/routing/nl-three-desks.yaml'));

let store: Store;
beforeEach(async () => {
  store = await createTestStore();
  await importDirectoryFiles(store, [path('../../config/directory/example.yaml')]);
});
afterEach(async () => {
  await store.close();
});

/** A report processor wired as the service wires it: each processed report is assessed and routed. */
function processor(results: ProcessResult[]): ReportProcessor {
  const parsers = new FeedParsers({ shadowserverSchemaPath: join(tmpdir(), 'none', 'intelmq.json') });
  return new ReportProcessor({ store, parsers }, createMemoryLogger().log, async (reportId) => {
    const index = new OwnerIndex(await loadOwnerDirectory(store, 'NL'));
    results.push(
      await processStoredEvents({ store, index, profile, framework: shippedFramework }, { reportId }),
    );
  });
}

async function upload(p: ReportProcessor, source: string, lines: string[]): Promise<void> {
  const file = join(mkdtempSync(join(tmpdir(), 'tocsin-pipeline-')), 'events.jsonl');
  writeFileSync(file, `${lines.join('\n')}\n`);
  const request = { path: file, fileName: 'events.jsonl', source, feed: 'jsonl' as const };
  const report = await receiveReport({ store }, request);
  await p.enqueue(report, request);
}

const rdp = (ip: string) =>
  JSON.stringify({
    'feed.name': 'Accessible-RDP',
    'classification.type': 'vulnerable-system',
    'source.ip': ip,
    'source.port': 3389,
    'time.source': '2026-11-22T08:00:00+00:00',
  });

describe(`the pipeline after intake on ${backend}`, () => {
  it('assesses and routes the events of each processed report, and only those', async () => {
    const results: ProcessResult[] = [];
    const p = processor(results);
    await upload(p, 'partner-x', [rdp('192.0.2.10')]);
    await changeSourceReliability(store, {
      source: 'partner-x',
      reliability: 'B',
      by: 'test',
      reason: 'known',
    });
    await upload(p, 'partner-x', [rdp('198.51.100.20')]);
    // The first report came from a source that could not be judged yet: review; the second is warned about.
    expect(results.map((r) => [r.events, r.assessed, r.decisions.review, r.decisions.notify])).toEqual([
      [1, 1, 1, 0],
      [1, 1, 0, 1],
    ]);
    expect(results[1]?.directives.created).toBe(1);
    const directives = await store.db.selectFrom('directives').select(['recipient', 'desk']).execute();
    expect(directives).toEqual([{ recipient: 'ministerie-voorbeeld', desk: 'ncsc' }]);
  });

  it('counts a sighting by another source as corroboration: confirmed, and warned about', async () => {
    const parsers = new FeedParsers({ shadowserverSchemaPath: join(tmpdir(), 'none', 'intelmq.json') });
    const intakeOnly = new ReportProcessor({ store, parsers }, createMemoryLogger().log);
    // Two sources that cannot be judged yet report the same fact; a third reports another one alone.
    await upload(intakeOnly, 'anonymous-a', [rdp('192.0.2.10'), rdp('198.51.100.20')]);
    await upload(intakeOnly, 'anonymous-b', [rdp('192.0.2.10')]);
    const index = new OwnerIndex(await loadOwnerDirectory(store, 'NL'));
    const result = await processStoredEvents({ store, index, profile, framework: shippedFramework });
    expect(result).toMatchObject({ events: 2, assessed: 2, decisions: { notify: 1, review: 1 } });
    const rows = await store.db
      .selectFrom('assessments')
      .innerJoin('events', 'events.id', 'assessments.event_id')
      .select(['events.source_ip', 'assessments.credibility', 'assessments.decision'])
      .orderBy('events.source_ip')
      .execute();
    expect(rows).toEqual([
      { source_ip: '192.0.2.10', credibility: 1, decision: 'notify' },
      { source_ip: '198.51.100.20', credibility: 6, decision: 'review' },
    ]);
  });
});

describe(`pages of stored events on ${backend}`, () => {
  async function pages(page: Parameters<typeof loadEventPage>[1]): Promise<string[][]> {
    const all: string[][] = [];
    let after = page.after;
    for (;;) {
      const { contexts, next } = await loadEventPage(store, { ...page, after });
      if (contexts.length > 0) all.push(contexts.map((c) => c.eventId));
      if (next === undefined) return all;
      after = next;
    }
  }

  it('go through a report by ranges of lines, zip members whose lines overlap included, each event once', async () => {
    const event = (i: number): string =>
      JSON.stringify({ 'classification.type': 'scanner', 'source.ip': `192.0.2.${i}`, 'feed.name': 'Test' });
    const zip = join(mkdtempSync(join(tmpdir(), 'tocsin-pages-')), 'two.zip');
    writeFileSync(
      zip,
      buildZip([
        { name: 'a.jsonl', data: Buffer.from([1, 2, 3, 4, 5].map(event).join('\n')) },
        // Line 2 repeats line 2 of the first member: one event, sighted once by the report.
        { name: 'b.jsonl', data: Buffer.from([6, 2, 7].map(event).join('\n')) },
      ]),
    );
    const parsers = new FeedParsers({ shadowserverSchemaPath: join(tmpdir(), 'none', 'intelmq.json') });
    const result = await ingestFile({ store, parsers }, { path: zip, fileName: 'two.zip', source: 'test' });
    expect(result).toMatchObject({ accepted: 7, duplicates: 1 });
    const byReport = await pages({ reportId: result.report, limit: 2 });
    // Lines 1–2 of both members, then 3–4, then 5.
    expect(byReport.map((page) => page.length)).toEqual([3, 3, 1]);
    expect(new Set(byReport.flat()).size).toBe(7);
    expect(byReport.flat()).toHaveLength(7);
    const all = await pages({ limit: 3 });
    expect(all.map((page) => page.length)).toEqual([3, 3, 1]);
    expect(new Set(all.flat())).toEqual(new Set(byReport.flat()));
    expect(await pages({ reportId: '0a6f6a9e-4c1b-4a57-9d4f-3f8f1b0e5c11', limit: 2 })).toEqual([]);
  });

  it('go through a later report by its lines, the events it saw again included', async () => {
    const event = (i: number): string =>
      JSON.stringify({ 'classification.type': 'scanner', 'source.ip': `192.0.2.${i}`, 'feed.name': 'Test' });
    const dir = mkdtempSync(join(tmpdir(), 'tocsin-pages-'));
    const parsers = new FeedParsers({ shadowserverSchemaPath: join(tmpdir(), 'none', 'intelmq.json') });
    const ingest = async (name: string, lines: number[]) => {
      writeFileSync(join(dir, name), lines.map(event).join('\n'));
      return ingestFile({ store, parsers }, { path: join(dir, name), fileName: name, source: 'test' });
    };
    const first = await ingest('first.jsonl', [1, 2, 3, 4]);
    // Lines 1, 2 and 4 are known (sighting rows), line 3 is new (its event row is the sighting).
    const second = await ingest('second.jsonl', [4, 1, 9, 2]);
    expect(second).toMatchObject({ accepted: 1, duplicates: 3 });
    const byReport = await pages({ reportId: second.report, limit: 2 });
    expect(byReport.map((page) => page.length)).toEqual([2, 2]);
    const seen = byReport.flat();
    expect(new Set(seen).size).toBe(4);
    const firstIds = new Set((await pages({ reportId: first.report, limit: 10 })).flat());
    // In line order: 4, 1 and 2 from the first report, 9 new.
    expect(seen.map((id) => firstIds.has(id))).toEqual([true, true, false, true]);
  });
});
