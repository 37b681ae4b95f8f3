import { Hono } from 'hono';
import type { Store } from '../platform/db/index.ts';

export interface HealthDeps {
  store: Pick<Store, 'backend' | 'ping'>;
  /** How long the database may take to answer before the instance counts as unhealthy. */
  timeoutMs?: number;
}

/** `GET /healthz`: 200 when the database answers, 503 otherwise; for load balancers and monitoring. */
export function healthRoutes({ store, timeoutMs = 2000 }: HealthDeps): Hono {
  const routes = new Hono();
  routes.get('/healthz', async (c) => {
    const started = performance.now();
    try {
      await withTimeout(store.ping(), timeoutMs);
      const latencyMs = Math.round((performance.now() - started) * 10) / 10;
      c.header('Cache-Control', 'no-store');
      return c.json({ status: 'ok', database: { backend: store.backend, ok: true, latencyMs } }, 200);
    } catch (error) {
      c.header('Cache-Control', 'no-store');
      return c.json(
        {
          status: 'unavailable',
          database: { backend: store.backend, ok: false, error: (error as Error).message },
        },
        503,
      );
    }
  });
  return routes;
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`the database did not answer within ${ms} ms`));
    }, ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
