import { readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { AppError } from '../../core/index.ts';
import {
  detectFeed,
  FeedParsers,
  ingestFile,
  isFeedKind,
  parseCsvMapping,
  parseInWorker,
  shadowserverSchemaPath,
  smallReportBytes,
  type IngestProgress,
  type IngestResult,
} from '../../intake/index.ts';
import type { Command, CliIo } from '../command.ts';

export const ingestCommand: Command = {
  name: 'ingest',
  summary:
    'Read feed files (Shadowserver, CSV with a mapping, IntelMQ, JSON lines; .gz and .zip too) into events',
  usage:
    'FILE... [--feed shadowserver|csv|intelmq|jsonl] [--mapping FILE] [--source NAME] [--report TYPE] [--feed-name NAME] [--json]',
  description: [
    'Each file becomes a report; its events are stored once (a known event gets a new sighting).',
    'AS number, AS holder, network and country are filled from the bundled IP table where the feed has none.',
    'Without --feed the feed follows from the name: a mapping means csv, YYYY-MM-DD-<report>...csv means',
    'shadowserver, .jsonl/.ndjson means jsonl, .json means intelmq. --source defaults to the feed name.',
    '--report overrides the Shadowserver report type; --feed-name sets feed.name on every event.',
    'Exit 0 when every file was processed (even with rejected lines), 1 when a file could not be read.',
  ].join('\n'),
  options: {
    feed: { type: 'string' },
    mapping: { type: 'string' },
    source: { type: 'string' },
    report: { type: 'string' },
    'feed-name': { type: 'string' },
    json: { type: 'boolean' },
  },
  positionals: { min: 1, max: Number.POSITIVE_INFINITY },
  run: async ({ values, positionals }, context) => {
    const feed = values.feed as string | undefined;
    if (feed !== undefined && !isFeedKind(feed)) {
      throw new AppError('cli.usage', `--feed ${feed}: expected shadowserver, csv, intelmq or jsonl`);
    }
    const mappingFile = values.mapping as string | undefined;
    const mapping =
      mappingFile === undefined ? undefined : parseCsvMapping(readFileSync(mappingFile, 'utf8'), mappingFile);
    const config = context.config();
    const feeds = { shadowserverSchemaPath: shadowserverSchemaPath(config.dataDir), mapping };
    const parsers = new FeedParsers(feeds);
    // As the service does: a report larger than a few MB is parsed in a worker thread while this one stores.
    const parse = parseInWorker({
      feeds,
      ipTableCacheDir: join(config.dataDir, 'ip-table'),
      inThreadBelowBytes: smallReportBytes,
      workers: config.parseWorkers,
    });
    const store = await context.openStore();
    let failed = false;
    try {
      for (const file of positionals) {
        const path = resolve(file);
        let size: number;
        try {
          size = statSync(path).size;
        } catch {
          context.io.err(`${file}: no such file`);
          failed = true;
          continue;
        }
        const progress = createProgress(context.io, file, size);
        const result = await ingestFile(
          { store, parsers, parse, onProgress: progress.update },
          {
            path,
            fileName: basename(file),
            source:
              (values.source as string | undefined) ??
              feed ??
              detectFeed(basename(file), mapping !== undefined) ??
              'cli',
            feed,
            reportType: values.report as string | undefined,
            feedName: values['feed-name'] as string | undefined,
          },
        );
        progress.done();
        if (result.status === 'failed') failed = true;
        printResult(context.io, file, result, values.json === true);
      }
    } finally {
      await store.close();
    }
    return failed ? 1 : 0;
  },
};

function printResult(io: CliIo, file: string, result: IngestResult, json: boolean): void {
  if (json) {
    io.out(
      JSON.stringify({
        file,
        report: result.report,
        status: result.status,
        feed: result.feed ?? null,
        report_type: result.reportType ?? null,
        accepted: result.accepted,
        duplicates: result.duplicates,
        rejected: result.rejected,
        rejects: result.rejects,
        ...(result.error === undefined ? {} : { error: result.error }),
      }),
    );
    return;
  }
  if (result.status === 'failed') {
    io.err(`${file}: not processed: ${result.error ?? 'unknown error'} (report ${result.report})`);
    return;
  }
  io.out(
    `${file}: report ${result.report} (${result.feed ?? '?'}${result.reportType ? ` ${result.reportType}` : ''}): ` +
      `${result.accepted} accepted, ${result.duplicates} duplicates, ${result.rejected} rejected`,
  );
  for (const reject of result.rejects.slice(0, 10)) {
    const where = `${reject.file ? `${reject.file}:` : ''}${reject.line}`;
    io.out(`  line ${where}${reject.field ? ` [${reject.field}]` : ''}: ${reject.reason}`);
  }
  if (result.rejected > 10) io.out(`  ... ${result.rejected - 10} more (see --json or the report)`);
}

/** A status line on a terminal: bytes read, rows per second and the time left; nothing otherwise. */
function createProgress(io: CliIo, file: string, size: number) {
  const started = performance.now();
  let last = 0;
  return {
    update: (p: IngestProgress): void => {
      const status = io.status;
      if (status === undefined) return;
      const now = performance.now();
      if (now - last < 200) return;
      last = now;
      const seconds = (now - started) / 1000;
      const rows = p.accepted + p.duplicates + p.rejected;
      const rate = seconds > 0 ? Math.round(rows / seconds) : 0;
      const share = size > 0 ? Math.min(1, p.bytesRead / size) : 0;
      const eta = share > 0 ? Math.max(0, (seconds / share) * (1 - share)) : Number.NaN;
      const bar = '#'.repeat(Math.round(share * 20)).padEnd(20, '.');
      status(
        `${file} [${bar}] ${formatBytes(p.bytesRead)}/${formatBytes(size)} ${rate.toLocaleString('en-US')} rows/s` +
          (Number.isFinite(eta) ? ` ETA ${Math.ceil(eta)}s` : ''),
      );
    },
    done: (): void => {
      io.status?.('');
    },
  };
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}
