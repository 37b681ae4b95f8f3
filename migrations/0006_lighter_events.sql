-- Storing events wrote about 2 kB and checked three foreign keys per event; this makes the same facts cheaper
-- to write (measured in README "Figures"):

-- IntelMQ's `raw` of a CSV event is the file's header line, a line break and the record's own line. The header
-- is the same for every row of a file and was a third of `raw`: it is kept once here, and an event that names
-- one holds only its own line in `raw` (the full text is the header, "\n", then `raw`).
create table raw_headers (
  -- A hash of the text: the same header, from any report, is one row.
  id uuid primary key,
  text text not null
);

alter table events add column raw_header uuid references raw_headers (id);

-- The IDF record as `json`: PostgreSQL checks it and keeps the text, where `jsonb` converted every record
-- into its binary form (a sixth of the cost of storing an event). Nothing queries inside it in SQL; readers
-- get the same object, keys in the order the parser wrote them.
alter table events alter column data type json using data::json;

-- A sighting's event is checked by the code that writes both, in the same transaction (the event first);
-- events are never deleted. The per-row check locked every new event's row again, which cost as much as
-- writing the event.
alter table event_sightings drop constraint event_sightings_event_id_fkey;
