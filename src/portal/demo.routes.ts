import { Hono } from 'hono';
import { AppError } from '../core/index.ts';
import { isDemoToken, issueDemoAdminKey, loadDemo } from '../demo/index.ts';
import type { ReportProcessor } from '../intake/index.ts';
import type { Store } from '../platform/db/index.ts';
import type { Logger } from '../platform/log.ts';

export interface DemoRoutesDeps {
  store: Store;
  log: Logger;
  processor: ReportProcessor;
  /** Where the sample feeds wait to be processed (the upload directory, so a restart resumes them). */
  uploadDir: string;
  /** SHA-256 of the token the service wrote to `<dataDir>/demo-token` at start-up. */
  tokenHash: Buffer;
  /** Runs a notification pass now (the notify loop's `runNow`). */
  notifyNow: () => Promise<void>;
  /** How long after loading to run it: the demo feeds' quiet period and a margin. */
  settleMs: number;
}

/**
 * `POST /api/v1/demo` (`tocsin demo` while the service runs): loads the sample directory and feeds through
 * this service's report processor, issues an administrator key for /outbox, answers 202 with the counts and
 * the key, and runs a notification pass once the demo feeds' quiet period has passed. Authorised by the demo
 * token (`Authorization: Bearer <token>`); mounted only when the service wires it.
 */
export function demoRoutes({
  store,
  log,
  processor,
  uploadDir,
  tokenHash,
  notifyNow,
  settleMs,
}: DemoRoutesDeps) {
  const routes = new Hono();
  routes.post('/api/v1/demo', async (c) => {
    const presented = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header('authorization') ?? '')?.[1];
    if (presented === undefined) {
      c.header('WWW-Authenticate', 'Bearer');
      throw new AppError('auth.missing_credentials', 'Send the demo token: "Authorization: Bearer <token>".');
    }
    if (!isDemoToken(tokenHash, presented)) {
      c.header('WWW-Authenticate', 'Bearer error="invalid_token"');
      throw new AppError(
        'auth.invalid_credentials',
        'Not the demo token of this service (it writes a new one to <data dir>/demo-token at each start).',
      );
    }
    const result = await loadDemo(store, { processor, workDir: uploadDir });
    const admin = await issueDemoAdminKey(store);
    const notifyAt = new Date(Date.now() + settleMs);
    setTimeout(() => {
      void notifyNow();
    }, settleMs).unref();
    log.info(
      { reports: result.reports.map((r) => r.report), adminKey: admin.prefix, notifyAt },
      'demo loaded',
    );
    return c.json({ ...result, adminKey: admin.key, notifyAt: notifyAt.toISOString() }, 202);
  });
  return routes;
}
