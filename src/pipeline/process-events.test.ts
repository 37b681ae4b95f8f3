import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryLogger, shippedFramework } from '../../test/app.ts';
import { backend, createTestStore } from '../../test/db.ts';
import { changeSourceReliability } from '../assessment/index.ts';
import { importDirectoryFiles } from '../directory/index.ts';
import { FeedParsers, receiveReport, ReportProcessor } from '../intake/index.ts';
import type { Store } from '../platform/db/index.ts';
import { loadOwnerDirectory, loadRoutingProfile, OwnerIndex } from '../routing/index.ts';
import { processStoredEvents, type ProcessResult } from './process-events.ts';

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
