/**
 * The report processor as `tocsin serve` runs it: feed parsers, enrichment from the bundled IP table, and
 * after each report the stages after intake (owner, assessment, routing). Built here rather than in
 * `main.ts` so that a command (`tocsin demo`) can build the same one without importing the composition root.
 */
import { join } from 'node:path';
import type { Framework } from '../assessment/index.ts';
import { enrichmentOf, loadIpTable } from '../enrichment/index.ts';
import {
  FeedParsers,
  parseInWorker,
  ReportProcessor,
  shadowserverSchemaPath,
  smallReportBytes,
  type Enricher,
} from '../intake/index.ts';
import type { Config } from '../platform/config.ts';
import type { Store } from '../platform/db/index.ts';
import type { Logger } from '../platform/log.ts';
import { loadOwnerDirectory, OwnerIndex, type RoutingProfile } from '../routing/index.ts';
import { processStoredEvents } from './process-events.ts';

export async function createReportProcessor(
  config: Config,
  log: Logger,
  store: Store,
  afterReport?: (reportId: string) => Promise<void>,
): Promise<ReportProcessor> {
  const feeds = { shadowserverSchemaPath: shadowserverSchemaPath(config.dataDir) };
  // A report larger than a few MB is parsed and enriched in a worker thread while this thread stores it.
  const parse = parseInWorker({
    feeds,
    ipTableCacheDir: join(config.dataDir, 'ip-table'),
    inThreadBelowBytes: smallReportBytes,
    workers: config.parseWorkers,
  });
  return new ReportProcessor({ store, parsers: new FeedParsers(feeds), parse }, log, afterReport);
}

/** Fills AS, network and country from the bundled IP table (cached in the data directory after the first load). */
export async function createEnricher(config: Config): Promise<Enricher> {
  const table = await loadIpTable({ cacheDir: join(config.dataDir, 'ip-table') });
  return (event) => enrichmentOf(table, event);
}

/** The hook run after each processed report: its events resolved, assessed and routed. */
export function assessAndRouteAfterReport(deps: {
  store: Store;
  log: Logger;
  homeCountry: string;
  profile: RoutingProfile;
  framework: Framework;
}): (reportId: string) => Promise<void> {
  const { store, log, homeCountry, profile, framework } = deps;
  return async (reportId) => {
    // The directory may have changed since the last report: read it for each one.
    const index = new OwnerIndex(await loadOwnerDirectory(store, homeCountry));
    const result = await processStoredEvents({ store, index, profile, framework }, { reportId });
    log.info({ report: reportId, ...result }, 'report assessed and routed');
  };
}
