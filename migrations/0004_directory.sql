-- Directory: who Tocsin warns. Organisations with their network objects (ASNs, CIDRs, domains) and
-- contacts, what link organisations serve, national CERTs by country, and the desks that send.
-- Every organisation, network object, contact and link row has a source: 'manual' (entered by the CERT,
-- from `tocsin directory import`) or 'import:<name>' (a re-runnable registry import such as RIPE's). An
-- import replaces its own rows by name and never touches manual ones; manual entries win over imported
-- ones (the effective_netobjects view).

create table organisations (
  -- Manual: a slug chosen by the operator (no ':'); imported: '<import name>:<registry handle>'.
  id text primary key,
  name text not null,
  -- A registration number (KvK for Dutch organisations) or the registry handle of an imported one.
  registry_id text,
  -- Null for organisations from a registry import: network holders, not constituents.
  constituency text check (
    constituency in ('vital', 'central-government', 'digital-service-provider', 'other-business',
                     'link-organisation', 'foreign-cert')
  ),
  -- NIS2 (EU 2022/2555) entity class, Annex I/II sector and subsector; null when not classified.
  nis2_class text check (nis2_class in ('essential', 'important', 'none')),
  nis2_sector text,
  nis2_subsector text,
  country char(2) check (country ~ '^[A-Z]{2}$'),
  languages text[] not null default '{}',
  -- The widest TLP (2.0) that may be sent to this organisation.
  tlp_ceiling text check (tlp_ceiling in ('CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED')),
  source text not null check (source = 'manual' or source ~ '^import:[a-z0-9][a-z0-9._-]{0,63}$'),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check ((source = 'manual') = (strpos(id, ':') = 0))
);

create index organisations_source_idx on organisations (source);

create table netobjects (
  id bigint generated always as identity primary key,
  -- Deferred: a registry import writes network objects before the organisations they name.
  organisation_id text references organisations (id) on delete cascade deferrable initially deferred,
  kind text not null check (kind in ('asn', 'cidr', 'domain')),
  -- Canonical text: 'AS64496', '192.0.2.0/24' or '2001:db8::/32' (RFC 5952), 'example.nl' (lower case).
  value text not null,
  asn bigint check (asn between 0 and 4294967295),
  cidr cidr,
  status text not null check (status in ('claimed', 'approved')),
  source text not null check (source = 'manual' or source ~ '^import:[a-z0-9][a-z0-9._-]{0,63}$'),
  -- netname or as-name of a registry object; a note for a manual one.
  name text,
  country char(2) check (country ~ '^[A-Z]{2}$'),
  -- The abuse mailbox a registry gives for this object (its own abuse-c, else its organisation's).
  abuse_email text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check ((kind = 'asn') = (asn is not null)),
  check ((kind = 'cidr') = (cidr is not null))
);

-- One manual owner per value; imports may repeat a value (a registry can), they are replaced as a whole.
create unique index netobjects_manual_value_key on netobjects (kind, value) where source = 'manual';
create index netobjects_value_idx on netobjects (kind, value);
create index netobjects_source_idx on netobjects (source);
create index netobjects_organisation_idx on netobjects (organisation_id);
-- Longest-prefix match is done in memory (enrichment); btree serves equality and range scans.
create index netobjects_cidr_idx on netobjects (cidr);
create index netobjects_asn_idx on netobjects (asn);

create table contacts (
  id bigint generated always as identity primary key,
  organisation_id text not null references organisations (id) on delete cascade deferrable initially deferred,
  email text not null,
  name text,
  roles text[] not null check (
    cardinality(roles) > 0 and roles <@ array['abuse', 'ciso', '24x7', 'notifications']::text[]
  ),
  language text check (language ~ '^[a-z]{2,3}$'),
  -- ASCII-armoured OpenPGP public key.
  openpgp_key text,
  active boolean not null default true,
  source text not null check (source = 'manual' or source ~ '^import:[a-z0-9][a-z0-9._-]{0,63}$'),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (organisation_id, email)
);

create index contacts_source_idx on contacts (source);

-- Which organisations, or which whole NIS2 sectors, a link organisation informs.
create table link_organisation_serves (
  id bigint generated always as identity primary key,
  link_organisation_id text not null references organisations (id) on delete cascade,
  organisation_id text references organisations (id) on delete cascade,
  sector text,
  source text not null check (source = 'manual' or source ~ '^import:[a-z0-9][a-z0-9._-]{0,63}$'),
  created_at timestamptz not null default now(),
  check ((organisation_id is null) <> (sector is null))
);

create unique index link_organisation_serves_organisation_key
  on link_organisation_serves (link_organisation_id, organisation_id) where organisation_id is not null;
create unique index link_organisation_serves_sector_key
  on link_organisation_serves (link_organisation_id, sector) where sector is not null;

-- The CERT that is told about systems in a country; its name, contacts and key are its organisation's.
create table national_certs (
  country char(2) primary key check (country ~ '^[A-Z]{2}$'),
  organisation_id text not null references organisations (id) on delete cascade,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

-- Senders: several desks (NCSC, CSIRT-DSP, DTC) may stand behind one outward identity.
create table desks (
  id text primary key check (id ~ '^[a-z0-9][a-z0-9._-]{0,63}$'),
  name text not null,
  identity_name text not null,
  identity_email text not null,
  -- The constituencies whose organisations this desk warns.
  constituencies text[] not null default '{}' check (
    constituencies <@ array['vital', 'central-government', 'digital-service-provider', 'other-business',
                            'link-organisation', 'foreign-cert']::text[]
  ),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

-- The last run of each named registry import, with its counts.
create table directory_imports (
  name text primary key check (name ~ '^[a-z0-9][a-z0-9._-]{0,63}$'),
  kind text not null check (kind in ('ripe')),
  files text[] not null,
  country char(2),
  imported_at timestamptz not null default now(),
  counts jsonb not null default '{}'::jsonb
);

-- Network objects as routing sees them: one row per (kind, value); a manual entry wins over any import,
-- then the most recently written import.
create view effective_netobjects as
select distinct on (kind, value)
  id, organisation_id, kind, value, asn, cidr, status, source, name, country, abuse_email, created_at,
  updated_at
from netobjects
order by kind, value, (source = 'manual') desc, updated_at desc, id desc;
