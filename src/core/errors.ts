import { errorCodes, type ErrorCode } from './error-codes.ts';

export interface AppErrorOptions {
  /** Structured facts about the failure, safe to show to the caller (never secrets). */
  details?: Record<string, unknown>;
  cause?: unknown;
}

/**
 * The one error type of Tocsin. Expected outcomes (a rejected row, a missing owner) are values, not
 * errors; an AppError is for a request that cannot be served or an outage.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message?: string, options: AppErrorOptions = {}) {
    super(message ?? errorCodes[code], options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.details = options.details;
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
