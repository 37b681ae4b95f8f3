import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importDirectoryFiles } from '../src/directory/index.ts';
import { FeedParsers, ReportProcessor } from '../src/intake/index.ts';
import { processStoredEvents } from '../src/pipeline/index.ts';
import type { Store } from '../src/platform/db/index.ts';
import { createApp } from '../src/portal/app.ts';
import { loadOwnerDirectory, loadRoutingProfile, OwnerIndex } from '../src/routing/index.ts';
import { createMemoryLogger, shippedFramework } from './app.ts';

const path = (relative: string): string => fileURLToPath(new URL(relative, import.meta.url));

export const testSecret = 'test-secret-for-the-report-form-0123456789';

/**
 * The portal with the report form, wired as the service wires it: the example directory, a real report
 * processor whose processed reports are assessed and routed (nl-three-desks), a private upload directory.
 */
export async function createReportingApp(
  store: Store,
  options: { rateLimit?: number; publicUrl?: string; now?: () => Date } = {},
) {
  await importDirectoryFiles(store, [path('../config/directory/example.yaml')]);
  const profile = loadRoutingProfile(path('../config/routing/nl-three-desks.yaml'));
  const { log, lines } = createMemoryLogger();
  const parsers = new FeedParsers({
    shadowserverSchemaPath: join(tmpdir(), 'tocsin-no-schema', 'intelmq.json'),
  });
  const processor = new ReportProcessor({ store, parsers }, log, async (reportId) => {
    const index = new OwnerIndex(await loadOwnerDirectory(store, 'NL'));
    await processStoredEvents({ store, index, profile, framework: shippedFramework }, { reportId });
  });
  const uploadDir = mkdtempSync(join(tmpdir(), 'tocsin-report-form-'));
  const app = createApp({
    store,
    log,
    instanceName: 'CERT Test',
    version: '9.9.9',
    framework: shippedFramework,
    intake: { processor, uploadDir, maxUploadBytes: 10 * 1024 * 1024 },
    reporting: {
      secret: testSecret,
      publicUrl: options.publicUrl ?? 'https://meldpunt.test',
      rateLimit: options.rateLimit ?? 10,
      mailFrom: profile.identity,
      ...(options.now === undefined ? {} : { now: options.now }),
    },
  });
  return { app, processor, uploadDir, logs: lines };
}

/** The fields of a complete, valid report (without CSRF token and files). */
export function validReportFields(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    lang: 'en',
    type: 'vulnerable-system',
    targets: '198.51.100.20\nhttps://www.minvb.example/login',
    description: 'The login page runs an old CMS with a known remote code execution flaw.',
    steps: 'GET /login shows the version in the footer.',
    observed_at: '2026-11-30 14:05',
    tlp: 'AMBER',
    name: 'Ada Researcher',
    email: 'ada@researcher.example',
    consent: 'yes',
    ...overrides,
  };
}
