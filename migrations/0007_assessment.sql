-- Assessment: every event is judged by a published, versioned framework; every judgement is a record with its
-- scores, decision, sharing labels and reasons. An analyst's override is a new record (who, why); history is
-- kept, and the event points at its current assessment.

-- Each framework version that judged something, as it was then: an old assessment stays explainable after the
-- framework file has moved on.
create table assessment_frameworks (
  version text primary key,
  -- The parsed rulebook (rules, texts, changelog) as JSON.
  rulebook jsonb not null,
  first_used_at timestamptz not null default now()
);

create table assessments (
  id bigint generated always as identity primary key,
  event_id uuid not null references events (id),
  framework_version text not null references assessment_frameworks (version),
  -- Admiralty code: source reliability A..F and information credibility 1..6.
  reliability char(1) not null check (reliability in ('A', 'B', 'C', 'D', 'E', 'F')),
  credibility smallint not null check (credibility between 1 and 6),
  severity text not null,
  decision text not null check (decision in ('notify', 'review', 'inform', 'reject')),
  tlp text not null check (tlp in ('CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED')),
  pap text not null check (pap in ('CLEAR', 'GREEN', 'AMBER', 'RED')),
  -- [{ruleId, text: {nl, en}}]: why, in both languages; never empty.
  reasons jsonb not null check (jsonb_typeof(reasons) = 'array' and jsonb_array_length(reasons) > 0),
  -- [{ruleId, why}]: the rules that matched and the values that made them match.
  fired jsonb not null default '[]'::jsonb,
  -- 'framework' for the automatic judgement, else the analyst who overrode it.
  assessed_by text not null default 'framework',
  override_reason text,
  -- What an analyst found the report to be; feeds the source's track record.
  outcome text check (outcome in ('confirmed', 'disputed', 'false-positive')),
  supersedes bigint references assessments (id),
  assessed_at timestamptz not null default now(),
  check (assessed_by = 'framework' or length(trim(coalesce(override_reason, ''))) > 0)
);

create index assessments_event_idx on assessments (event_id, id);

-- The assessment in force for each event.
create table event_assessments (
  event_id uuid primary key references events (id),
  assessment_id bigint not null references assessments (id),
  decision text not null,
  updated_at timestamptz not null default now()
);

create index event_assessments_decision_idx on event_assessments (decision, event_id);

-- A change of a source's reliability is recorded; it never rewrites past assessments (they keep theirs).
create table source_reliability_changes (
  id bigint generated always as identity primary key,
  source text not null references sources (name),
  previous char(1) not null,
  reliability char(1) not null check (reliability in ('A', 'B', 'C', 'D', 'E', 'F')),
  changed_by text not null,
  reason text not null check (length(trim(reason)) > 0),
  changed_at timestamptz not null default now()
);
