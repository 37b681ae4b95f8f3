/**
 * COPY text rows (`encodeCopyRow`) written as UTF-8 into one growing buffer as they are made, each row's end
 * kept so that some of them can be picked out later. A batch's rows then travel between threads as bytes
 * that are moved, not copied, and no row stays behind as a string for the garbage collector to move.
 */

/**
 * Buffers of finished builders, kept for the next builders of the same kind. A batch's builders grow to
 * megabytes; allocated afresh for every batch, that memory (outside V8's heap, but counted against it)
 * made the parse worker run a full garbage collection every few batches: 46 in 7 s for 200,000 rows.
 */
export class BufferPool {
  readonly #spare: Buffer[] = [];
  readonly #keep: number;

  constructor(keep = 2) {
    this.#keep = keep;
  }

  take(): Buffer | undefined {
    return this.#spare.pop();
  }

  give(buffer: Buffer): void {
    if (this.#spare.length < this.#keep) this.#spare.push(buffer);
  }
}

const released = Buffer.alloc(0);

// Up to this many bytes, `writeBytes` copies byte by byte.
const smallCopy = 32;

/** Text written as UTF-8, and bytes, into one buffer that doubles as it fills. */
export class ByteBuilder {
  #buffer: Buffer;
  #length = 0;
  readonly #pool: BufferPool | undefined;

  /** With a `pool`, the buffer is taken from it when it has one, and given back by `release`. */
  constructor(initialBytes = 1 << 16, pool?: BufferPool) {
    this.#pool = pool;
    this.#buffer = pool?.take() ?? Buffer.allocUnsafe(initialBytes);
  }

  get length(): number {
    return this.#length;
  }

  writeUtf8(text: string): void {
    // UTF-8 takes at most three bytes per UTF-16 code unit.
    this.#reserve(text.length * 3);
    this.#length += this.#buffer.write(text, this.#length, 'utf8');
  }

  writeByte(byte: number): void {
    this.#reserve(1);
    this.#buffer[this.#length++] = byte;
  }

  writeBytes(bytes: Uint8Array): void {
    const n = bytes.length;
    this.#reserve(n);
    // A few bytes are copied faster one by one than through `set`, whose call costs more than the copy.
    if (n <= smallCopy) {
      const buffer = this.#buffer;
      let at = this.#length;
      for (let i = 0; i < n; i++) buffer[at++] = bytes[i] as number;
    } else {
      this.#buffer.set(bytes, this.#length);
    }
    this.#length += n;
  }

  /** A copy of the bytes written from `start` on. */
  copyOf(start: number): Uint8Array {
    return Uint8Array.prototype.slice.call(this.#buffer, start, this.#length);
  }

  /** The low 16 bits of `value`, big-endian. */
  writeInt16(value: number): void {
    this.#reserve(2);
    const buffer = this.#buffer;
    buffer[this.#length++] = (value >>> 8) & 0xff;
    buffer[this.#length++] = value & 0xff;
  }

  /** The low 32 bits of `value`, big-endian. */
  writeInt32(value: number): void {
    this.#reserve(4);
    this.#setInt32(this.#length, value);
    this.#length += 4;
  }

  /** Overwrites four bytes written before, at `at`, with `value` as `writeInt32` writes it. */
  setInt32(at: number, value: number): void {
    if (at < 0 || at + 4 > this.#length) throw new RangeError(`no four bytes written at ${at}`);
    this.#setInt32(at, value);
  }

  #setInt32(at: number, value: number): void {
    const buffer = this.#buffer;
    buffer[at] = (value >>> 24) & 0xff;
    buffer[at + 1] = (value >>> 16) & 0xff;
    buffer[at + 2] = (value >>> 8) & 0xff;
    buffer[at + 3] = value & 0xff;
  }

  /** The bytes written, in a buffer of their own (so that they can be transferred to another thread). */
  bytes(): Uint8Array {
    const own = new Uint8Array(this.#length);
    own.set(this.#buffer.subarray(0, this.#length));
    return own;
  }

  /** The bytes written, sharing this builder's memory. */
  view(): Buffer {
    return this.#buffer.subarray(0, this.#length);
  }

  /** Gives the buffer back to the pool: the bytes written are gone, and `view()` is empty from now on. */
  release(): void {
    if (this.#buffer !== released) this.#pool?.give(this.#buffer);
    this.#buffer = released;
    this.#length = 0;
  }

  #reserve(bytes: number): void {
    if (this.#length + bytes <= this.#buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.#buffer.length * 2, this.#length + bytes));
    this.#buffer.copy(grown, 0, 0, this.#length);
    this.#buffer = grown;
  }
}

/** Unsigned 32-bit numbers (row ends, line numbers) appended to an array that doubles as it fills. */
export class Uint32List {
  #values = new Uint32Array(1024);
  #count = 0;

  get length(): number {
    return this.#count;
  }

  push(value: number): void {
    if (this.#count === this.#values.length) {
      const grown = new Uint32Array(this.#values.length * 2);
      grown.set(this.#values);
      this.#values = grown;
    }
    this.#values[this.#count++] = value;
  }

  /** The numbers pushed, in an array of their own. */
  toArray(): Uint32Array {
    return this.#values.slice(0, this.#count);
  }
}

/** Rows of COPY text as bytes: row i is `bytes[ends[i - 1] ?? 0, ends[i])`. */
export interface CopyRowBytes {
  bytes: Uint8Array;
  ends: Uint32Array;
}

/** `CopyRowBytes` made row by row. */
export class CopyRowsBuilder {
  readonly #bytes: ByteBuilder;
  readonly #ends = new Uint32List();

  /** With a `pool`, the builder's buffer comes from it and goes back to it once finished. */
  constructor(pool?: BufferPool) {
    this.#bytes = new ByteBuilder(1 << 16, pool);
  }

  /** One row as `encodeCopyRow` makes it (ending with its line break). */
  add(row: string): void {
    this.#bytes.writeUtf8(row);
    this.#ends.push(this.#bytes.length);
  }

  /** The rows in buffers of their own; the builder is done. */
  finish(): CopyRowBytes {
    const rows = { bytes: this.#bytes.bytes(), ends: this.#ends.toArray() };
    this.#bytes.release();
    return rows;
  }
}

/** The rows for which `keep` is true, as COPY text bytes; all of them without copying. */
export function pickCopyRows(rows: CopyRowBytes, keep: (index: number) => boolean): Uint8Array {
  const { bytes, ends } = rows;
  const startOf = (row: number): number => (row === 0 ? 0 : (ends[row - 1] as number));
  const parts: Uint8Array[] = [];
  // Runs of kept rows are taken as one slice each.
  let runStart: number | undefined;
  for (let at = 0; at < ends.length; at++) {
    if (keep(at)) {
      runStart ??= startOf(at);
    } else if (runStart !== undefined) {
      parts.push(bytes.subarray(runStart, startOf(at)));
      runStart = undefined;
    }
  }
  // A run still open from the first row is every row (a row is never empty: it ends with its line break).
  if (runStart === 0) return bytes;
  if (runStart !== undefined) parts.push(bytes.subarray(runStart));
  return Buffer.concat(parts);
}
