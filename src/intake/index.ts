export { ingestFile, receiveReport, processReport, maxRejectsKept, parseHere } from './ingest.ts';
export type {
  IngestRequest,
  Enricher,
  IngestDeps,
  IngestProgress,
  IngestResult,
  ParseStrategy,
  ReadyBatch,
  RejectSummary,
} from './ingest.ts';
export {
  FeedParsers,
  feedKinds,
  isFeedKind,
  detectFeed,
  shadowserverSchemaPath,
  type FeedKind,
} from './feeds.ts';
export {
  exportEvents,
  exportFormats,
  csvExportColumns,
  type ExportFormat,
  type ExportOptions,
} from './export-events.ts';
export { findReport, type ReportRecord } from './reports.repo.ts';
export { openReportArchive } from './archive.ts';
export {
  apiKeyScopes,
  createApiKey,
  verifyApiKey,
  listApiKeys,
  revokeApiKey,
  ensureSource,
  type ApiKeyScope,
  type ApiKeyPrincipal,
} from './sources.repo.ts';
export { installShadowserverSchema, defaultShadowserverSchemaUrl } from './shadowserver-schema-install.ts';
export { parseCsvMapping, type CsvMapping } from './parsers/csv-mapping.ts';
export { ReportProcessor } from './report-processor.ts';
export { readEvent, readRecords, type RecordRef, type StoredRecord } from './event-records.ts';
export { cutSegments, planSegments, type SegmentPlan, type SegmentRange } from './segments.ts';
