-- The outbox: every message is written here before it is sent, and its delivery state moves with each
-- attempt. A message is claimed for sending with a lease (committed before the SMTP conversation starts);
-- a sender that dies after the server accepted a message but before recording it leaves the row `sending`,
-- and once the lease has run out the message is sent again, once, with the same Message-ID.

create table outbox (
  id bigint generated always as identity primary key,
  ticket_id text references tickets (id),
  message_id text not null unique,
  from_address text not null,
  to_address text not null,
  -- The recipient's mail domain, for per-domain rate limits.
  to_domain text not null,
  subject text not null,
  body_text text not null,
  body_html text,
  -- [{filename, contentType, content}] with the content as text.
  attachments jsonb not null default '[]'::jsonb,
  state text not null default 'queued' check (state in ('queued', 'sending', 'sent', 'retrying', 'failed', 'bounced')),
  attempts integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  lease_until timestamptz,
  last_response text,
  created_at timestamptz not null default now(),
  sent_at timestamptz
);

create index outbox_due_idx on outbox (state, next_attempt_at);
