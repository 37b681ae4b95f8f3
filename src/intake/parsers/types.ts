import type { Event } from '../../core/index.ts';

/**
 * What parsers produce: events and rejects, each with the 1-based line of the input where its record starts
 * (for CSV the physical line number in the file, header = line 1; for JSON lines the line; for a JSON
 * array the index + 1 of the element). Parsers are pure: text in, items out; no I/O, no clock.
 */
export interface ParsedEvent {
  kind: 'event';
  line: number;
  event: Event;
  /** The original text of the record, for IDF `raw` (for CSV: the header line, "\n", the record's line). */
  raw: string;
  /**
   * For CSV, the two parts `raw` is made of (`${rawHeader}\n${rawRecord}`), so the header, the same in every
   * row, can be stored once.
   */
  rawHeader?: string;
  rawRecord?: string;
}

export interface Reject {
  kind: 'reject';
  line: number;
  /** The IDF field or input column at fault, when one is. */
  field?: string;
  reason: string;
}

export type ParseItem = ParsedEvent | Reject;

export interface ParseOptions {
  /** Name of the input file; Shadowserver takes the report type from it (`2026-01-01-scan_http-nl.csv`). */
  fileName?: string;
  /** Overrides the report type that the file name would give (Shadowserver `--report`). */
  reportType?: string;
  /** `time.observation` for every event: when Tocsin received the report (ISO-8601 UTC). */
  observationTime: string;
  /** Overrides `feed.name` (as an IntelMQ collector does); parsers set their own otherwise. */
  feedName?: string;
  /**
   * The line number of the input's first line (default 1): a Shadowserver report cut into parts
   * (`segments.ts`) is parsed part by part, each behind the file's header, and its lines keep their numbers
   * in the file. Only the Shadowserver parser takes it (the only feed whose reports are cut).
   */
  firstLine?: number;
}

/**
 * A streaming parser: consumes decoded text chunks (any sizes, split anywhere) and yields items in
 * batches of roughly `batchSize`, so memory stays flat whatever the input size. A problem with one record
 * is a `Reject`; only a problem with the whole input (unknown report type, no header) is thrown, as
 * `AppError('intake.unreadable_input')` or `AppError('intake.unknown_report_type')`.
 */
export type FeedParser = (input: AsyncIterable<string>, options: ParseOptions) => AsyncGenerator<ParseItem[]>;
