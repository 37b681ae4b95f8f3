-- E-mail intake: every message that reached the SMTP listener or the polled IMAP mailbox, kept as received
-- (gzip-compressed) with what became of it. Mail from a sender that is not on the allow-list, or whose
-- envelope sender does not match its From address, waits here as `quarantined` for an analyst, who releases
-- it (ingested as if from a named source) or discards it; nothing is ever dropped unseen.
create table mail_messages (
  id uuid primary key,
  received_at timestamptz not null default now(),
  channel text not null check (channel in ('smtp', 'imap')),
  -- The connecting client (SMTP) or the mailbox (IMAP), for the record; never trusted.
  remote_address text,
  envelope_from text,
  envelope_to jsonb not null default '[]'::jsonb,
  header_from text,
  subject text,
  message_id text,
  size_bytes integer not null,
  -- SHA-256 of the message as received: the same message fetched twice (IMAP after a crash) is one row.
  sha256 text not null,
  raw bytea not null,
  status text not null check (status in ('accepted', 'quarantined', 'released', 'discarded')),
  -- The source the message was ingested as (allow-listed sender, or the analyst's choice on release).
  source text references sources (name),
  -- Why it was quarantined (or what was skipped when accepted), in words.
  reason text,
  -- The sender checks made: From and envelope domains, whether they agree, attachments seen and skipped.
  checks jsonb not null default '{}'::jsonb,
  report_ids jsonb not null default '[]'::jsonb,
  decided_by text,
  decided_at timestamptz,
  decision_reason text
);

create index mail_messages_status_idx on mail_messages (status, received_at);
create index mail_messages_sha256_idx on mail_messages (sha256);
