-- What the reporter asked for with a report (feed, Shadowserver report type, feed.name), so that a report
-- accepted over HTTP but not yet processed when the service stopped can be processed after a restart exactly
-- as it was asked.
alter table reports add column request jsonb not null default '{}'::jsonb;
