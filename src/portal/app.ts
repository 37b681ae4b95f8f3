import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import type { Store } from '../platform/db/index.ts';
import type { Logger } from '../platform/log.ts';
import type { Framework } from '../assessment/index.ts';
import { apiDocsRoutes } from './api-docs.routes.ts';
import { assessmentRoutes } from './assessment.routes.ts';
import { demoRoutes, type DemoRoutesDeps } from './demo.routes.ts';
import { createErrorHandler, notFound } from './errors.ts';
import { healthRoutes } from './health.routes.ts';
import { homePage, type HomeLink } from './pages/home.ts';
import { notificationRoutes, type NotificationRoutesDeps } from './notification.routes.ts';
import { reportFormRoutes, type ReportFormRoutesDeps } from './report-form.routes.ts';
import { reportRoutes, type ReportRoutesDeps } from './reports.routes.ts';
import { requestLog } from './request-log.ts';

export interface AppDeps {
  store: Store;
  log: Logger;
  instanceName: string;
  version: string;
  intake: Omit<ReportRoutesDeps, 'store'>;
  /** The assessment framework in force, published at /framework. */
  framework: Framework;
  /** The researchers' report form (`/report`, `/policy`); left out when not given. */
  reporting?: Omit<ReportFormRoutesDeps, 'store' | 'processor' | 'uploadDir' | 'instanceName'>;
  /** The signed links in warnings (`/t/<token>`) and the administrators' outbox (`/outbox`). */
  notification?: Omit<NotificationRoutesDeps, 'store' | 'instanceName'>;
  /** `POST /api/v1/demo` (`tocsin demo` while the service runs); left out when not given. */
  demo?: Omit<DemoRoutesDeps, 'store' | 'log' | 'processor'>;
}

/**
 * The HTTP application: every route, page and API of the portal. It opens no port, so tests drive it with
 * `app.request()`; `platform/http-server.ts` serves it.
 */
export function createApp({
  store,
  log,
  instanceName,
  version,
  intake,
  framework,
  reporting,
  notification,
  demo,
}: AppDeps): Hono {
  const app = new Hono();
  app.use(requestId());
  app.use(requestLog(log));
  app.use(
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
      },
      strictTransportSecurity: 'max-age=31536000; includeSubDomains',
      referrerPolicy: 'no-referrer',
      xFrameOptions: 'DENY',
    }),
  );

  const links: HomeLink[] = [
    {
      href: '/healthz',
      label: 'Health',
      description: 'Whether this instance and its database answer (JSON).',
    },
    {
      href: '/framework',
      label: 'Assessment framework',
      description:
        'The published, versioned rules by which every report is judged, in Dutch and English (also as JSON).',
    },
    {
      href: '/api/docs',
      label: 'API reference',
      description:
        'The partner API: send reports (JSON with events, or feed files) with an API key; OpenAPI 3.1 at /api/openapi.json.',
    },
  ];
  if (notification !== undefined) {
    links.push({
      href: '/outbox',
      label: 'Outbox',
      description:
        'Every warning as it was, or would have been, sent, with its delivery state (administrators).',
    });
  }
  if (reporting !== undefined) {
    links.unshift({
      href: '/report',
      label: 'Report a vulnerability',
      description:
        'The report form for researchers (Nederlands / English), anonymous if you wish; and the disclosure policy at /policy.',
    });
  }

  app.get('/', (c) => c.html(homePage({ instanceName, version, links })));
  app.route('/', healthRoutes({ store }));
  app.route('/', reportRoutes({ store, ...intake }));
  app.route('/', assessmentRoutes({ store, framework, instanceName }));
  if (reporting !== undefined) {
    const { processor, uploadDir } = intake;
    app.route('/', reportFormRoutes({ ...reporting, store, processor, uploadDir, instanceName }));
  }
  if (notification !== undefined) {
    app.route('/', notificationRoutes({ ...notification, store, instanceName }));
  }
  if (demo !== undefined) {
    app.route('/', demoRoutes({ ...demo, store, log, processor: intake.processor }));
  }
  app.route('/', apiDocsRoutes({ version, instanceName }));

  app.notFound(notFound);
  app.onError(createErrorHandler(log));
  return app;
}
