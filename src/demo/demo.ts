/**
 * `tocsin demo`: a sample directory and sample feeds written for the project (config/demo/, fictitious
 * organisations at documentation addresses), loaded through the same intake, assessment and routing as any
 * report, so that a fresh instance shows warnings in its outbox within a minute. See docs/demo.md.
 */
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { changeSourceReliability } from '../assessment/index.ts';
import { AppError } from '../core/index.ts';
import { formatProblem, importDirectoryFiles, type DirectoryCounts } from '../directory/index.ts';
import {
  createApiKey,
  ensureSource,
  listApiKeys,
  receiveReport,
  revokeApiKey,
  type FeedKind,
  type ReportProcessor,
} from '../intake/index.ts';
import type { Store } from '../platform/db/index.ts';

/** The source of the sample feeds, and their `feed.provider` (its quiet period is in notification.yaml). */
export const demoSource = 'tocsin-demo';
/** The source whose administrator key `tocsin demo` issues, to open /outbox. */
export const demoOperatorsSource = 'demo-operators';

/** The shipped sample data. */
export const defaultDemoDir: string = fileURLToPath(new URL('../../config/demo/', import.meta.url));

/** The sample feeds: file (under `feeds/`) and parser. */
export const demoFeeds: readonly { file: string; feed: FeedKind }[] = [
  { file: 'exposed-services.jsonl', feed: 'jsonl' },
  { file: 'infected-systems.intelmq.jsonl', feed: 'intelmq' },
];

export interface DemoDeps {
  /** Processes the sample reports, with the stages after intake as its afterReport hook. */
  processor: ReportProcessor;
  /** Where a sample feed is copied under its report id while it waits (the processor removes it after). */
  workDir: string;
  /** config/demo unless given. */
  demoDir?: string;
}

export interface DemoReport {
  file: string;
  report: string;
  status: 'processed' | 'failed' | 'not processed';
  accepted: number;
  duplicates: number;
  rejected: number;
}

export interface DemoResult {
  directory: DirectoryCounts;
  source: { name: string; reliability: string; changed: boolean };
  reports: DemoReport[];
}

/**
 * Imports the sample directory (idempotent: its organisations are upserted and authoritative for their own
 * records), makes the demo source reliable (B, recorded once) so that its events are warned about rather
 * than queued for an analyst, and ingests the sample feeds through `processor`. Resolves once every sample
 * report has been processed, assessed and routed. A second run adds no organisation and no event: the
 * events are known (each gets a sighting) and their findings were told.
 */
export async function loadDemo(store: Store, deps: DemoDeps): Promise<DemoResult> {
  const demoDir = deps.demoDir ?? defaultDemoDir;
  const imported = await importDirectoryFiles(store, [join(demoDir, 'directory.yaml')]);
  if (!imported.ok) {
    throw new AppError(
      'core.invalid_input',
      `the demo directory does not import:\n${imported.problems.map(formatProblem).join('\n')}`,
    );
  }
  const source = await trustDemoSource(store);
  await mkdir(deps.workDir, { recursive: true });
  const reports: DemoReport[] = [];
  for (const { file, feed } of demoFeeds) {
    const request = { path: '', fileName: file, source: demoSource, feed };
    const report = await receiveReport({ store }, request);
    const path = join(deps.workDir, report.id);
    await copyFile(join(demoDir, 'feeds', file), path);
    const result = await deps.processor.enqueue(report, { ...request, path });
    reports.push({
      file,
      report: report.id,
      status: result?.status ?? 'not processed',
      accepted: result?.accepted ?? 0,
      duplicates: result?.duplicates ?? 0,
      rejected: result?.rejected ?? 0,
    });
  }
  return { directory: imported.written, source, reports };
}

async function trustDemoSource(store: Store): Promise<DemoResult['source']> {
  await ensureSource(store, demoSource, 'The sample feeds of tocsin demo (config/demo)');
  const row = await store.db
    .selectFrom('sources')
    .select('reliability')
    .where('name', '=', demoSource)
    .executeTakeFirstOrThrow();
  if (row.reliability.trim() === 'B') return { name: demoSource, reliability: 'B', changed: false };
  await changeSourceReliability(store, {
    source: demoSource,
    reliability: 'B',
    by: 'tocsin demo',
    reason: 'the sample feeds written for the project: their findings are warned about without review',
  });
  return { name: demoSource, reliability: 'B', changed: true };
}

/**
 * A new administrator key (scope admin) for the source `demo-operators`, to open /outbox; the demo keys
 * issued before are revoked, so one demo key is valid at a time. The key is shown once and stored hashed.
 */
export async function issueDemoAdminKey(
  store: Store,
): Promise<{ key: string; prefix: string; revoked: number }> {
  let revoked = 0;
  for (const key of await listApiKeys(store)) {
    if (key.source === demoOperatorsSource && key.revoked_at === null && (await revokeApiKey(store, key.id)))
      revoked++;
  }
  const created = await createApiKey(store, {
    source: demoOperatorsSource,
    scopes: ['admin'],
    description: 'tocsin demo: administrator key to open /outbox',
  });
  return { key: created.key, prefix: created.prefix, revoked };
}
