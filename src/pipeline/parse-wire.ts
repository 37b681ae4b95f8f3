/**
 * What the parse worker and the ingesting thread say to each other. A batch travels prepared for the store
 * (`prepareBatch`): a few arrays of strings and the compressed chunk, whose bytes are moved, not copied.
 */
import type { FeedSettings } from '../intake/feeds.ts';
import type { ReadyBatch } from '../intake/index.ts';
import type { ParseJob } from '../intake/parse-report.ts';

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

/** The batch and what to move rather than copy: the chunk's bytes, in a buffer of their own. */
export function toWire(batch: ReadyBatch): { batch: ReadyBatch; transfer: ArrayBuffer[] } {
  const { bytes } = batch.prepared.chunk;
  const own =
    bytes.byteOffset === 0 &&
    bytes.byteLength === bytes.buffer.byteLength &&
    bytes.buffer instanceof ArrayBuffer
      ? bytes
      : new Uint8Array(bytes);
  const prepared = { ...batch.prepared, chunk: { ...batch.prepared.chunk, bytes: own } };
  return { batch: { ...batch, prepared }, transfer: [own.buffer as ArrayBuffer] };
}
