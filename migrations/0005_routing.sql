-- Routing: who owns each event's system (the layer of owner resolution that answered) and the directives
-- (one warning to make) that a routing profile made of it. Routing is idempotent: a directive is unique per
-- (event, recipient, template), and an event's owner row is replaced when it is routed again.

create table event_owners (
  event_id uuid primary key references events (id),
  layer text not null check (layer in ('end-user', 'network-owner', 'national-cert', 'unresolved')),
  -- The organisation (or 'abuse:<mailbox>' of a registry import, or 'cert:<cc>') that answered.
  owner text,
  -- The netobject that matched: '192.0.2.0/24', 'example.nl', 'AS64496'.
  netobject text,
  -- Why nothing answered, for an unresolved event.
  reason text,
  resolved_at timestamptz not null default now()
);

create index event_owners_owner_idx on event_owners (owner);

create table directives (
  id bigint generated always as identity primary key,
  event_id uuid not null references events (id),
  desk text not null,
  channel text not null check (channel in ('direct', 'via-link-organisation', 'foreign-cert')),
  recipient text not null,
  recipient_role text not null check (recipient_role in ('end-user', 'network-owner', 'national-cert')),
  on_behalf_of text,
  template text not null,
  -- ISO-8601 duration between notifications of the same aggregate.
  notify_interval text not null,
  aggregation_key text not null,
  rule text not null,
  profile text not null,
  profile_version integer not null,
  -- The written reason a rule warns an organisation directly although a link organisation serves it.
  justification text,
  created_at timestamptz not null default now(),
  unique (event_id, recipient, template)
);

create index directives_recipient_idx on directives (recipient, template, aggregation_key);
create index directives_created_at_idx on directives (created_at);
