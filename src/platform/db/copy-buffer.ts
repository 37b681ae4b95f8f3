/**
 * COPY text rows (`encodeCopyRow`) written as UTF-8 into one growing buffer as they are made, each row's end
 * kept so that some of them can be picked out later. A batch's rows then travel between threads as bytes
 * that are moved, not copied, and no row stays behind as a string for the garbage collector to move.
 */
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

export class CopyRowsBuilder {
  readonly #bytes = new ByteBuilder();
  #ends = new Uint32Array(1024);
  #count = 0;

  get count(): number {
    return this.#count;
  }

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
  const parts: Uint8Array[] = [];
  let kept = 0;
  // Runs of kept rows are taken as one slice each.
  let runStart = -1;
  for (let at = 0; at <= ends.length; at++) {
    const keepThis = at < ends.length && keep(at);
    if (keepThis) {
      kept++;
      if (runStart < 0) runStart = at === 0 ? 0 : (ends[at - 1] as number);
    } else if (runStart >= 0) {
      parts.push(bytes.subarray(runStart, at === 0 ? 0 : ends[at - 1]));
      runStart = -1;
    }
  }
  if (kept === ends.length) return bytes;
  return Buffer.concat(parts);
}
