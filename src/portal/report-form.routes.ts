import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { getCookie, setCookie } from 'hono/cookie';
import { isAppError } from '../core/index.ts';
import {
  addReporterMessage,
  checkSubmissionRate,
  createCsrfCookieValue,
  csrfTokenFor,
  findReportByStatusToken,
  limits,
  recordSubmission,
  researcherReportStatus,
  statusPath,
  submitResearcherReport,
  textOf,
  validateReportForm,
  verifyCsrfToken,
  type FormFields,
  type Language,
  type ReportingDeps,
} from '../reporting/index.ts';
import { policyPage } from './pages/policy.ts';
import { reportFormPage } from './pages/report-form.ts';
import { reportRefusedPage } from './pages/report-refused.ts';
import { reportStatusPage } from './pages/report-status.ts';
import { reportWords } from './pages/report-words.ts';

export interface ReportFormRoutesDeps extends ReportingDeps {
  /** Reports (and status-page messages) one client address may send per hour. */
  rateLimit: number;
  /**
   * The client's address. The default is the TCP peer as @hono/node-server hands it over; behind a reverse
   * proxy pass a function that reads the proxy's header (only the proxy can be trusted to set it).
   */
  clientAddress?: (c: Context) => string;
}

const csrfCookie = 'tocsin_report_csrf';
// Files, the text fields and multipart overhead: at most this many bytes are read before refusing.
const maxBodyBytes = limits.attachments * limits.attachmentBytes + 1024 * 1024;

interface NodeBindings {
  incoming?: { socket?: { remoteAddress?: string } };
}

function peerAddress(c: Context): string {
  return (c.env as NodeBindings | undefined)?.incoming?.socket?.remoteAddress ?? 'unknown';
}

/** `?lang=nl|en`, else the first of nl or en in Accept-Language (by q-value), else English. */
export function requestLanguage(c: Context): Language {
  const asked = c.req.query('lang');
  if (asked === 'nl' || asked === 'en') return asked;
  const ranked = (c.req.header('accept-language') ?? '')
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().toLowerCase().split(';');
      const q = Number(/q=([0-9.]+)/.exec(params.join(';'))?.[1] ?? '1');
      return { primary: tag.split('-')[0], q: Number.isFinite(q) ? q : 0, index };
    })
    .filter((entry) => entry.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  const found = ranked.find((entry) => entry.primary === 'nl' || entry.primary === 'en');
  return found?.primary === 'nl' ? 'nl' : 'en';
}

/**
 * The reporting point's pages: `GET /report` (the form), `POST /report` (a submission: CSRF checked, rate
 * limited per address, validated field by field, then a report in the intake pipeline and a 303 to the
 * receipt), `GET|POST /report/status/:token` (status, messages, adding information) and `GET /policy`.
 * Refusals are pages, not JSON: the reader is a person with a browser.
 */
