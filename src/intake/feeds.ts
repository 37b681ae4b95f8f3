import { join } from 'node:path';
import { AppError } from '../core/index.ts';
import type { CsvMapping } from './parsers/csv-mapping.ts';
import { createGenericCsvParser } from './parsers/generic-csv.ts';
import { parseIntelmqEvents } from './parsers/intelmq.ts';
import { parseIdfJsonLines } from './parsers/jsonl.ts';
import { createShadowserverParser } from './parsers/shadowserver.ts';
import {
  loadShadowserverSchema,
  reportTypeFromFileName,
  type ShadowserverSchema,
} from './parsers/shadowserver-schema.ts';
import type { FeedParser } from './parsers/types.ts';

export const feedKinds = ['shadowserver', 'csv', 'intelmq', 'jsonl'] as const;
export type FeedKind = (typeof feedKinds)[number];

export function isFeedKind(value: string): value is FeedKind {
  return (feedKinds as readonly string[]).includes(value);
}

/** Where `tocsin feeds update-schema` installs Shadowserver's schema, as IntelMQ keeps it in its var dir. */
export function shadowserverSchemaPath(dataDir: string): string {
  return join(dataDir, 'shadowserver', 'intelmq.json');
}

export interface FeedSettings {
  shadowserverSchemaPath: string;
  mapping?: CsvMapping | undefined;
}

/**
 * Picks the parser for an input. Without `--feed`: a mapping means generic CSV; a Shadowserver file name
 * (`2026-01-01-scan_http-...csv`) means Shadowserver; `.jsonl`/`.ndjson` Tocsin's JSON lines; `.json` IntelMQ.
 */
export function detectFeed(fileName: string, hasMapping: boolean): FeedKind | undefined {
  if (hasMapping) return 'csv';
  const name = fileName.toLowerCase().replace(/\.(gz|zip)$/, '');
  if (/^\d{4}-\d{2}-\d{2}-[a-z0-9_]+.*\.csv$/.test(name)) return 'shadowserver';
  if (name.endsWith('.jsonl') || name.endsWith('.ndjson')) return 'jsonl';
  if (name.endsWith('.json')) return 'intelmq';
  return undefined;
}

export class FeedParsers {
  readonly #settings: FeedSettings;
  #schema: ShadowserverSchema | undefined;

  constructor(settings: FeedSettings) {
    this.#settings = settings;
  }

  /** The Shadowserver schema, read once per instance (it is 1–2 MB of JSON). */
  shadowserverSchema(): ShadowserverSchema {
    this.#schema ??= loadShadowserverSchema(this.#settings.shadowserverSchemaPath);
    return this.#schema;
  }

  parser(kind: FeedKind): FeedParser {
    switch (kind) {
      case 'shadowserver':
        return createShadowserverParser(this.shadowserverSchema());
      case 'csv': {
        const mapping = this.#settings.mapping;
        if (mapping === undefined) {
          throw new AppError('intake.unknown_feed', 'the csv feed needs a mapping file (--mapping FILE)');
        }
        return createGenericCsvParser(mapping);
      }
      case 'intelmq':
        return parseIntelmqEvents;
      case 'jsonl':
        return parseIdfJsonLines;
    }
  }

  /** The Shadowserver report type of a file, for the report record; undefined for other feeds. */
  reportType(kind: FeedKind, fileName: string, override: string | undefined): string | undefined {
    if (kind !== 'shadowserver') return undefined;
    return override ?? reportTypeFromFileName(this.shadowserverSchema(), fileName);
  }
}
