/**
 * A plain Shadowserver report cut into segments that parse side by side in several threads, each segment on
 * its own behind the file's header, and are stored in file order. One thread cuts (`cutSegments`): it
 * follows the CSV reader's quoting over the bytes, so that a cut falls only between two records (a quoted
 * field may hold a line break), and counts line breaks, so that lines keep their numbers in the file.
 *
 * What the cut cannot follow: the CSV reader gives up on a record longer than its limit (1 MiB) and skips
 * to a line break that depends on how the input was read; after such a record whose quote runs over line
 * breaks, the cut and the reader may disagree on where the next records start. Those lines are rejects
 * either way.
 */
import { open } from 'node:fs/promises';

export interface SegmentPlan {
  /** The file's size in bytes, when the plan was made. */
  size: number;
  /** Bytes of the header line, its line break included: the first segment starts here. */
  headerEnd: number;
  /** The header line, decoded as the whole file would be, without its line break. */
  header: string;
  /** A segment ends at the first record boundary this many bytes after its start or later. */
  segmentBytes: number;
}

/** A segment of the file: bytes [start, end), the first of which starts line `firstLine` of the file. */
export interface SegmentRange {
  index: number;
  start: number;
  end: number;
  firstLine: number;
}

export interface Segment extends SegmentRange {
  header: string;
  /** The segment's lines, decoded. */
  text: string;
}

// A header longer than this is no Shadowserver header: the file is parsed in one piece.
const maxHeaderBytes = 1 << 20;

/**
 * How to cut the file at `path`, or undefined when it is not worth it or cannot be done: smaller than
 * two segments, or a header that does not end within 1 MiB or holds a line break.
 */
export async function planSegments(
  path: string,
  options: { segmentBytes: number },
): Promise<SegmentPlan | undefined> {
  const { segmentBytes } = options;
  if (segmentBytes < 1) return undefined;
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    if (size < 2 * segmentBytes) return undefined;
    const head = Buffer.alloc(Math.min(size, maxHeaderBytes));
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const scanner = new RecordScanner();
    const headerEnd = scanner.scan(head, 0, bytesRead, 0);
    // A header over several lines (a quoted name with a line break) would shift the lines after it.
    if (headerEnd === -1 || head.subarray(0, headerEnd - 1).includes(0x0a)) return undefined;
    // A byte order mark at the start is dropped (as for the whole file), a CR before the LF kept.
    const header = new TextDecoder('utf-8').decode(head.subarray(0, headerEnd - 1));
    return { size, headerEnd, header, segmentBytes };
  } finally {
    await handle.close();
  }
}

// Bytes read from the file at a time.
const readBytes = 1 << 20;

/**
 * The file's segments, in order, each ending at the first record boundary `plan.segmentBytes` bytes after
 * its start or later. Throws when the file is no longer the size the plan was made for.
 */
export async function* cutSegments(path: string, plan: SegmentPlan): AsyncGenerator<SegmentRange> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    if (size !== plan.size) {
      throw new Error(`${path} changed while it was read (${size} bytes, ${plan.size} when planned)`);
    }
    const buffer = Buffer.alloc(readBytes);
    const scanner = new RecordScanner();
    let index = 0;
    let start = plan.headerEnd;
    let firstLine = 2;
    // The buffer holds the file's bytes [at, at + filled).
    let at = start;
    let filled = 0;
    let pos = 0;
    while (start < size) {
      const from = start + plan.segmentBytes - 1;
      let end = -1;
      while (end === -1) {
        if (pos === filled) {
          at += filled;
          if (at >= size) break;
          filled = (await handle.read(buffer, 0, Math.min(readBytes, size - at), at)).bytesRead;
          if (filled === 0) throw new Error(`${path} ended early while it was read`);
          pos = 0;
        }
        const found = scanner.scan(buffer, pos, filled, Math.max(0, from - at));
        if (found === -1) {
          pos = filled;
        } else {
          end = at + found;
          pos = found;
        }
      }
      if (end === -1) end = size;
      yield { index, start, end, firstLine };
      firstLine += scanner.takeLineBreaks();
      index++;
      start = end;
    }
  } finally {
    await handle.close();
  }
}

/** A segment's lines, read and decoded. */
export async function readSegment(path: string, plan: SegmentPlan, range: SegmentRange): Promise<Segment> {
  const handle = await open(path, 'r');
  try {
    const bytes = Buffer.allocUnsafe(range.end - range.start);
    const { bytesRead } = await handle.read(bytes, 0, bytes.length, range.start);
    if (bytesRead !== bytes.length) throw new Error(`${path} ended early while it was read`);
    // A byte order mark is dropped at the start of the file only.
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
    return { ...range, header: plan.header, text };
  } finally {
    await handle.close();
  }
}

