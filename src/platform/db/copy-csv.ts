/**
 * Encoding of rows for `COPY ... FROM STDIN WITH (FORMAT csv)`, the bulk-write path on both backends.
 * NULL is an unquoted empty field; every string is quoted so that an empty string stays distinct from NULL.
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
    if (index > 0) line += ',';
    line += encodeCopyValue(values[index]);
  }
  return `${line}\n`;
}

function encodeCopyValue(value: CopyValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : value < 0 ? '-Infinity' : 'NaN';
    return String(value);
  }
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return `\\x${Buffer.from(value).toString('hex')}`;
  // Objects and arrays are written as JSON, for json/jsonb columns.
  return quote(JSON.stringify(value));
}

function quote(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}
