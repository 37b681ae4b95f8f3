-- No query selects events by `source_ip` (it is read as a column only), yet every stored event added an
-- entry to this index. COPYing the same 1,000,000 `scan_http` event rows into a copy of `events` on
-- PostgreSQL 15, four pairs of runs: 14.7-16.2 s with it, 12.8-15.1 s without (0.3-2.1 s less in each
-- pair, about a tenth of the server's share of an ingest); on PGlite 4-11 % of the ingesting thread's COPY.
-- The benchmark's addresses come in order; a real feed's are scattered, which costs a B-tree more. A search
-- by address, when it comes, wants a GiST index for prefixes (`inet_ops`, `<<=`) rather than this one.
drop index events_source_ip_idx;
