-- Event records in compressed chunks. An event's IDF record and its raw text were a json and a text column
-- of about 1.3 kB per event; writing them cost PostgreSQL three quarters of the time of storing an event,
-- and a daily Shadowserver file holds hundreds of thousands of them. Records never change once written, so
-- they are now kept the way column stores keep immutable rows: a batch's records go into one chunk,
-- compressed (zstd) by the writer, and each event row names its chunk and its place in it. The events table
-- keeps what SQL selects and joins on (id, report, time, address, type, feed). Measured in README "Figures".
--
-- A chunk's `records` is either a zstd frame or, for the chunks this migration makes from the rows stored
-- before it, plain text; either way its content is JSON lines, line i being `[record, raw]` for chunk index i
-- (see src/intake/event-records.ts).
create table event_chunks (
  id uuid primary key,
  report_id uuid not null references reports (id),
  records bytea not null
);

-- Compressed already: PostgreSQL stores the bytes out of line without compressing them again.
alter table event_chunks alter column records set storage external;

alter table events add column chunk_id uuid;
alter table events add column chunk_index integer;

-- What the notification scheduler reads of an event in SQL is kept with each directive instead: its
-- finding (src/core/event/finding.ts: the same problem on the same system) and its feed's provider.
alter table directives add column finding text;
alter table directives add column feed_provider text;
update directives d
set finding = concat_ws('|',
      coalesce(e.data::jsonb->>'classification.identifier', e.data::jsonb->>'classification.type', ''),
      coalesce(e.data::jsonb->>'source.ip', e.data::jsonb->>'source.fqdn', e.data::jsonb->>'source.url', ''),
      coalesce(e.data::jsonb->>'source.port', '')),
    feed_provider = e.data::jsonb->>'feed.provider'
from events e
where e.id = d.event_id;
alter table directives alter column finding set not null;

-- Each record stored before this migration becomes a chunk of its own, uncompressed, whose id is the event's.
insert into event_chunks (id, report_id, records)
select id, first_report_id, convert_to(json_build_array(data, raw)::text, 'UTF8') from events;
update events set chunk_id = id, chunk_index = 0;
alter table events alter column chunk_id set not null;
alter table events alter column chunk_index set not null;
alter table events drop column data;
alter table events drop column raw;

-- Records are read chunk by chunk: pages of events go in first-seen order and, within it, in chunk order
-- (chunk ids are time-ordered, so this is the order they were written in); a report's events in line order.
drop index events_first_seen_at_idx;
create index events_seen_chunk_idx on events (first_seen_at, chunk_id, chunk_index);
drop index event_sightings_report_idx;
create index event_sightings_report_line_idx on event_sightings (report_id, line);

-- The writer stores a report before its events, and a chunk and a header before the events that name them,
-- in the same transaction; none of them is ever deleted. A foreign key checked every new event row again,
-- which cost more than the row itself (measured: 11.1 µs a row with the two checks, 5.2 µs without).
alter table events drop constraint events_first_report_id_fkey;
alter table events drop constraint events_raw_header_fkey;
alter table event_sightings drop constraint event_sightings_report_id_fkey;
