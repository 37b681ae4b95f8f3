import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../platform/log.ts';
import { isFeedKind } from './feeds.ts';
import { processReport, type IngestDeps, type IngestRequest, type IngestResult } from './ingest.ts';
import { findUnfinishedReports, resetReport } from './reports.repo.ts';

/**
 * Processes uploaded reports one at a time in the background of the HTTP service, so an upload is answered
 * at once (202) and a burst of uploads cannot exhaust memory or cores. `drain()` lets shutdown wait for the
 * report in hand. The uploaded file is removed once processed: the archive in the store keeps the bytes.
 */
export class ReportProcessor {
  readonly #deps: IngestDeps;
  readonly #log: Logger;
  #queue: Promise<void> = Promise.resolve();
  #pending = 0;
  #stopping = false;
  readonly #afterReport: ((reportId: string) => Promise<void>) | undefined;

  /**
   * `afterReport` runs the later stages (owner, assessment, routing) on the events of each processed report;
   * a failure there is logged and leaves the stored events in place for the next run.
   */
  constructor(deps: IngestDeps, log: Logger, afterReport?: (reportId: string) => Promise<void>) {
    this.#deps = deps;
    this.#log = log;
    this.#afterReport = afterReport;
  }

  get pending(): number {
    return this.#pending;
  }

  enqueue(
    report: { id: string; receivedAt: Date },
    request: IngestRequest,
  ): Promise<IngestResult | undefined> {
    this.#pending++;
    const done = this.#queue.then(async () => {
      // Stopping: the report stays received with its upload, and the next start resumes it.
      if (this.#stopping) {
        this.#pending--;
        return undefined;
      }
      try {
        const result = await processReport(this.#deps, report, request);
        await rm(request.path, { force: true });
        this.#log.info(
          {
            report: report.id,
            status: result.status,
            accepted: result.accepted,
            duplicates: result.duplicates,
            rejected: result.rejected,
          },
          'report processed',
        );
        if (this.#afterReport !== undefined && result.status === 'processed') {
          await this.#afterReport(report.id).catch((error: unknown) => {
            this.#log.error({ err: error, report: report.id }, 'assessing and routing the report failed');
          });
        }
        return result;
      } catch (error) {
        // An outage or a bug, not bad input: the upload is kept, so the report can be processed again.
        this.#log.error({ err: error, report: report.id, upload: request.path }, 'report processing failed');
        return undefined;
      } finally {
        this.#pending--;
      }
    });
    this.#queue = done.then(() => undefined);
    return done;
  }

  /**
   * Queues again the uploads that a stopped service had accepted (202) but not finished: every unfinished
   * report whose upload is still in `uploadDir` is reset and processed from the start, as it was asked.
   * Unfinished reports without an upload here belong to a `tocsin ingest` or to another process and are
   * left alone. Returns how many were queued.
   */
  async resume(uploadDir: string): Promise<number> {
    let queued = 0;
    for (const report of await findUnfinishedReports(this.#deps.store)) {
      const path = join(uploadDir, report.id);
      if (!existsSync(path)) continue;
      await resetReport(this.#deps.store, report.id);
      const { feed, reportType, feedName } = report.request;
      this.#log.info({ report: report.id }, 'resuming an unfinished upload');
      void this.enqueue(report, {
        path,
        fileName: report.fileName ?? 'upload',
        source: report.source,
        feed: feed !== undefined && isFeedKind(feed) ? feed : undefined,
        reportType,
        feedName,
      });
      queued++;
    }
    return queued;
  }

  /** Resolves when every report enqueued so far has been processed. */
  async drain(): Promise<void> {
    await this.#queue;
  }

  /** For shutdown: finishes the report in hand and leaves the queued ones to be resumed at the next start. */
  async stop(): Promise<void> {
    this.#stopping = true;
    await this.#queue;
  }
}
