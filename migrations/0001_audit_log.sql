-- Every release of data (a warning sent, a feed served, an export) and every change an analyst makes is
-- recorded here: who, what, about which object, and the facts needed to answer for it later.
create table audit_log (
  id bigint generated always as identity primary key,
  at timestamptz not null default now(),
  actor text not null,
  action text not null,
  subject text,
  details jsonb not null default '{}'::jsonb
);

create index audit_log_at_idx on audit_log (at);
create index audit_log_subject_idx on audit_log (subject, at);
