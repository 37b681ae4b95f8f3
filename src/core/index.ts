export { AppError, isAppError, type AppErrorOptions } from './errors.ts';
export { errorCodes, type ErrorCode } from './error-codes.ts';
export * from './event/index.ts';
export { isUuid, timeOrderedUuid } from './uuid.ts';
export { daysFromCivil, daysInMonth, isLeapYear } from './calendar.ts';
