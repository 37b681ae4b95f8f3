/**
 * Every error code Tocsin can raise, with what it means. Codes are stable string ids: clients, logs and
 * tests match on them, so a code is never renamed, only added. The HTTP layer maps each one to a status
 * (`src/portal/errors.ts`); a code without a mapping does not compile.
 */
export const errorCodes = {
  'core.invalid_input': 'The input does not have the expected shape.',
  'core.not_found': 'The requested object does not exist.',
  'core.internal': 'An unexpected internal error.',
  'platform.config_invalid': 'The configuration has one or more invalid values.',
  'platform.database_unavailable': 'The database does not answer.',
  'platform.data_dir_locked': 'The data directory is in use by another process.',
  'platform.migration_failed': 'A database migration could not be applied.',
  'platform.migration_changed': 'An applied migration file was edited after it was applied.',
  'cli.usage': 'The command line is not valid.',
  'intake.unreadable_input': 'The input cannot be read as the stated feed format.',
  'intake.unknown_report_type': 'The report type is not known to the feed schema.',
  'intake.schema_missing': 'The Shadowserver report schema is not installed.',
  'intake.unknown_feed': 'The feed format is not known.',
  'intake.payload_too_large': 'The upload exceeds the size limit.',
  'intake.unsupported_media_type': 'The upload has a content type Tocsin does not accept.',
  'auth.missing_credentials': 'The request carries no API key.',
  'auth.invalid_credentials': 'The API key is not valid.',
  'auth.forbidden': 'The API key does not allow this.',
  'assessment.not_in_review': 'The event is not awaiting review.',
  'assessment.framework_invalid': 'The assessment framework file is not valid.',
  'mail.not_quarantined': 'The mail message is not in quarantine (already released or discarded).',
} as const;

export type ErrorCode = keyof typeof errorCodes;
