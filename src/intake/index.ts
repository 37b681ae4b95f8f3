export { ingestFile, receiveReport, processReport, maxRejectsKept } from './ingest.ts';
export type { IngestRequest, IngestDeps, IngestProgress, IngestResult } from './ingest.ts';
export {
  parseHere,
  type Enricher,
  type ParseStrategy,
  type ReadyBatch,
  type RejectSummary,
} from './parse-report.ts';
export {
  parseInWorker,
  parseWorkerLimits,
  smallReportBytes,
  type ParseWorkerOptions,
} from './parse-in-worker.ts';
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
