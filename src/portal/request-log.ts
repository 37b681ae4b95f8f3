import type { MiddlewareHandler } from 'hono';
import type { Logger } from '../platform/log.ts';

/** One log record per request, with the request id that is also returned in `X-Request-Id`. */
export function requestLog(log: Logger): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    await next();
    const record = {
      requestId: c.get('requestId') as string | undefined,
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
    };
    if (c.res.status >= 500) log.error(record, 'request failed');
    else log.info(record, 'request');
  };
}
