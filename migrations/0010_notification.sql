-- Notification: whether and when each directive was told to its recipient, and what each recipient was
-- told about each finding, so the scheduler can tell new findings from ones already reported, honour the
-- interval, and re-notify on relapse or a rise in severity; what each
-- ticket was about (severity, the number of events); and every response a recipient gave through the
-- signed links in a warning (acknowledged, resolved, disputed), whether or not it changed the ticket.

alter table directives add column told_at timestamptz;
alter table directives add column told_ticket text references tickets (id);
alter table directives add column told_severity text;

-- What each recipient was last told about each finding: the same problem on the same system (the
-- classification, the address or name, the port), whatever event reported it. A new day's scan makes new
-- events of the same findings; this is how the scheduler knows they were told already, and when.
create table notified_findings (
  recipient text not null,
  template text not null,
  finding text not null,
  ticket_id text not null references tickets (id),
  told_at timestamptz not null,
  severity text not null,
  primary key (recipient, template, finding)
);

create index directives_untold_idx on directives (created_at) where told_at is null;
create index directives_told_idx on directives (told_at) where told_at is not null;

alter table tickets add column severity text not null default 'info'
  check (severity in ('info', 'low', 'medium', 'high', 'critical'));
alter table tickets add column event_count integer not null default 0;
-- Why the ticket was made: a first warning, a reminder of events still seen, a relapse, a rise in severity.
alter table tickets add column reason text not null default 'new'
  check (reason in ('new', 'reminder', 'relapse', 'severity'));

create table ticket_responses (
  id bigint generated always as identity primary key,
  ticket_id text not null references tickets (id),
  action text not null check (action in ('acknowledge', 'resolved', 'dispute')),
  -- The mailbox the signed link was sent to.
  contact text not null,
  comment text,
  remote_address text,
  user_agent text,
  -- Whether the response moved the ticket (false: e.g. acknowledged twice, or already resolved).
  moved boolean not null,
  at timestamptz not null default now()
);

create index ticket_responses_ticket_idx on ticket_responses (ticket_id, id);
