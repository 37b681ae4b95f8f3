/**
 * Whether text has the shape of a UUID (event, report and key ids). Checked before a query so that text from
 * a URL or the command line that cannot be an id is answered "not found" without reaching the database,
 * whose `uuid` columns would refuse it with an error instead.
 */
export function isUuid(text: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text);
}
