/**
 * Encoding of rows for `COPY ... FROM STDIN` in PostgreSQL's text format, the bulk-write path on both
 * backends: tab-separated, NULL as `\N`, and only backslash, newline, carriage return and tab escaped. The text
 * format was chosen over CSV because JSON, most of what Tocsin bulk-writes, is full of double quotes that
 * CSV would have to double, and almost never holds a character the text format must escape.
 */
export type CopyValue =
  | string
  | number
  | bigint
  | boolean
  | Date
  | Uint8Array
  | null
  | undefined
  | readonly unknown[]
  | { readonly [key: string]: unknown };

export function encodeCopyRow(values: readonly CopyValue[]): string {
  let line = '';
  for (let index = 0; index < values.length; index++) {
    if (index > 0) line += '\t';
    line += encodeCopyValue(values[index]);
  }
  return `${line}\n`;
}

/** One text (or NULL) field of a COPY row, for rows put together by hand: `\N`, or the text escaped. */
export function encodeCopyText(value: string | null): string {
  return value === null ? '\\N' : escape(value);
}

function encodeCopyValue(value: CopyValue): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'string') return escape(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : value < 0 ? '-Infinity' : 'NaN';
    return String(value);
  }
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (value instanceof Date) return value.toISOString();
  // bytea in hex: `\x...`, whose backslash the text format itself needs escaped.
  if (value instanceof Uint8Array) return `\\\\x${Buffer.from(value).toString('hex')}`;
  // Objects and arrays are written as JSON, for json/jsonb columns.
  return escape(JSON.stringify(value));
}

const special = /[\\\n\r\t]/;
const specialAll = /[\\\n\r\t]/g;
const escapes: Readonly<Record<string, string>> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escape(text: string): string {
  return special.test(text) ? text.replace(specialAll, (c) => escapes[c] ?? c) : text;
}
