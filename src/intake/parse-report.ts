/**
 * The parsing half of an ingest: a report's file to batches of events ready to store (id, enrichment, the
 * record line) and rejects. The same code runs in the ingesting thread or in a worker thread
 * (`parse-worker.ts`), which then parses the next batch while this one is stored.
 */
import { AppError, canonicalBody, idDigestOfCanonical, type Event } from '../core/index.ts';
import { recordLineOf } from './event-records.ts';
import { BatchBuilder, hashedEventToStore, type PreparedBatch } from './events.repo.ts';
import { detectFeed, type FeedKind, type FeedParsers } from './feeds.ts';
import { readInputEntries, type InputContainer, type InputEntry } from './input.ts';
import { readSegment, segmentInput, type Segment, type SegmentPlan, type SegmentRange } from './segments.ts';

export interface ParseJob {
  /** The report the batches are prepared for (`prepareBatch`). */
  reportId: string;
  path: string;
  fileName: string;
  container: InputContainer;
  feed?: FeedKind | undefined;
  reportType?: string | undefined;
  feedName?: string | undefined;
  /** `time.observation` of every event: when the report was received. */
  observationTime: string;
  /**
   * The file is cut into segments (`segments.ts`): only the segments given to `parseReport` are parsed,
   * each closed by a batch of its own (`segment`), while other threads parse the rest.
   */
  segments?: SegmentPlan | undefined;
}

export interface RejectSummary {
  line: number;
  field?: string;
  reason: string;
  /** The member of a zip archive the line is in, when the report is an archive. */
  file?: string;
}

export interface ParsedBatch {
  /** The batch's events, added to the store's form as they were parsed. */
  events: BatchBuilder;
  /** Rejects with their reasons, while fewer than `keepRejects` were given before; `rejected` counts all. */
  rejects: RejectSummary[];
  rejected: number;
  /** Records read since the last batch (events and rejects). */
  records: number;
  bytesRead: number;
  feed: FeedKind;
  reportType: string | undefined;
  /** When the job is cut into segments: the segment this batch is the last of. */
  segment?: number | undefined;
}

/** What enrichment adds to an event (the IP table's `enrichmentOf`), or undefined for nothing. */
export type Enricher = (event: Event) => Event | undefined;

export interface ParseSettings {
  parsers: FeedParsers;
  /** What to add to an event that the feed did not give (AS, network, country) before it is stored. */
  enrich?: Enricher | undefined;
  /** Events per batch. */
  batchSize: number;
  /** Reasons kept over the whole report: the rest of the rejects are counted only. */
  keepRejects: number;
}

/**
 * Batches of a report's events and rejects. A bad record is a reject with its line and reason; an input
 * that breaks off part-way (a truncated gzip) is a reject after what was read. Throws an `AppError` only when
 * nothing could be read (unknown feed or report type, no header).
 */
