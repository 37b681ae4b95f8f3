import {
  decodeBase64Text,
  eventItem,
  isJsonObject,
  jsonFeedParser,
  type JsonRecord,
} from './json-records.ts';
import type { FeedParser, ParseItem, ParseOptions } from './types.ts';

/**
 * IntelMQ events (`--feed intelmq`), as IntelMQ's file output and JSON parser exchange them: JSON Lines or
 * one JSON array of events with dotted keys, or IntelMQ's hierarchical rendering (`{"source": {"ip": ...}}`),
 * which is flattened except below `extra`, whose values are free JSON. `extra` may also arrive as a JSON
 * string (IntelMQ serialises it that way in some outputs). `raw` is base64 and is decoded into the
 * ParsedEvent; without one, the record's own text stands in, as IntelMQ's JSON parser does.
 */
export const parseIntelmqEvents: FeedParser = jsonFeedParser(intelmqItem);

// IDF paths are at most four levels deep (source.geolocation.cc); anything far deeper is not an event.
const maxDepth = 8;

type Flattened = { ok: true; fields: Record<string, unknown> } | { ok: false; field: string; reason: string };

function intelmqItem(record: JsonRecord, options: ParseOptions): ParseItem {
  const { line, value } = record;
  const type = value.__type;
  if (type === 'Report') {
    return {
      kind: 'reject',
      line,
      field: '__type',
      reason: 'an IntelMQ Report, not an Event: parse the report with the feed it came from',
    };
  }
  let raw = record.text;
  if (value.raw !== undefined) {
    const decoded = typeof value.raw === 'string' ? decodeBase64Text(value.raw) : undefined;
    if (decoded === undefined)
      return { kind: 'reject', line, field: 'raw', reason: 'raw is not base64 text' };
    raw = decoded;
  }
  const flattened = flattenIntelmq(value);
  if (!flattened.ok) return { kind: 'reject', line, field: flattened.field, reason: flattened.reason };
  return eventItem(line, flattened.fields, raw, options);
}

/** Dotted keys from nested objects; `extra` (object or JSON string) becomes `extra.<key>` with its values kept. */
export function flattenIntelmq(value: Record<string, unknown>): Flattened {
  const fields: Record<string, unknown> = {};
  let problem: { field: string; reason: string } | undefined;
  const set = (name: string, fieldValue: unknown): void => {
    if (name in fields) problem ??= { field: name, reason: `${name} is given twice` };
    fields[name] = fieldValue;
  };
  const walk = (object: Record<string, unknown>, prefix: string, depth: number): void => {
    for (const [key, fieldValue] of Object.entries(object)) {
      if (problem !== undefined) return;
      const name = prefix === '' ? key : `${prefix}.${key}`;
      // Not event fields: the message type, raw (decoded apart), and the rendering IntelMQ outputs keep.
      if (prefix === '' && (key === '__type' || key === 'raw' || key === 'output')) continue;
      if (name === 'extra') {
        const extra = extraObject(fieldValue);
        if (extra === undefined) {
          problem = { field: 'extra', reason: 'extra is neither a JSON object nor a string holding one' };
          return;
        }
        for (const [extraKey, extraValue] of Object.entries(extra)) set(`extra.${extraKey}`, extraValue);
      } else if (!name.startsWith('extra.') && isJsonObject(fieldValue)) {
        if (depth >= maxDepth) {
          problem = { field: name, reason: `${name} is nested deeper than ${maxDepth} levels` };
          return;
        }
        walk(fieldValue, name, depth + 1);
      } else set(name, fieldValue);
    }
  };
  walk(value, '', 0);
  return problem === undefined ? { ok: true, fields } : { ok: false, ...problem };
}

function extraObject(value: unknown): Record<string, unknown> | undefined {
  if (isJsonObject(value)) return value;
  if (typeof value !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    return isJsonObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}
