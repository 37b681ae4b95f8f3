/**
 * A worker thread that parses one report (`parse-in-worker.ts` starts it): the feed parsers and the IP
 * table are built here from plain settings, and batches go back prepared for the store. It parses at most `credit`
 * batches ahead of the thread that stores them, so memory stays bounded whatever the file size.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isAppError } from '../core/index.ts';
import { enrichmentOf, loadIpTable } from '../enrichment/index.ts';
import { FeedParsers, parseHere } from '../intake/index.ts';
import { toWire, type WorkerInput, type WorkerMessage } from './parse-wire.ts';

const input = workerData as WorkerInput;
const port = parentPort;
if (port === null) throw new Error('parse-worker.ts runs as a worker thread');

let credit = input.credit;
let wake: (() => void) | undefined;
// The only message the worker is sent: one more batch may be parsed ahead.
port.on('message', () => {
  credit++;
  wake?.();
});

function post(message: WorkerMessage, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(message, transfer);
}

try {
  const table =
    input.ipTableCacheDir === undefined ? undefined : await loadIpTable({ cacheDir: input.ipTableCacheDir });
  const batches = parseHere(input.job, {
    parsers: new FeedParsers(input.feeds),
    enrich: table === undefined ? undefined : (event) => enrichmentOf(table, event),
    batchSize: input.batchSize,
    keepRejects: input.keepRejects,
  });
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
