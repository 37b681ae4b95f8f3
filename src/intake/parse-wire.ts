/**
 * What the parse worker and the ingesting thread say to each other. A batch travels prepared for the store
 * (`PreparedBatch`): the compressed chunk, the events' rows in COPY's binary form and their lines, whose
 * bytes are moved, not copied.
 */
import type { FeedSettings } from './feeds.ts';
import type { ParseJob, ReadyBatch } from './parse-report.ts';
import type { SegmentRange } from './segments.ts';

export interface WorkerInput {
  job: ParseJob;
  feeds: FeedSettings;
  /** The IP table's cache file, shared by the threads (`sharedIpTableBytes`); without it events are not enriched. */
  ipTable: SharedArrayBuffer | undefined;
  batchSize: number;
  keepRejects: number;
  /** Batches the worker may parse ahead of the thread storing them. */
  credit: number;
}

/**
 * What the ingesting thread says to a worker: one more batch may be parsed ahead; for a report cut into
 * segments, parse this segment too, or there are no more.
 */
export type ToWorker =
  { type: 'more' } | { type: 'segment'; segment: SegmentRange } | { type: 'last-segment-given' };

export type WorkerMessage =
  | { type: 'batch'; batch: ReadyBatch }
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

/** The batch and what to move rather than copy: the chunk's and the rows' bytes, each in a buffer of its own. */
export function toWire(batch: ReadyBatch): { batch: ReadyBatch; transfer: ArrayBuffer[] } {
  const { chunk, eventRows, lines } = batch.prepared;
  const transfer: ArrayBuffer[] = [];
  const moved = <T extends Uint8Array | Uint32Array>(view: T): T => {
    // Node's own buffers (zlib's output, the pool) may not be transferable: those are copied, as is a view of
    // a larger buffer (a Buffer's `slice` would not copy, hence the constructor).
    const own =
      view.byteOffset === 0 &&
      view.byteLength === view.buffer.byteLength &&
      view.buffer instanceof ArrayBuffer &&
      !Buffer.isBuffer(view)
        ? view
        : copyOf(view);
    transfer.push(own.buffer as ArrayBuffer);
    return own;
  };
  const prepared = {
    ...batch.prepared,
    chunk: { ...chunk, bytes: moved(chunk.bytes) },
    eventRows: { bytes: moved(eventRows.bytes), ends: moved(eventRows.ends) },
    lines: moved(lines),
  };
  return { batch: { ...batch, prepared }, transfer };
}

function copyOf<T extends Uint8Array | Uint32Array>(view: T): T {
  return (view instanceof Uint32Array ? new Uint32Array(view) : new Uint8Array(view)) as T;
}
