import { randomUUID } from 'node:crypto';
import { isAppError } from '../core/index.ts';
import type { Store } from '../platform/db/index.ts';
import type { SingleReportContext } from '../platform/db/schema.ts';
import { archiveReportFile, type ArchivedFile } from './archive.ts';
import { storePreparedBatch, type PreparedBatch } from './events.repo.ts';
import { detectFeed, type FeedKind, type FeedParsers } from './feeds.ts';
import { detectContainer } from './input.ts';
import {
  parseHere,
  type Enricher,
  type ParseJob,
  type ParseStrategy,
  type RejectSummary,
} from './parse-report.ts';
import { finishReport, insertReport, markReportProcessing } from './reports.repo.ts';
import { ensureSource } from './sources.repo.ts';

export interface IngestRequest {
  /** Where the bytes are (a file, or an upload saved to a temporary file). */
  path: string;
  /** The name the reporter gave the file: Shadowserver's report type comes from it. */
  fileName: string;
  source: string;
  feed?: FeedKind | undefined;
  /** Shadowserver report type, overriding the file name. */
  reportType?: string | undefined;
  /** `feed.name` for every event, overriding the parser's. */
  feedName?: string | undefined;
  /** A single report's context for assessment (kept with the report). */
  single?: SingleReportContext | undefined;
}

export interface IngestDeps {
  store: Store;
  parsers: FeedParsers;
  now?: () => Date;
  /** Events per stored batch (one transaction each). */
  batchSize?: number;
  onProgress?: (progress: IngestProgress) => void;
  /** What to add that the feed did not give (AS, network, country from the IP table: `enrichmentOf`). */
  enrich?: Enricher | undefined;
  /**
   * How to parse, when not in this thread with `parsers` and `enrich`: the service and the CLI parse in a
   * worker thread (`parseInWorker`), which brings its own parsers and enrichment.
   */
  parse?: ParseStrategy | undefined;
}

export interface IngestProgress {
  bytesRead: number;
  records: number;
  accepted: number;
  duplicates: number;
  rejected: number;
}

export interface IngestResult {
  report: string;
  status: 'processed' | 'failed';
  feed: FeedKind | undefined;
  reportType: string | undefined;
  accepted: number;
  duplicates: number;
  rejected: number;
  /** The first rejects (at most `maxRejectsKept`); `rejected` counts them all. */
  rejects: RejectSummary[];
  error?: string;
  sizeBytes: number | undefined;
  sha256: string | undefined;
}

export const maxRejectsKept = 100;
const defaultBatchSize = 5000;

/** Records a report as received (its source registered if new) and returns its id; nothing is parsed yet. */
export async function receiveReport(
  deps: Pick<IngestDeps, 'store' | 'now'>,
  request: IngestRequest,
): Promise<{ id: string; receivedAt: Date }> {
  const id = randomUUID();
  const receivedAt = (deps.now ?? (() => new Date()))();
  await ensureSource(deps.store, request.source);
  await insertReport(deps.store, {
    id,
    source: request.source,
    feed: request.feed ?? detectFeed(request.fileName, false) ?? 'unknown',
    reportType: request.reportType,
    fileName: request.fileName,
    receivedAt,
    request: {
      ...(request.feed === undefined ? {} : { feed: request.feed }),
      ...(request.reportType === undefined ? {} : { reportType: request.reportType }),
      ...(request.feedName === undefined ? {} : { feedName: request.feedName }),
      ...(request.single === undefined ? {} : { single: request.single }),
    },
  });
  return { id, receivedAt };
}

/**
 * Parses a received report and stores its events, batch by batch: each batch is committed with the report's
 * counts, so what was accepted stays accepted whatever happens later. A bad record is a reject with its line
 * and reason; the rest of the input goes on. The report fails only when nothing at all could be read.
 */
export async function processReport(
  deps: IngestDeps,
  report: { id: string; receivedAt: Date },
  request: IngestRequest,
): Promise<IngestResult> {
  const { store, parsers } = deps;
  const batchSize = deps.batchSize ?? defaultBatchSize;
  const observationTime = report.receivedAt.toISOString().replace(/\.\d{3}Z$/, '+00:00');
  const counts = { bytesRead: 0, records: 0, accepted: 0, duplicates: 0, rejected: 0 };
  const rejects: RejectSummary[] = [];
  let feed: FeedKind | undefined = request.feed;
  let reportType: string | undefined;
  let error: string | undefined;
  let archived: ArchivedFile | undefined;

  let storing: Promise<void> = Promise.resolve();
  // One batch is stored while the next is parsed; `storing` is awaited before another batch is handed over.
  const store_ = async (batch: PreparedBatch): Promise<void> => {
    await storing;
    storing = storePreparedBatch(store, report.id, batch).then((stored) => {
      counts.accepted += stored.accepted;
      counts.duplicates += stored.duplicates;
      deps.onProgress?.({ ...counts });
    });
  };

  try {
    await markReportProcessing(store, report.id);
    const container = await detectContainer(request.path);
    const archiving = archiveReportFile(store, report.id, request.path, container).then((result) => {
      archived = result;
    });
    try {
      const job: ParseJob = {
        reportId: report.id,
        path: request.path,
        fileName: request.fileName,
        container,
        feed: request.feed,
        reportType: request.reportType,
        feedName: request.feedName,
        observationTime,
      };
      const settings = { batchSize, keepRejects: maxRejectsKept };
      const batches =
        deps.parse === undefined
          ? parseHere(job, { parsers, enrich: deps.enrich, ...settings })
          : deps.parse(job, settings);
      for await (const parsed of batches) {
        feed = parsed.feed;
        reportType ??= parsed.reportType;
        counts.bytesRead = parsed.bytesRead;
        counts.records += parsed.records;
        counts.rejected += parsed.rejected;
        rejects.push(...parsed.rejects.slice(0, maxRejectsKept - rejects.length));
        await store_(parsed.prepared);
      }
      await storing;
    } finally {
      await archiving;
    }
    if (counts.records === 0) error = 'no records found: the input is empty or has only a header';
  } catch (failure) {
    await storing.catch(() => undefined);
    if (!isAppError(failure)) {
      // An outage or a bug, not bad input: the report says it failed, the caller hears why.
      await finishReport(store, report.id, {
        status: 'failed',
        rejected: counts.rejected,
        rejects,
        error: 'internal error',
      });
      throw failure;
    }
    error = failure.message;
  }

  const status = error === undefined ? 'processed' : 'failed';
  await finishReport(store, report.id, {
    status,
    reportType,
    sizeBytes: archived?.sizeBytes,
    sha256: archived?.sha256,
    rejected: counts.rejected,
    rejects,
    error,
  });
  return {
    report: report.id,
    status,
    feed,
    reportType,
    accepted: counts.accepted,
    duplicates: counts.duplicates,
    rejected: counts.rejected,
    rejects,
    ...(error === undefined ? {} : { error }),
    sizeBytes: archived?.sizeBytes,
    sha256: archived?.sha256,
  };
}

/** Receives and processes a file in one go (the CLI's `tocsin ingest`). */
export async function ingestFile(deps: IngestDeps, request: IngestRequest): Promise<IngestResult> {
  const report = await receiveReport(deps, request);
  return processReport(deps, report, request);
}
