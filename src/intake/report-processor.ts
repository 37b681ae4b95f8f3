import { rm } from 'node:fs/promises';
import type { Logger } from '../platform/log.ts';
import { processReport, type IngestDeps, type IngestRequest, type IngestResult } from './ingest.ts';

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

  constructor(deps: IngestDeps, log: Logger) {
    this.#deps = deps;
    this.#log = log;
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
      try {
        const result = await processReport(this.#deps, report, request);
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
        return result;
      } catch (error) {
        this.#log.error({ err: error, report: report.id }, 'report processing failed');
        return undefined;
      } finally {
        this.#pending--;
        await rm(request.path, { force: true });
      }
    });
    this.#queue = done.then(() => undefined);
    return done;
  }

  /** Resolves when every report enqueued so far has been processed. */
  async drain(): Promise<void> {
    await this.#queue;
  }
}
