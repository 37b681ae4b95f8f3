-- Tickets: one per warning sent (or to be sent), numbered YYYYMMDD-NNNNNNNN. The number comes from a counter
-- row per day, taken with one atomic upsert, so processes that number tickets at the same time never share
-- one. Every change of state is recorded.

create table ticket_days (
  day date primary key,
  last_number integer not null check (last_number between 1 and 99999999)
);

create table tickets (
  id text primary key check (id ~ '^[0-9]{8}-[0-9]{8}$'),
  desk text not null,
  recipient text not null,
  template text not null,
  aggregation_key text not null,
  tlp text not null check (tlp in ('CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED')),
  language text not null check (language in ('nl', 'en')),
  state text not null default 'queued' check (
    state in ('queued', 'sending', 'sent', 'retrying', 'failed', 'bounced', 'acknowledged', 'resolved', 'disputed')
  ),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create index tickets_recipient_idx on tickets (recipient, template, aggregation_key, created_at);
create index tickets_state_idx on tickets (state, updated_at);

-- The events a ticket tells its recipient about, with the directive that asked for each.
create table ticket_events (
  ticket_id text not null references tickets (id),
  event_id uuid not null references events (id),
  directive_id bigint references directives (id),
  primary key (ticket_id, event_id)
);

create index ticket_events_event_idx on ticket_events (event_id);

create table ticket_transitions (
  id bigint generated always as identity primary key,
  ticket_id text not null references tickets (id),
  from_state text,
  to_state text not null,
  -- 'system', an analyst, or the recipient who clicked a link.
  actor text not null,
  detail text,
  at timestamptz not null default now()
);

create index ticket_transitions_ticket_idx on ticket_transitions (ticket_id, id);
