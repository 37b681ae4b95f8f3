import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { isAppError, type ErrorCode } from '../core/index.ts';
import type { Logger } from '../platform/log.ts';

/** The one place where an error code becomes an HTTP status. Every code must be listed (checked by tsc). */
const statusByCode: Record<ErrorCode, ContentfulStatusCode> = {
  'core.invalid_input': 422,
  'core.not_found': 404,
  'core.internal': 500,
  'platform.config_invalid': 500,
  'platform.database_unavailable': 503,
  'platform.data_dir_locked': 503,
  'platform.migration_failed': 500,
  'platform.migration_changed': 500,
  'cli.usage': 400,
  'intake.unreadable_input': 422,
  'intake.unknown_report_type': 422,
  'intake.schema_missing': 503,
  'intake.unknown_feed': 422,
  'intake.payload_too_large': 413,
  'intake.unsupported_media_type': 415,
  'auth.missing_credentials': 401,
  'auth.invalid_credentials': 401,
  'auth.forbidden': 403,
  'assessment.not_in_review': 409,
  'assessment.framework_invalid': 500,
  'mail.not_quarantined': 409,
};

export function statusForCode(code: ErrorCode): ContentfulStatusCode {
  return statusByCode[code];
}

export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

/** Answers every failure as `{ "error": { "code", "message" } }`; unexpected errors are logged, not shown. */
export function createErrorHandler(log: Logger) {
  return (error: Error, c: Context): Response => {
    if (isAppError(error)) {
      const status = statusForCode(error.code);
      if (status >= 500) log.error({ err: error, code: error.code }, error.message);
      const body: ErrorBody = { error: { code: error.code, message: error.message } };
      if (error.details !== undefined && status < 500) body.error.details = error.details;
      return c.json(body, status);
    }
    if (error instanceof HTTPException) {
      const code = error.status === 404 ? 'core.not_found' : 'core.invalid_input';
      return c.json({ error: { code, message: error.message } } satisfies ErrorBody, error.status);
    }
    log.error({ err: error }, 'unhandled error');
    return c.json(
      { error: { code: 'core.internal', message: 'An unexpected internal error.' } } satisfies ErrorBody,
      500,
    );
  };
}

export function notFound(c: Context): Response {
  return c.json(
    {
      error: { code: 'core.not_found', message: `No such resource: ${c.req.method} ${c.req.path}` },
    } satisfies ErrorBody,
    404,
  );
}
