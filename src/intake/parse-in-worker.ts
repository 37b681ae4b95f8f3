import { stat } from 'node:fs/promises';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { AppError, type ErrorCode, type Event } from '../core/index.ts';
import { enrichmentOf, ipTableOfBytes, sharedIpTableBytes } from '../enrichment/index.ts';
import { detectFeed, FeedParsers, type FeedSettings } from './feeds.ts';
import {
  parseHere,
  type Enricher,
  type ParseJob,
  type ParseStrategy,
  type ReadyBatch,
} from './parse-report.ts';
import { cutSegments, planSegments, type SegmentPlan } from './segments.ts';
import type { ToWorker, WorkerInput, WorkerMessage } from './parse-wire.ts';

export interface ParseWorkerOptions {
  feeds: FeedSettings;
  /** The IP table's cache directory, for enrichment in the worker; without it events are not enriched. */
  ipTableCacheDir?: string | undefined;
  /** Batches parsed ahead of storing (default 2): more uses memory, fewer may leave the store waiting. */
  credit?: number;
  /**
   * Files smaller than this many bytes are parsed in the calling thread (default 0: none are): a worker
   * takes 0.12-0.14 s to start, more than a small report takes to parse.
   */
  inThreadBelowBytes?: number;
  /**
   * Workers for one report (default 1). With more, a plain Shadowserver report of two segments or more is
   * cut into segments (`segments.ts`) parsed side by side; any other report is parsed by one worker.
   */
  workers?: number;
  /** Bytes of a segment (default 4 MiB). */
  segmentBytes?: number;
  /** Called with each worker started (tests watch it end). */
  onWorker?: (worker: Worker) => void;
}

const defaultSegmentBytes = 4 * 1024 * 1024;

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
  // The IP table's bytes, read once and shared by this thread and every worker.
  let ipTable: Promise<SharedArrayBuffer> | undefined;
  const { ipTableCacheDir } = options;
  const sharedTable = (): Promise<SharedArrayBuffer> | undefined => {
    if (ipTableCacheDir === undefined) return undefined;
    // A failed read is tried again with the next report rather than remembered.
    ipTable ??= sharedIpTableBytes(ipTableCacheDir).catch((error: unknown) => {
      ipTable = undefined;
      throw error;
    });
    return ipTable;
  };
  return async function* (job, settings) {
    const threshold = options.inThreadBelowBytes ?? 0;
    const table = await sharedTable();
    if (threshold > 0 && (await stat(job.path)).size < threshold) {
      parsers ??= new FeedParsers(options.feeds);
      if (table !== undefined) {
        enrich ??= ipTableOfBytes(table).then((loaded) => (event: Event) => enrichmentOf(loaded, event));
      }
      yield* parseHere(job, {
        parsers,
        enrich: enrich === undefined ? undefined : await enrich,
        ...settings,
      });
      return;
    }
    const workers = options.workers ?? 1;
    const cut =
      workers > 1 &&
      job.container === 'plain' &&
      (job.feed ?? detectFeed(job.fileName, false)) === 'shadowserver'
        ? await planSegments(job.path, { segmentBytes: options.segmentBytes ?? defaultSegmentBytes })
        : undefined;
    if (cut === undefined) yield* runWorker(options, table, job, settings);
    else yield* runWorkers(options, table, job, cut, workers, settings);
  };
}

/**
 * The heap limits of a parse worker, when `workers` parse one report. The young generation: one worker on
 * the embedded database stored 1,000,000 `scan_http` rows at 27,574-29,788 rows/s with 32 MB and
 * 24,153-25,205 with 8 (more scavenges, on the cores the storing thread needs); two workers with 8 MB each
 * peaked at 435-486 MiB on PostgreSQL, with 32 at 497-527, at the same speed.
 */
export function parseWorkerLimits(workers: number): ResourceLimits {
  return { maxOldGenerationSizeMb: 192, maxYoungGenerationSizeMb: workers > 1 ? 8 : 32 };
}

type Received = WorkerMessage | { type: 'crash'; error: Error } | { type: 'exit'; code: number };

/** One parse worker and the messages it sent that were not read yet. */
class ParseThread {
  readonly worker: Worker;
  readonly #queue: Received[] = [];
  #wake: (() => void) | undefined;

