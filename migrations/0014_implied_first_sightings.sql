-- A report's sighting of an event it stored first is implied by the event row: storing a new event wrote a
-- sighting row as well, with two index entries, which cost PGlite as much as the event row itself (1,000,000
-- `scan_http` rows: 15.1 s of 43 s) and PostgreSQL two fifths of its share. The sighting rows proper now hold
-- only the sightings an event row does not imply (a report seeing a known event, or seeing one it stored
-- first after it was reset), and `event_sightings` is a view of both, so what reads sightings reads them as
-- before. Events stored before this migration keep their sighting rows (`first_sighted` false).
alter table event_sightings rename to event_sighting_rows;
alter table events add column first_line integer;
alter table events add column first_sighted boolean not null default false;
-- A report's events in line order, as `event_sighting_rows` has them by (report_id, line).
create index events_first_report_line_idx on events (first_report_id, first_line) where first_sighted;

create view event_sightings as
  select id as event_id, first_report_id as report_id, first_seen_at as observed_at, first_line as line
  from events where first_sighted
  union all
  select event_id, report_id, observed_at, line from event_sighting_rows;
