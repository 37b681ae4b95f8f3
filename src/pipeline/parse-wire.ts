/**
 * What the parse worker and the ingesting thread say to each other. A batch travels as columns: a few large
 * arrays clone far faster than thousands of small objects, and a CSV header, the same in every row, is sent
 * once per batch with an index per event.
 */
import type { EventToStore } from '../intake/events.repo.ts';
import type { FeedSettings } from '../intake/feeds.ts';
import type { ParsedBatch, ParseJob } from '../intake/parse-report.ts';

export interface WorkerInput {
  job: ParseJob;
  feeds: FeedSettings;
  /** Where the IP table's cache is; without it events are not enriched. */
  ipTableCacheDir: string | undefined;
  batchSize: number;
  keepRejects: number;
  /** Batches the worker may parse ahead of the thread storing them. */
  credit: number;
}

export interface WireBatch extends Omit<ParsedBatch, 'events' | 'records'> {
  ids: string[];
  records: string[];
  headers: string[];
  headerIndex: Int32Array;
  timeSource: (string | null)[];
  sourceIp: (string | null)[];
  classificationType: (string | null)[];
  feedName: (string | null)[];
  lines: Int32Array;
  recordCount: number;
}

export type WorkerMessage =
  | { type: 'batch'; batch: WireBatch }
  | { type: 'done' }
  | {
      type: 'error';
      error: {
        appError: boolean;
        code: string | undefined;
        message: string;
        details: Record<string, unknown> | undefined;
      };
    };

export function toWire(batch: ParsedBatch): { wire: WireBatch; transfer: ArrayBuffer[] } {
  const { events, records, ...rest } = batch;
  const headers: string[] = [];
  const headerAt = new Map<string, number>();
  const headerIndex = new Int32Array(events.length);
  const lines = new Int32Array(events.length);
  events.forEach((event, at) => {
    lines[at] = event.line;
    if (event.rawHeader === undefined) {
      headerIndex[at] = -1;
      return;
    }
    let index = headerAt.get(event.rawHeader);
    if (index === undefined) {
      index = headers.length;
      headers.push(event.rawHeader);
      headerAt.set(event.rawHeader, index);
    }
    headerIndex[at] = index;
  });
  return {
    wire: {
      ...rest,
      recordCount: records,
      ids: events.map((e) => e.id),
      records: events.map((e) => e.record),
      headers,
      headerIndex,
      timeSource: events.map((e) => e.timeSource),
      sourceIp: events.map((e) => e.sourceIp),
      classificationType: events.map((e) => e.classificationType),
      feedName: events.map((e) => e.feedName),
      lines,
    },
    transfer: [headerIndex.buffer, lines.buffer],
  };
}

export function fromWire(wire: WireBatch): ParsedBatch {
  const events: EventToStore[] = new Array<EventToStore>(wire.ids.length);
  for (let at = 0; at < wire.ids.length; at++) {
    const header = wire.headerIndex[at] as number;
    events[at] = {
      id: wire.ids[at] as string,
      record: wire.records[at] as string,
      ...(header < 0 ? {} : { rawHeader: wire.headers[header] }),
      timeSource: wire.timeSource[at] ?? null,
      sourceIp: wire.sourceIp[at] ?? null,
      classificationType: wire.classificationType[at] ?? null,
      feedName: wire.feedName[at] ?? null,
      line: wire.lines[at] as number,
    };
  }
  return {
    events,
    rejects: wire.rejects,
    rejected: wire.rejected,
    records: wire.recordCount,
    bytesRead: wire.bytesRead,
    feed: wire.feed,
    reportType: wire.reportType,
  };
}