  constructor(input: WorkerInput, onWorker: ((worker: Worker) => void) | undefined, limits: ResourceLimits) {
    this.worker = new Worker(new URL('./parse-worker.ts', import.meta.url), {
      workerData: input,
      resourceLimits: limits,
    });
    onWorker?.(this.worker);
    const push = (item: Received): void => {
      this.#queue.push(item);
      this.#wake?.();
    };
    this.worker.on('message', (message: WorkerMessage) => {
      push(message);
    });
    this.worker.on('error', (error: Error) => {
      push({ type: 'crash', error });
    });
    this.worker.on('exit', (code: number) => {
      push({ type: 'exit', code });
    });
  }

  send(message: ToWorker): void {
    this.worker.postMessage(message);
  }

  /** The worker's next batch (and one more may be parsed ahead), or undefined when it is done; throws its failure. */
  async next(): Promise<ReadyBatch | undefined> {
    while (this.#queue.length === 0) await new Promise<void>((resolve) => (this.#wake = resolve));
    const message = this.#queue.shift() as Received;
    switch (message.type) {
      case 'batch':
        this.send({ type: 'more' });
        return message.batch;
      case 'done':
        return undefined;
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
        throw new Error(`the parse worker stopped (exit code ${message.code}) before the end of the report`);
    }
  }
}

function workerInput(
  options: ParseWorkerOptions,
  ipTable: SharedArrayBuffer | undefined,
  job: ParseJob,
  settings: { batchSize: number; keepRejects: number },
  credit: number,
): WorkerInput {
  return {
    job,
    feeds: options.feeds,
    ipTable,
    batchSize: settings.batchSize,
    keepRejects: settings.keepRejects,
    credit,
  };
}

async function* runWorker(
  options: ParseWorkerOptions,
  ipTable: SharedArrayBuffer | undefined,
  job: ParseJob,
  settings: { batchSize: number; keepRejects: number },
): AsyncGenerator<ReadyBatch> {
  const thread = new ParseThread(
    workerInput(options, ipTable, job, settings, options.credit ?? 2),
    options.onWorker,
    parseWorkerLimits(1),
  );
  try {
    for (let batch = await thread.next(); batch !== undefined; batch = await thread.next()) yield batch;
  } finally {
    await thread.worker.terminate();
  }
}

/**
 * A report cut into segments (`cutSegments`), parsed by `workers` workers, segment j by worker j % workers;
 * the batches come back in file order, segment by segment, so the report is stored as if one thread had
 * parsed it. Rejects beyond `keepRejects` are dropped here, as one worker would have. The cut runs ahead
 * of the workers by two segments each.
 */
async function* runWorkers(
  options: ParseWorkerOptions,
  ipTable: SharedArrayBuffer | undefined,
  job: ParseJob,
  plan: SegmentPlan,
  workers: number,
  settings: { batchSize: number; keepRejects: number },
): AsyncGenerator<ReadyBatch> {
  // A worker may run ahead by a whole segment of its own while the others' are stored: enough batches
  // for a segment of rows of 200 bytes or more, and one more.
  const credit = Math.max(options.credit ?? 2, Math.ceil(plan.segmentBytes / (200 * settings.batchSize)) + 1);
  const input = workerInput(options, ipTable, { ...job, segments: plan }, settings, credit);
  const threads = Array.from(
    { length: workers },
    () => new ParseThread(input, options.onWorker, parseWorkerLimits(workers)),
  );
  const cut = cutSegments(job.path, plan);
  // Segments given out so far, and whether that is all of them.
  const given = { count: 0, all: false };
  const give = async (upTo: number): Promise<void> => {
    while (!given.all && given.count <= upTo) {
      const next = await cut.next();
      if (next.done === true) {
        given.all = true;
        for (const thread of threads) thread.send({ type: 'last-segment-given' });
      } else {
        (threads[given.count % workers] as ParseThread).send({ type: 'segment', segment: next.value });
        given.count++;
      }
    }
  };
  let kept = 0;
  try {
    for (let segment = 0; ; segment++) {
      await give(segment + 2 * workers - 1);
      if (given.all && segment >= given.count) return;
      const thread = threads[segment % workers] as ParseThread;
      for (;;) {
        const batch = await thread.next();
        if (batch === undefined) throw new Error(`a parse worker ended before segment ${segment} was parsed`);
        const rejects = batch.rejects.slice(0, settings.keepRejects - kept);
        kept += rejects.length;
        yield { ...batch, rejects };
        if (batch.segment === segment) break;
      }
    }
  } finally {
    await cut.return(undefined);
    await Promise.all(threads.map((thread) => thread.worker.terminate()));
  }
}
