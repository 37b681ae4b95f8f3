import { randomBytes } from 'node:crypto';

/**
 * Whether text has the shape of a UUID (event, report and key ids). Checked before a query so that text from
 * a URL or the command line that cannot be an id is answered "not found" without reaching the database,
 * whose `uuid` columns would refuse it with an error instead.
 */
export function isUuid(text: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text);
}

let lastMs = 0;

/**
 * A version 7 UUID (RFC 9562): the first 48 bits are the time in milliseconds, the rest random. Ids made one
 * after another sort in the order they were made, so rows keyed by them are appended to an index, not
 * scattered through it. Within one process they are strictly increasing: an id made in the same millisecond as
 * the last takes the next millisecond.
 */
export function timeOrderedUuid(now = Date.now()): string {
  lastMs = Math.max(now, lastMs + 1);
  const bytes = randomBytes(16);
  bytes.writeUIntBE(lastMs, 0, 6);
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x70;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