export function reportFormRoutes(deps: ReportFormRoutesDeps) {
  const { store, secret, instanceName } = deps;
  const now = deps.now ?? (() => new Date());
  const clientAddress = deps.clientAddress ?? peerAddress;
  const secure = deps.publicUrl.startsWith('https:');
  const app = new Hono();

  /** The CSRF cookie of this browser (set if absent) and the token its forms carry. */
  const csrfToken = (c: Context): string => {
    let value = getCookie(c, csrfCookie);
    if (value === undefined || !/^[A-Za-z0-9_-]{43}$/.test(value)) {
      value = createCsrfCookieValue();
      setCookie(c, csrfCookie, value, { httpOnly: true, sameSite: 'Strict', secure, path: '/report' });
    }
    return csrfTokenFor(secret, value);
  };

  const refuse = (c: Context, status: 403 | 404 | 413 | 429, title: string, message: string) => {
    c.header('Cache-Control', 'no-store');
    return c.html(reportRefusedPage({ lang: requestLanguage(c), instanceName, title, message }), status);
  };

  const limited = bodyLimit({
    maxSize: maxBodyBytes,
    onError: (c) => {
      const w = reportWords[requestLanguage(c)];
      return refuse(c, 413, w.tooLargeTitle, w.tooLarge);
    },
  });

  /** Rate check before the body is read; undefined when the address may go on. */
  const overLimit = async (c: Context): Promise<Response | undefined> => {
    const decision = await checkSubmissionRate(store, secret, clientAddress(c), deps.rateLimit, now());
    if (decision.allowed) return undefined;
    const w = reportWords[requestLanguage(c)];
    c.header('Retry-After', String(decision.retryAfterSeconds));
    return refuse(c, 429, w.tooManyTitle, w.tooMany(Math.ceil(decision.retryAfterSeconds / 60)));
  };

  /** The parsed form when its CSRF token matches the cookie; undefined otherwise. */
  const checkedForm = async (c: Context): Promise<FormFields | undefined> => {
    const type = c.req.header('content-type') ?? '';
    if (!/^(multipart\/form-data|application\/x-www-form-urlencoded)/i.test(type)) return undefined;
    const fields: FormFields = await c.req.parseBody({ all: true });
    return verifyCsrfToken(secret, getCookie(c, csrfCookie), textOf(fields, 'csrf')) ? fields : undefined;
  };

  const forbidden = (c: Context) => {
    const w = reportWords[requestLanguage(c)];
    return refuse(c, 403, w.forbiddenTitle, w.forbidden);
  };

  app.get('/policy', (c) => {
    const lang = requestLanguage(c);
    c.header('Content-Language', lang);
    return c.html(policyPage(lang, instanceName));
  });

  app.get('/report', (c) => {
    const lang = requestLanguage(c);
    c.header('Content-Language', lang);
    c.header('Cache-Control', 'no-store');
    return c.html(reportFormPage({ lang, instanceName, csrfToken: csrfToken(c) }));
  });

  app.post('/report', limited, async (c) => {
    const refused = await overLimit(c);
    if (refused !== undefined) return refused;
    const fields = await checkedForm(c);
    if (fields === undefined) return forbidden(c);
    const asked = textOf(fields, 'lang');
    const lang: Language = asked === 'nl' || asked === 'en' ? asked : requestLanguage(c);
    const result = await validateReportForm(fields, lang, now());
    if (!result.ok) {
      const values: Record<string, string> = {};
      for (const [name, value] of Object.entries(fields)) {
        const first = Array.isArray(value) ? value[0] : value;
        if (typeof first === 'string' && name !== 'csrf') values[name] = first;
      }
      c.header('Cache-Control', 'no-store');
      c.header('Content-Language', lang);
      return c.html(
        reportFormPage({ lang, instanceName, csrfToken: csrfToken(c), values, errors: result.errors }),
        422,
      );
    }
    const submitted = await submitResearcherReport(deps, result.value);
    await recordSubmission(store, secret, clientAddress(c), now());
    // Post/redirect/get: reloading the receipt does not send the report again.
    return c.redirect(`${statusPath(submitted.statusToken)}?receipt=1&lang=${lang}`, 303);
  });

  app.get('/report/status/:token', async (c) => {
    const token = c.req.param('token');
    const report = await findReportByStatusToken(store, token);
    const lang =
      c.req.query('lang') === undefined && report !== undefined ? report.language : requestLanguage(c);
    const w = reportWords[lang];
    if (report === undefined) return refuse(c, 404, w.notFoundTitle, w.notFound);
    c.header('Cache-Control', 'no-store');
    c.header('Content-Language', lang);
    const status = await researcherReportStatus(store, report);
    return c.html(
      reportStatusPage({
        lang,
        instanceName,
        status,
        token,
        csrfToken: csrfToken(c),
        ...(c.req.query('receipt') === '1'
          ? {
              receipt: {
                statusUrl: `${deps.publicUrl}${statusPath(token)}`,
                mailed: report.reporterEmail !== null,
              },
            }
          : {}),
        added: c.req.query('added') === '1',
      }),
    );
  });

  app.post('/report/status/:token', limited, async (c) => {
    const token = c.req.param('token');
    const report = await findReportByStatusToken(store, token);
    if (report === undefined) {
      const w = reportWords[requestLanguage(c)];
      return refuse(c, 404, w.notFoundTitle, w.notFound);
    }
    const refused = await overLimit(c);
    if (refused !== undefined) return refused;
    const fields = await checkedForm(c);
    if (fields === undefined) return forbidden(c);
    const lang =
      c.req.query('lang') === 'nl' || c.req.query('lang') === 'en' ? requestLanguage(c) : report.language;
    const text = textOf(fields, 'message') ?? '';
    try {
      await addReporterMessage(store, report, text);
    } catch (error) {
      if (!isAppError(error) || error.code !== 'core.invalid_input') throw error;
      const status = await researcherReportStatus(store, report);
      c.header('Cache-Control', 'no-store');
      return c.html(
        reportStatusPage({
          lang,
          instanceName,
          status,
          token,
          csrfToken: csrfToken(c),
          messageValue: text,
          messageError:
            text.trim() === ''
              ? {
                  en: 'Write the information you want to add.',
                  nl: 'Schrijf de informatie die u wilt toevoegen.',
                }
              : { en: 'At most 10,000 characters.', nl: 'Hoogstens 10.000 tekens.' },
        }),
        422,
      );
    }
    await recordSubmission(store, secret, clientAddress(c), now());
    return c.redirect(`${statusPath(token)}?added=1&lang=${lang}`, 303);
  });

  return app;
}
