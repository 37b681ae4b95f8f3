-- Intake: who reports (sources and their API keys), what they submitted (reports, archived raw), and the
-- facts extracted (events, one row per distinct fact) with a sighting per report that contained them.

create table sources (
  name text primary key check (name ~ '^[a-z0-9][a-z0-9._-]{0,63}$'),
  description text not null default '',
  -- Admiralty source reliability (A completely reliable .. E unreliable, F cannot be judged).
  reliability char(1) not null default 'F' check (reliability in ('A', 'B', 'C', 'D', 'E', 'F')),
  -- The widest TLP the source allows its reports to be shared under (TLP 2.0 name).
  tlp text not null default 'AMBER' check (tlp in ('CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED')),
  created_at timestamptz not null default now()
);

create table api_keys (
  id uuid primary key,
  source text not null references sources (name),
  -- The key is `tocsin_<prefix>_<secret>`; the prefix finds the row, the secret is kept only as a hash.
  prefix text not null unique,
  secret_hash text not null,
  scopes text[] not null,
  description text not null default '',
  created_at timestamptz not null default now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);

create table reports (
  id uuid primary key,
  source text not null references sources (name),
  feed text not null,
  report_type text,
  file_name text,
  received_at timestamptz not null default now(),
  size_bytes bigint,
  sha256 text,
  status text not null default 'received'
    check (status in ('received', 'processing', 'processed', 'failed')),
  accepted integer not null default 0,
  duplicates integer not null default 0,
  rejected integer not null default 0,
  -- The first rejects, as {line, field, reason}; the counts above are complete.
  rejects jsonb not null default '[]'::jsonb,
  error text,
  finished_at timestamptz
);

create index reports_received_at_idx on reports (received_at);
create index reports_source_idx on reports (source, received_at);

-- The bytes as received, compressed, in parts, so a report of any size is archived without holding it in memory.
create table report_archives (
  report_id uuid not null references reports (id) on delete cascade,
  part integer not null,
  encoding text not null check (encoding in ('gzip', 'identity')),
  data bytea not null,
  primary key (report_id, part)
);

create table events (
  -- A hash of the event's normalised content (without time.observation and raw): one fact, one row.
  id uuid primary key,
  data jsonb not null,
  raw text,
  first_report_id uuid not null references reports (id),
  first_seen_at timestamptz not null,
  time_source timestamptz,
  source_ip inet,
  classification_type text,
  feed_name text
);

create index events_first_seen_at_idx on events (first_seen_at);
create index events_source_ip_idx on events (source_ip);

create table event_sightings (
  event_id uuid not null references events (id),
  report_id uuid not null references reports (id),
  observed_at timestamptz not null,
  line integer not null,
  primary key (event_id, report_id)
);

create index event_sightings_report_idx on event_sightings (report_id);
