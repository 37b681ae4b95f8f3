import { stat } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { AppError, type ErrorCode, type Event } from '../core/index.ts';
import { enrichmentOf, loadIpTable } from '../enrichment/index.ts';
import type { FeedSettings } from '../intake/feeds.ts';
import {
  FeedParsers,
  parseHere,
  type Enricher,
  type ParseStrategy,
  type ReadyBatch,
} from '../intake/index.ts';
import type { WorkerInput, WorkerMessage } from './parse-wire.ts';

export interface ParseWorkerOptions {
  feeds: FeedSettings;
  /** The IP table's cache directory, for enrichment in the worker; without it events are not enriched. */
  ipTableCacheDir?: string | undefined;
  /** Batches parsed ahead of storing (default 2): more uses memory, fewer may leave the store waiting. */
  credit?: number;
  /**
   * Files smaller than this many bytes are parsed in the calling thread (default 0: none are): starting a
   * worker, its modules and its IP table takes about 0.3 s, more than a small report takes to parse.
   */
  inThreadBelowBytes?: number;
  /** Called with each worker started (tests watch it end). */
  onWorker?: (worker: Worker) => void;
}

/** Below this size the service and the CLI parse a report in their own thread (`inThreadBelowBytes`). */
export const smallReportBytes = 4 * 1024 * 1024;

/**
 * Parses each report in a worker thread of its own while the calling thread stores: on two cores, parsing
 * and storing (which for the embedded database is the calling thread's own work) run side by side. The
 * worker's heap is capped, so a report of any size parses in bounded memory.
 */
export function parseInWorker(options: ParseWorkerOptions): ParseStrategy {
  let parsers: FeedParsers | undefined;
  let enrich: Promise<Enricher> | undefined;
  return async function* (job, settings) {
    const threshold = options.inThreadBelowBytes ?? 0;
    if (threshold > 0 && (await stat(job.path)).size < threshold) {
      parsers ??= new FeedParsers(options.feeds);
      const { ipTableCacheDir } = options;
      if (ipTableCacheDir !== undefined) {
        enrich ??= loadIpTable({ cacheDir: ipTableCacheDir }).then(
          (table) => (event: Event) => enrichmentOf(table, event),
        );
      }
      yield* parseHere(job, {
        parsers,
        enrich: enrich === undefined ? undefined : await enrich,
        ...settings,
      });
      return;
    }
    yield* runWorker(options, job, settings);
  };
}

async function* runWorker(
  options: ParseWorkerOptions,
  job: WorkerInput['job'],
  settings: { batchSize: number; keepRejects: number },
): AsyncGenerator<ReadyBatch> {
  const input: WorkerInput = {
    job,
    feeds: options.feeds,
    ipTableCacheDir: options.ipTableCacheDir,
    batchSize: settings.batchSize,
    keepRejects: settings.keepRejects,
    credit: options.credit ?? 2,
  };
  const worker = new Worker(new URL('./parse-worker.ts', import.meta.url), {
    workerData: input,
    resourceLimits: { maxOldGenerationSizeMb: 192, maxYoungGenerationSizeMb: 32 },
  });
  options.onWorker?.(worker);
  const queue: (WorkerMessage | { type: 'crash'; error: Error } | { type: 'exit'; code: number })[] = [];
  let wake: (() => void) | undefined;
  const push = (item: (typeof queue)[number]): void => {
    queue.push(item);
    wake?.();
  };
  worker.on('message', (message: WorkerMessage) => {
    push(message);
  });
  worker.on('error', (error: Error) => {
    push({ type: 'crash', error });
  });
  worker.on('exit', (code: number) => {
    push({ type: 'exit', code });
  });
  try {
    for (;;) {
      while (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      const message = queue.shift() as (typeof queue)[number];
      switch (message.type) {
        case 'batch':
          worker.postMessage({ type: 'more' });
          yield message.batch;
          break;
        case 'done':
          return;
        case 'error': {
          const { appError, code, message: text, details } = message.error;
          if (appError && code !== undefined) {
            throw new AppError(code as ErrorCode, text, details === undefined ? {} : { details });
          }
          throw new Error(`parsing failed: ${text}`);
        }
        case 'crash':
          throw new Error(`the parse worker failed: ${message.error.message}`, { cause: message.error });
        case 'exit':
          throw new Error(
            `the parse worker stopped (exit code ${message.code}) before the end of the report`,
          );
      }
    }
  } finally {
    await worker.terminate();
  }
}