export async function* parseReport(
  job: ParseJob,
  settings: ParseSettings,
  segments?: AsyncIterable<SegmentRange>,
): AsyncGenerator<ParsedBatch> {
  const { parsers, enrich, batchSize, keepRejects } = settings;
  let bytesRead = 0;
  let kept = 0;
  let recordsSeen = 0;
  let reportType: string | undefined;
  let batch: ParsedBatch | undefined;
  let yielded = false;
  const fresh = (feed: FeedKind): ParsedBatch => ({
    events: new BatchBuilder(job.reportId, job.observationTime),
    rejects: [],
    rejected: 0,
    records: 0,
    bytesRead,
    feed,
    reportType,
  });
  const reject = (target: ParsedBatch, item: RejectSummary): void => {
    target.rejected++;
    if (kept < keepRejects) {
      kept++;
      target.rejects.push(item);
    }
  };
  const entries: AsyncIterable<InputEntry & { segment?: Segment; firstLine?: number }> =
    job.segments === undefined
      ? readInputEntries(job.path, job.fileName, {
          onBytes: (read) => {
            bytesRead = read;
          },
        })
      : segmentEntries(job.path, job.fileName, job.segments, segmentsGiven(segments));
  for await (const entry of entries) {
    const member = job.container === 'zip' ? entry.name : undefined;
    const kind = job.feed ?? detectFeed(entry.name, false);
    if (kind === undefined) {
      throw new AppError(
        'intake.unknown_feed',
        `cannot tell the feed of ${entry.name} from its name: give the feed (shadowserver, csv, intelmq or jsonl)`,
      );
    }
    reportType ??= parsers.reportType(kind, entry.name, job.reportType);
    const parse = parsers.parser(kind);
    const options = {
      fileName: entry.name,
      observationTime: job.observationTime,
      ...(job.reportType === undefined ? {} : { reportType: job.reportType }),
      ...(job.feedName === undefined ? {} : { feedName: job.feedName }),
      ...(entry.firstLine === undefined ? {} : { firstLine: entry.firstLine }),
    };
    if (entry.segment !== undefined) bytesRead = entry.segment.start;
    if (batch !== undefined && batch.feed !== kind && batch.records > 0) {
      batch.bytesRead = bytesRead;
      batch.reportType = reportType;
      yield batch;
      yielded = true;
      batch = undefined;
    }
    let current = batch ?? fresh(kind);
    current.feed = kind;
    batch = current;
    try {
      for await (const items of parse(entry.text, options)) {
        for (const item of items) {
          current.records++;
          recordsSeen++;
          if (item.kind === 'reject') {
            reject(current, {
              line: item.line,
              ...(item.field === undefined ? {} : { field: item.field }),
              reason: item.reason,
              ...(member ? { file: member } : {}),
            });
            continue;
          }
          // The id is the feed's fact; enrichment (AS, network, country) is added after, so a change of the
          // IP data never turns a known fact into a new event. The record is made from the id's text.
          const { event } = item;
          const body = canonicalBody(event);
          const digest = idDigestOfCanonical(body.text);
          const added = enrich?.(event);
          // A CSV header is stored once, not in every event.
          const headed = item.rawHeader !== undefined && item.rawRecord !== undefined;
          const raw = headed ? item.rawRecord : item.raw;
          // Enrichment adds none of the columns `hashedEventToStore` reads from the event.
          current.events.add(
            hashedEventToStore(
              digest,
              event,
              headed ? item.rawHeader : undefined,
              item.line,
              recordLineOf(event, body, added, raw),
            ),
          );
        }
        if (current.events.size >= batchSize) {
          current.bytesRead = bytesRead;
          current.reportType = reportType;
          yield current;
          yielded = true;
          current = fresh(kind);
          batch = current;
        }
      }
    } catch (failure) {
      if (recordsSeen === 0) throw failure;
      reject(current, {
        line: 0,
        reason: `input ends unexpectedly: ${failure instanceof Error ? failure.message : String(failure)}`,
        ...(member ? { file: member } : {}),
      });
    }
    if (entry.segment !== undefined) {
      // Every segment ends with a batch of its own, empty or not: the batches of all threads are put back
      // in file order by their segments.
      current.bytesRead = entry.segment.end;
      current.reportType = reportType;
      current.segment = entry.segment.index;
      yield current;
      yielded = true;
      batch = undefined;
    }
  }
  // The last batch, also when empty if it is the only one: the caller learns the feed from it.
  if (batch !== undefined && (batch.records > 0 || batch.rejected > 0 || !yielded)) {
    batch.bytesRead = bytesRead;
    batch.reportType = reportType;
    yield batch;
  }
}

/** The segments given to this thread, each an input of its own (`segmentInput`). */
async function* segmentEntries(
  path: string,
  name: string,
  plan: SegmentPlan,
  ranges: AsyncIterable<SegmentRange>,
): AsyncGenerator<InputEntry & { segment: Segment; firstLine: number }> {
  for await (const range of ranges) {
    const segment = await readSegment(path, plan, range);
    yield { name, ...segmentInput(segment), segment };
  }
}

function segmentsGiven(segments: AsyncIterable<SegmentRange> | undefined): AsyncIterable<SegmentRange> {
  if (segments === undefined) throw new Error('a job cut into segments is parsed with the segments given');
  return segments;
}

/** A parsed batch, prepared for the store (`PreparedBatch`). */
export type ReadyBatch = Omit<ParsedBatch, 'events'> & { prepared: PreparedBatch };

/** Parses a report into batches ready to store, somewhere other than the ingesting thread. */
export type ParseStrategy = (
  job: ParseJob,
  settings: { batchSize: number; keepRejects: number },
) => AsyncIterable<ReadyBatch>;

/** Parses and prepares in this thread. */
export async function* parseHere(
  job: ParseJob,
  settings: ParseSettings,
  segments?: AsyncIterable<SegmentRange>,
): AsyncGenerator<ReadyBatch> {
  for await (const { events, ...rest } of parseReport(job, settings, segments)) {
    yield { ...rest, prepared: events.finish() };
  }
}
