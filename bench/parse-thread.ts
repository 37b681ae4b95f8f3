/**
 * A thread of the ingest benchmark's parallel parse (`ingest-worker.ts parse FILE SCHEMA THREADS`): parses
 * the segments it is sent with the Shadowserver parser, as the parse workers do before preparing events for
 * the store, and answers with the number of records read.
 */
import { parentPort, workerData } from 'node:worker_threads';
// The files the parse worker imports, not the intake module's index, which loads the store too: as the
// parse worker (src/intake/parse-worker.ts) does, to start in a third of the time.
import { FeedParsers } from '../src/intake/feeds.ts';
import { readSegment, segmentInput, type SegmentPlan, type SegmentRange } from '../src/intake/segments.ts';

const { path, fileName, schemaPath, plan } = workerData as {
  path: string;
  fileName: string;
  schemaPath: string;
  plan: SegmentPlan;
};
const port = parentPort;
if (port === null) throw new Error('parse-thread.ts runs as a worker thread');
const parse = new FeedParsers({ shadowserverSchemaPath: schemaPath }).parser('shadowserver');

let records = 0;
let work = Promise.resolve();
port.on('message', (message: SegmentRange | 'end') => {
  work = work.then(async () => {
    if (message === 'end') {
      port.postMessage(records);
      port.close();
      return;
    }
    const { text, firstLine } = segmentInput(await readSegment(path, plan, message));
    const options = { fileName, observationTime: '2026-11-23T00:00:00+00:00', firstLine };
    for await (const batch of parse(text, options)) records += batch.length;
  });
});
