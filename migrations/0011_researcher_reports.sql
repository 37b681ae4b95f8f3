-- The reporting point's web form: a researcher's report (coordinated vulnerability disclosure), linked to the
-- intake report its targets became, with evidence attachments, a secret status link (only its SHA-256 is
-- kept) and the messages between the reporter and the analysts. The reporter's contact details live here
-- only, apart from the events, so that they are never shared with the finding.

create table researcher_reports (
  id uuid primary key,
  -- What the reporter quotes: R-YYYYMMDD-XXXXXX.
  tracking_id text not null unique check (tracking_id ~ '^R-[0-9]{8}-[0-9A-Z]{6}$'),
  -- The intake report whose events the targets became (same pipeline as the feeds).
  report_id uuid not null unique references reports (id),
  status_token_hash text not null unique check (status_token_hash ~ '^[0-9a-f]{64}$'),
  language text not null check (language in ('nl', 'en')),
  classification_type text not null,
  -- [{line, kind, value}] as validated: kind is ip, fqdn, url or network.
  targets jsonb not null check (jsonb_typeof(targets) = 'array' and jsonb_array_length(targets) > 0),
  description text not null,
  steps text not null default '',
  observed_at timestamptz,
  -- The reporter's answers to the NCSC likelihood (10, each 1..4) and damage (5, low/medium/high) questions.
  likelihood_answers jsonb,
  damage_answers jsonb,
  requested_tlp text not null check (requested_tlp in ('CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED')),
  reporter_name text,
  reporter_email text,
  reporter_pgp_key text,
  consent_at timestamptz not null,
  created_at timestamptz not null default now()
);

create index researcher_reports_created_idx on researcher_reports (created_at);

create table researcher_report_attachments (
  id bigint generated always as identity primary key,
  researcher_report_id uuid not null references researcher_reports (id),
  -- The reporter's file name, neutralised: no directories, only safe characters.
  file_name text not null,
  -- The type found by sniffing the bytes, never the type the browser claimed.
  media_type text not null,
  size_bytes integer not null check (size_bytes between 0 and 10485760),
  sha256 text not null,
  data bytea not null,
  created_at timestamptz not null default now()
);

create index researcher_report_attachments_report_idx on researcher_report_attachments (researcher_report_id);

create table researcher_report_messages (
  id bigint generated always as identity primary key,
  researcher_report_id uuid not null references researcher_reports (id),
  author text not null check (author in ('reporter', 'analyst')),
  body text not null check (length(trim(body)) > 0),
  created_at timestamptz not null default now()
);

create index researcher_report_messages_report_idx on researcher_report_messages (researcher_report_id, id);

-- Submissions per client address and hour, shared by every process on the database. The address is kept
-- only as a keyed HMAC (an IP address is personal data); windows older than a day are deleted.
create table report_form_rate_limits (
  address_hash text not null,
  window_start timestamptz not null,
  submissions integer not null default 0,
  primary key (address_hash, window_start)
);

create index report_form_rate_limits_window_idx on report_form_rate_limits (window_start);
