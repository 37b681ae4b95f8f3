import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';
import { FeedParsers, ReportProcessor } from '../src/intake/index.ts';
import type { Store } from '../src/platform/db/index.ts';
import { createLogger, type Logger } from '../src/platform/log.ts';
import { createApp } from '../src/portal/app.ts';
import { loadFramework, type Framework } from '../src/assessment/index.ts';

/** The framework shipped in config/assessment/, as the service loads it. */
export const shippedFramework: Framework = await loadFramework(
  fileURLToPath(new URL('../config/assessment/framework.yaml', import.meta.url)),
);

/** A logger that keeps its records for assertions instead of printing them. */
export function createMemoryLogger(): { log: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger({
    level: 'info',
    destination: new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    }),
  });
  return { log, lines };
}

export interface TestAppOptions {
  instanceName?: string;
  log?: Logger;
  maxUploadBytes?: number;
  shadowserverSchemaPath?: string;
  framework?: Framework;
  /** Verifies the links in warnings (`/t/<token>`); the outbox and the links are mounted with it. */
  linkSecret?: string;
}

/** The full portal over a test store, with a real report processor and a private upload directory. */
export function createTestApp(store: Store, options: TestAppOptions = {}) {
  const log = options.log ?? createMemoryLogger().log;
  const parsers = new FeedParsers({
    shadowserverSchemaPath:
      options.shadowserverSchemaPath ?? join(tmpdir(), 'tocsin-no-schema', 'intelmq.json'),
  });
  const processor = new ReportProcessor({ store, parsers }, log);
  const uploadDir = mkdtempSync(join(tmpdir(), 'tocsin-uploads-'));
  const app = createApp({
    store,
    log,
    instanceName: options.instanceName ?? 'CERT Test',
    version: '9.9.9',
    intake: { processor, uploadDir, maxUploadBytes: options.maxUploadBytes ?? 10 * 1024 * 1024 },
    framework: options.framework ?? shippedFramework,
    ...(options.linkSecret === undefined
      ? {}
      : { notification: { secret: options.linkSecret, transport: 'Test: messages stay in the outbox.' } }),
  });
  return { app, processor, uploadDir };
}