/**
 * A segment as a parser reads it: the file's header, then the segment's lines, numbered from `firstLine`
 * (the header's number, one before the segment's first line) so that they keep their numbers in the file.
 */
export function segmentInput(segment: Segment): { text: AsyncIterable<string>; firstLine: number } {
  return { text: once(`${segment.header}\n${segment.text}`), firstLine: segment.firstLine - 1 };
}

async function* once(text: string): AsyncGenerator<string> {
  yield text;
}

// States of `RecordScanner`.
const fieldStart = 0;
const inField = 1;
const inQuotes = 2;
const quoteInQuotes = 3;
const states = 4;

/** The state after `byte` in `state`. */
function next(state: number, byte: number): number {
  // NUL bytes are skipped: the Shadowserver parser deletes them before reading.
  if (byte === 0) return state;
  if (state === inQuotes) return byte === 0x22 ? quoteInQuotes : inQuotes;
  // A quote after a closing quote is a doubled quote: still inside.
  if (state === quoteInQuotes && byte === 0x22) return inQuotes;
  if (byte === 0x2c || byte === 0x0a) return fieldStart;
  return byte === 0x22 && state === fieldStart ? inQuotes : inField;
}

/*
 * The state machine as tables: the state after one byte (`byTable[state << 8 | byte]`) and after two
 * (`byPair[state << 16 | pair]`, the pair read as a 16-bit number in the machine's byte order), which
 * reads a file at about 0.7 GB/s where a branch per byte read 0.2.
 */
let byByte: Uint8Array | undefined;
let byPair: Uint8Array | undefined;

function tables(): { byByte: Uint8Array; byPair: Uint8Array } {
  if (byByte === undefined || byPair === undefined) {
    const single = new Uint8Array(states << 8);
    for (let state = 0; state < states; state++) {
      for (let byte = 0; byte < 256; byte++) single[(state << 8) | byte] = next(state, byte);
    }
    const littleEndian = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;
    const pairs = new Uint8Array(states << 16);
    for (let state = 0; state < states; state++) {
      for (let pair = 0; pair < 1 << 16; pair++) {
        const [first, second] = littleEndian ? [pair & 255, pair >> 8] : [pair >> 8, pair & 255];
        pairs[(state << 16) | pair] = single[
          ((single[(state << 8) | first] as number) << 8) | second
        ] as number;
      }
    }
    byByte = single;
    byPair = pairs;
  }
  return { byByte, byPair };
}

/**
 * Where records end, by the CSV reader's rules (`readCsv`, delimiter ","): a quote opens a quoted field only
 * at the start of a field, inside one a doubled quote stands for a quote, and a line break outside quotes
 * ends the record. NUL bytes are skipped, as the Shadowserver parser deletes them before reading.
 */
export class RecordScanner {
  #state = fieldStart;
  #lineBreaks = 0;

  /**
   * Reads `bytes[from, to)`; returns the index just past the first line break that ends a record at index
   * `stopFrom` or later, or -1 when there is none before `to`. Line breaks are counted up to where it stopped.
   */
  scan(bytes: Uint8Array, from: number, to: number, stopFrom: number): number {
    const { byByte, byPair } = tables();
    let state = this.#state;
    let at = from;
    // Up to `stopFrom` no record end is looked for: two bytes at a time, from an even address.
    const quickEnd = Math.min(to, Math.max(from, stopFrom));
    if (((bytes.byteOffset + at) & 1) === 1 && at < quickEnd)
      state = byByte[(state << 8) | (bytes[at++] as number)] as number;
    const pairs = (quickEnd - at) >> 1;
    if (pairs > 0) {
      const words = new Uint16Array(bytes.buffer, bytes.byteOffset + at, pairs);
      let shifted = state << 16;
      for (let i = 0; i < pairs; i++) shifted = (byPair[shifted | (words[i] as number)] as number) << 16;
      state = shifted >> 16;
      at += pairs * 2;
    }
    if (at < quickEnd) state = byByte[(state << 8) | (bytes[at++] as number)] as number;
    let stopped = -1;
    for (; at < to; at++) {
      const byte = bytes[at] as number;
      const before = state;
      state = byByte[(state << 8) | byte] as number;
      if (byte === 0x0a && before !== inQuotes) {
        stopped = at + 1;
        break;
      }
    }
    this.#state = state;
    this.#lineBreaks += countLineBreaks(bytes, from, stopped === -1 ? to : stopped);
    return stopped;
  }

  /** Line breaks read since the last call. */
  takeLineBreaks(): number {
    const count = this.#lineBreaks;
    this.#lineBreaks = 0;
    return count;
  }
}

function countLineBreaks(bytes: Uint8Array, from: number, to: number): number {
  let count = 0;
  for (let at = bytes.indexOf(0x0a, from); at !== -1 && at < to; at = bytes.indexOf(0x0a, at + 1)) count++;
  return count;
}
