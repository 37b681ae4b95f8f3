import type { Event } from '../core/index.ts';
import type { IpInfo } from './ip-table.ts';

/** What enrichment needs of the IP table. */
export interface IpLookup {
  lookup(ip: string): IpInfo | undefined;
}

/** Where the table's answer goes, per side, and how a feed's value is compared with it. */
const fields = [
  { key: 'asn', pick: (info: IpInfo) => info.asn },
  { key: 'as_name', pick: (info: IpInfo) => info.asName },
  { key: 'network', pick: (info: IpInfo) => info.network },
  { key: 'geolocation.cc', pick: (info: IpInfo) => info.cc },
] as const;

/** The field names per side, made once: names built per event cost a string and its lookup each time. */
const sides = (['source', 'destination'] as const).map((side) => ({
  ip: `${side}.ip`,
  fields: fields.map(({ key, pick }) => ({
    field: `${side}.${key}`,
    extra: `extra.enrichment.${side}.${key}`,
    pick,
  })),
}));

function sameValue(feed: unknown, table: string | number): boolean {
  if (typeof table === 'number') return Number(feed) === table;
  return typeof feed === 'string' && feed.toLowerCase() === table.toLowerCase();
}

function isAbsent(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

/**
 * Fills `source.asn`, `source.as_name`, `source.network` and `source.geolocation.cc` from the IP table by
 * `source.ip`, and the same `destination.*` fields by `destination.ip`, where the feed gave none. A
 * feed's own value is kept; where the table says otherwise, the table's value is recorded beside it as
 * `extra.enrichment.<field>` (for instance `extra.enrichment.source.asn`), so an analyst can see both.
 * Text is compared without regard to case. Returns a new event; the given one is not changed.
 */
export function enrichEvent(table: IpLookup, event: Event): Event {
  const added = enrichmentOf(table, event);
  return added === undefined ? { ...event } : { ...event, ...added };
}

/** What `enrichEvent` adds to an event or replaces in it (a feed's empty value), or undefined for nothing. */
export function enrichmentOf(table: IpLookup, event: Event): Event | undefined {
  let added: Event | undefined;
  for (const side of sides) {
    const ip = event[side.ip];
    if (typeof ip !== 'string') continue;
    const info = table.lookup(ip);
    if (info === undefined) continue;
    for (const { field, extra, pick } of side.fields) {
      const value = pick(info);
      if (value === undefined) continue;
      const feed = event[field];
      if (isAbsent(feed)) (added ??= {})[field] = value;
      else if (!sameValue(feed, value)) (added ??= {})[extra] = value;
    }
  }
  return added;
}
