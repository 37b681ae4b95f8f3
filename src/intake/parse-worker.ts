/**
 * A worker thread that parses one report (`parse-in-worker.ts` starts it): the feed parsers and the IP
 * table are built here from plain settings, and batches go back prepared for the store. It parses at most `credit`
 * batches ahead of the thread that stores them, so memory stays bounded whatever the file size. For a report
 * cut into segments, it parses the segments it is sent, one after the other.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isAppError } from '../core/index.ts';
import { enrichmentOf, ipTableOfBytes } from '../enrichment/index.ts';
import { FeedParsers } from './feeds.ts';
import { parseHere } from './parse-report.ts';
import type { SegmentRange } from './segments.ts';
import { toWire, type ToWorker, type WorkerInput, type WorkerMessage } from './parse-wire.ts';

const input = workerData as WorkerInput;
const port = parentPort;
if (port === null) throw new Error('parse-worker.ts runs as a worker thread');

let credit = input.credit;
let wake: (() => void) | undefined;
const segments: SegmentRange[] = [];
let lastSegmentGiven = false;
let segmentGiven: (() => void) | undefined;
port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'more':
      credit++;
      wake?.();
      return;
    case 'segment':
      segments.push(message.segment);
      break;
    case 'last-segment-given':
      lastSegmentGiven = true;
      break;
  }
  segmentGiven?.();
});

/** The segments this worker is given, as they come. */
async function* givenSegments(): AsyncGenerator<SegmentRange> {
  for (;;) {
    while (segments.length === 0 && !lastSegmentGiven) {
      await new Promise<void>((resolve) => (segmentGiven = resolve));
    }
    const segment = segments.shift();
    if (segment === undefined) return;
    yield segment;
  }
}

function post(message: WorkerMessage, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(message, transfer);
}

try {
  const table = input.ipTable === undefined ? undefined : await ipTableOfBytes(input.ipTable);
  const batches = parseHere(
    input.job,
    {
      parsers: new FeedParsers(input.feeds),
      enrich: table === undefined ? undefined : (event) => enrichmentOf(table, event),
      batchSize: input.batchSize,
      keepRejects: input.keepRejects,
    },
    input.job.segments === undefined ? undefined : givenSegments(),
  );
  for await (const batch of batches) {
    while (credit === 0) await new Promise<void>((resolve) => (wake = resolve));
    credit--;
    const wire = toWire(batch);
    post({ type: 'batch', batch: wire.batch }, wire.transfer);
  }
  post({ type: 'done' });
} catch (error) {
  post({
    type: 'error',
    error: isAppError(error)
      ? { appError: true, code: error.code, message: error.message, details: error.details }
      : {
          appError: false,
          code: undefined,
          message: error instanceof Error ? error.message : String(error),
          details: undefined,
        },
  });
}
port.close();
