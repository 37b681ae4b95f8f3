import {
  decodeBase64Text,
  eventItem,
  isJsonObject,
  jsonFeedParser,
  type JsonRecord,
} from './json-records.ts';
import type { FeedParser, ParseItem, ParseOptions } from './types.ts';

/**
 * IDF events as JSON Lines (`--feed jsonl`), or one JSON array of them. Each record is either Tocsin's own
 * export record, `{"id", "event": {IDF fields}, "raw": "original text", "reports", ...}`, of which only
 * `event` and `raw` count (ids are recomputed from content, the rest belongs to this instance), or a flat
 * IDF object, whose `raw`, if any, is base64 as IDF defines it.
 */
export const parseIdfJsonLines: FeedParser = jsonFeedParser(idfItem);

function idfItem(record: JsonRecord, options: ParseOptions): ParseItem {
  const { line, value, text } = record;
  if (isJsonObject(value.event)) {
    const raw = typeof value.raw === 'string' ? value.raw : text;
    return eventItem(line, { ...value.event }, raw, options);
  }
  if ('event' in value) {
    return { kind: 'reject', line, field: 'event', reason: 'event is not a JSON object of IDF fields' };
  }
  const { raw: encoded, ...fields } = value;
  let raw = text;
  if (encoded !== undefined) {
    const decoded = typeof encoded === 'string' ? decodeBase64Text(encoded) : undefined;
    if (decoded === undefined)
      return { kind: 'reject', line, field: 'raw', reason: 'raw is not base64 text' };
    raw = decoded;
  }
  return eventItem(line, fields, raw, options);
}
