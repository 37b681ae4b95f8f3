/**
 * A notification scenario built through the real pipeline, for tests and the notify benchmark: a directory
 * of `recipients` businesses (each with its own IPv6 /48 and one abuse mailbox, Dutch for even ones and
 * English for odd ones), a trusted source, and a JSON-lines feed of open-RDP findings in those networks,
 * ingested, assessed and routed as `tocsin serve` does.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { changeSourceReliability, type Framework } from '../src/assessment/index.ts';
import { importDirectoryFiles } from '../src/directory/index.ts';
import { ensureSource, FeedParsers, receiveReport, ReportProcessor } from '../src/intake/index.ts';
import { processStoredEvents } from '../src/pipeline/index.ts';
import type { Store } from '../src/platform/db/index.ts';
import type { Logger } from '../src/platform/log.ts';
import { loadOwnerDirectory, loadRoutingProfile, OwnerIndex } from '../src/routing/index.ts';

export const scenarioProfile = loadRoutingProfile(
  fileURLToPath(new URL('../config/routing/nl-three-desks.yaml', import.meta.url)),
);

export const mailboxOf = (i: number): string => `abuse@org-${i}.example`;
/** RFC 5952 text, as stored. */
export const ipOf = (i: number, k: number): string =>
  `2001:db8:${(i + 1).toString(16)}::${(k + 1).toString(16)}`;

export async function importScenarioDirectory(store: Store, recipients: number): Promise<void> {
  const organisations = Array.from({ length: recipients }, (_, i) => ({
    id: `org-${i}`,
    name: `Organisatie ${i} B.V.`,
    constituency: 'other-business',
    country: 'NL',
    languages: [i % 2 === 0 ? 'nl' : 'en'],
    netobjects: [{ cidr: `2001:db8:${(i + 1).toString(16)}::/48`, status: 'approved' }],
    contacts: [{ email: mailboxOf(i), roles: ['abuse'] }],
  }));
  const dir = mkdtempSync(join(tmpdir(), 'tocsin-scenario-'));
  const file = join(dir, 'directory.yaml');
  writeFileSync(file, stringify({ organisations }));
  await importDirectoryFiles(store, [file]);
}

/** Ingests one report of findings through intake, assessment and routing; `eventsFor(i)` per recipient. */
export async function ingestScenarioFeed(
  store: Store,
  log: Logger,
  framework: Framework,
  recipients: number,
  eventsFor: (i: number) => number,
  time = '2026-11-30T04:00:00+00:00',
): Promise<void> {
  const source = 'scanner-partner';
  await ensureSource(store, source);
  await changeSourceReliability(store, {
    source,
    reliability: 'B',
    by: 'scenario',
    reason: 'a trusted partner',
  }).catch(() => undefined);
  const lines: string[] = [];
  for (let i = 0; i < recipients; i++) {
    for (let k = 0; k < eventsFor(i); k++) {
      lines.push(
        JSON.stringify({
          'feed.name': 'Accessible-RDP',
          'feed.provider': 'scanner-partner',
          'classification.type': 'vulnerable-system',
          'classification.identifier': 'open-rdp',
          'source.ip': ipOf(i, k),
          'source.port': 3389,
          'protocol.transport': 'tcp',
          'time.source': time,
        }),
      );
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'tocsin-scenario-'));
  const file = join(dir, 'findings.jsonl');
  writeFileSync(file, `${lines.join('\n')}\n`);
  const parsers = new FeedParsers({ shadowserverSchemaPath: join(dir, 'none', 'intelmq.json') });
  const processor = new ReportProcessor({ store, parsers }, log, async (reportId) => {
    const index = new OwnerIndex(await loadOwnerDirectory(store, 'NL'));
    await processStoredEvents({ store, index, profile: scenarioProfile, framework }, { reportId });
  });
  const request = { path: file, fileName: 'findings.jsonl', source, feed: 'jsonl' as const };
  const report = await receiveReport({ store }, request);
  await processor.enqueue(report, request);
}
