/**
 * COPY text rows (`encodeCopyRow`) written as UTF-8 into one growing buffer as they are made, each row's end
 * kept so that some of them can be picked out later. A batch's rows then travel between threads as bytes
 * that are moved, not copied, and no row stays behind as a string for the garbage collector to move.
 */

/** Text written as UTF-8 into one buffer that doubles as it fills. */
export class ByteBuilder {
  #buffer: Buffer;
  #length = 0;

  constructor(initialBytes = 1 << 16) {
    this.#buffer = Buffer.allocUnsafe(initialBytes);
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

  #reserve(bytes: number): void {
    if (this.#length + bytes <= this.#buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.#buffer.length * 2, this.#length + bytes));
    this.#buffer.copy(grown, 0, 0, this.#length);
    this.#buffer = grown;
  }
}

/** Rows of COPY text as bytes: row i is `bytes[ends[i - 1] ?? 0, ends[i])`. */
export interface CopyRowBytes {
  bytes: Uint8Array;
  ends: Uint32Array;
}

/** `CopyRowBytes` made row by row. */
export class CopyRowsBuilder {
  readonly #bytes = new ByteBuilder();
  #ends = new Uint32Array(1024);
  #count = 0;

  /** One row as `encodeCopyRow` makes it (ending with its line break). */
  add(row: string): void {
    this.#bytes.writeUtf8(row);
    if (this.#count === this.#ends.length) {
      const grown = new Uint32Array(this.#ends.length * 2);
      grown.set(this.#ends);
      this.#ends = grown;
    }
    this.#ends[this.#count++] = this.#bytes.length;
  }

  finish(): CopyRowBytes {
    return { bytes: this.#bytes.bytes(), ends: this.#ends.slice(0, this.#count) };
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
