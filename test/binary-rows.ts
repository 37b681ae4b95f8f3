import type { CopyRowBytes } from '../src/platform/copy/index.ts';

/**
 * The fields of rows in COPY's binary format (`BinaryRowsBuilder`), each as hex or null, so that tests can
 * compare rows and leave out fields that differ by design (a chunk's id).
 */
export function binaryRowFields(rows: CopyRowBytes): (string | null)[][] {
  const view = new DataView(rows.bytes.buffer, rows.bytes.byteOffset, rows.bytes.byteLength);
  const result: (string | null)[][] = [];
  let at = 0;
  for (const end of rows.ends) {
    const count = view.getInt16(at);
    at += 2;
    const fields: (string | null)[] = [];
    for (let field = 0; field < count; field++) {
      const length = view.getInt32(at);
      at += 4;
      if (length < 0) {
        fields.push(null);
        continue;
      }
      fields.push(Buffer.from(rows.bytes.subarray(at, at + length)).toString('hex'));
      at += length;
    }
    if (at !== end) throw new Error(`a row ends at ${at}, its end says ${end}`);
    result.push(fields);
  }
  return result;
}

/** A UUID's bytes as hex, as `binaryRowFields` shows a uuid field. */
export function uuidHex(id: string): string {
  return id.replaceAll('-', '');
}
