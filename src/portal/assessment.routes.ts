import { Hono } from 'hono';
import { decideReview, frameworkView, listReviewQueue, type Framework } from '../assessment/index.ts';
import { AppError, isUuid } from '../core/index.ts';
import type { Store } from '../platform/db/index.ts';
import { requireApiKey, type ApiKeyVariables } from './api-auth.ts';
import { reviewDecisionSchema } from './api-schemas.ts';
import { frameworkPage } from './pages/framework.ts';

export interface AssessmentRoutesDeps {
  store: Store;
  framework: Framework;
  instanceName: string;
}

/**
 * The published framework (`GET /framework`, a page in Dutch or English; `GET /api/v1/framework`, JSON) and
 * the review queue for analysts' keys (`GET /api/v1/review`, `POST /api/v1/review/:eventId`).
 */
export function assessmentRoutes({ store, framework, instanceName }: AssessmentRoutesDeps) {
  const app = new Hono<{ Variables: ApiKeyVariables }>();
  const view = frameworkView(framework);

  app.get('/framework', (c) => {
    const asked = c.req.query('lang') ?? c.req.header('accept-language')?.slice(0, 2).toLowerCase();
    const lang = asked === 'nl' ? 'nl' : 'en';
    c.header('Content-Language', lang);
    return c.html(frameworkPage(view, lang, instanceName));
  });

  app.get('/api/v1/framework', (c) => c.json(framework));

  app.get('/api/v1/review', requireApiKey(store, 'review'), async (c) => {
    const limit = Number(c.req.query('limit') ?? '100');
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
      throw new AppError('core.invalid_input', 'limit: expected a whole number from 1 to 1000');
    }
    return c.json({ items: await listReviewQueue(store, limit) });
  });

  app.post('/api/v1/review/:eventId', requireApiKey(store, 'review'), async (c) => {
    const eventId = c.req.param('eventId');
    if (!isUuid(eventId)) throw new AppError('core.not_found', `No event ${eventId}.`);
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      throw new AppError('core.invalid_input', 'the body must be JSON: {"action", "reason", "outcome"?}');
    }
    const parsed = reviewDecisionSchema.safeParse(body);
    if (!parsed.success) {
      throw new AppError(
        'core.invalid_input',
        parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
      );
    }
    const principal = c.get('principal');
    const by = `key:${principal.keyId} (${principal.source})`;
    const { action, reason, outcome } = parsed.data;
    const stored = await decideReview(store, {
      eventId,
      by,
      action,
      reason,
      ...(outcome === undefined ? {} : { outcome }),
      reasonText: { nl: `Beoordeeld door een analist: ${reason}`, en: `Assessed by an analyst: ${reason}` },
    });
    return c.json({ assessment: stored });
  });

  return app;
}
