/**
 * Coverage of the published schema: every report type of Shadowserver's `intelmq.json` parses one row built
 * from its CSV columns as `reports.json` lists them, with a plausible value per column chosen by the
 * conversion and field the schema maps the column to. The row must give one event whose classification is
 * the schema's constant one, with every required field filled.
 */
import { expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { corpusPath, describeCorpus, hasCorpus, shadowserverSchemaPath } from '../../../test/corpus.ts';
import { sanitiseField, taxonomyOfType, type Event } from '../../core/index.ts';
import { createShadowserverParser } from './shadowserver.ts';
import {
  loadShadowserverSchema,
  type ShadowserverFieldMapping,
  type ShadowserverReport,
} from './shadowserver-schema.ts';
import type { ParseItem } from './types.ts';

const schemaParts = ['shadowserver-report_schema', 'intelmq.json'];
const reportsParts = ['shadowserver-report_schema', 'reports.json'];

interface ReportColumns {
  fields: string[];
}

const classificationKeys = [
  'classification.taxonomy',
  'classification.type',
  'classification.identifier',
] as const;

/** A plausible value for a column, from the mappings that read it (the first that decides, wins). */
function sampleValue(mappings: readonly ShadowserverFieldMapping[], header: ReadonlySet<string>): string {
  const conversions = new Set(mappings.map((mapping) => mapping.conversion));
  const keys = mappings.map((mapping) => (typeof mapping.key === 'string' ? mapping.key : ''));
  const has = (conversion: string): boolean => conversions.has(conversion as never);
  const keyEnds = (suffix: string): boolean => keys.some((key) => key.endsWith(suffix));
  if (
    has('add_UTC_to_timestamp') ||
    has('convert_date') ||
    has('convert_date_utc') ||
    keyEnds('time.source')
  ) {
    return '2024-05-01 01:02:03';
  }
  if (has('validate_ip'))
    return keys.some((key) => key.startsWith('destination.')) ? '198.51.100.20' : '192.0.2.10';
  if (has('validate_network')) return '192.0.2.0/24';
  // scan_exchange reads its classification and product.vulnerabilities from one tag column.
  if (has('extract_cve_from_tag')) return 'cve-2021-26855;exchange';
  if (has('convert_bool')) return 'Y';
  if (has('convert_float')) return '1.5';
  if (has('convert_int') || has('invalidate_zero')) {
    if (keyEnds('.asn') || keyEnds('_asn')) return '64500';
    if (keyEnds('.port') || keyEnds('_port')) return '443';
    return '7';
  }
  if (has('validate_fqdn')) return 'www.example.net';
  // IntelMQ's convert_http_host_and_url puts the host of these columns before the path, when there is one.
  if (has('convert_http_host_and_url')) {
    const hostColumns = ['cc_dns', 'http_host', 'hostname', 'ip'];
    return hostColumns.some((column) => header.has(column))
      ? '/index.html'
      : 'http://www.example.net/index.html';
  }
  if (has('force_base64')) return 'aGVsbG8gd29ybGQ=';
  if (keyEnds('geolocation.cc')) return 'NL';
  if (keyEnds('geolocation.region')) return 'NOORD-HOLLAND';
  if (keyEnds('geolocation.city')) return 'AMSTERDAM';
  if (keyEnds('reverse_dns') || keyEnds('.fqdn')) return 'host-1.example.net';
  if (keyEnds('.url')) return 'http://www.example.net/login.php';
  if (keyEnds('hash.md5')) return '0123456789abcdef0123456789abcdef';
  if (keyEnds('hash.sha1')) return '0123456789abcdef0123456789abcdef01234567';
  if (keyEnds('hash.sha256')) return '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';
  if (keyEnds('protocol.transport')) return 'tcp';
  if (keyEnds('protocol.application')) return 'http';
  if (keyEnds('severity')) return 'medium';
  if (keyEnds('product.vulnerabilities')) return 'CVE-2021-26855';
  return 'example-value';
}

/** A schema constant as the IDF field holds it (`protocol.application` is lower-case, for one). */
function asIdf(key: string, value: unknown): unknown {
  const result = sanitiseField(key, value);
  if (!result.ok) throw new Error(`the schema's constant ${key}=${String(value)} is no valid IDF value`);
  return result.value;
}

function csvQuote(value: string): string {
  return `"${value.replaceAll('"', '""')}"`;
}

/** A header and one row for a report, from its columns in `reports.json`. */
function sampleCsv(report: ShadowserverReport, columns: readonly string[]): string {
  const mappings = [...report.requiredFields, ...report.optionalFields];
  const header = new Set(columns);
  const values = columns.map((column) =>
    sampleValue(
      mappings.filter((mapping) => mapping.column === column),
      header,
    ),
  );
  return `${columns.map(csvQuote).join(',')}\n${values.map(csvQuote).join(',')}\n`;
}

describeCorpus('Shadowserver schema coverage', schemaParts, () => {
  describeCorpus('every report type parses a row built from its reports.json columns', reportsParts, () => {
    const schema = hasCorpus(...schemaParts) ? loadShadowserverSchema(shadowserverSchemaPath) : undefined;
    const columnsByReport: Record<string, ReportColumns | undefined> = hasCorpus(...reportsParts)
      ? (JSON.parse(readFileSync(corpusPath(...reportsParts), 'utf8')) as Record<string, ReportColumns>)
      : {};
    const reports = schema === undefined ? [] : [...schema.reports.values()];
    const parse = schema === undefined ? undefined : createShadowserverParser(schema);

    it('covers Shadowserver’s report types (about 170, DOMAIN.md §3)', () => {
      expect(reports.length).toBeGreaterThanOrEqual(170);
      expect(Object.keys(columnsByReport).sort()).toEqual(reports.map((report) => report.fileName).sort());
    });

    it.each(reports.map((report) => [report.fileName, report] as const))('%s', async (fileName, report) => {
      if (parse === undefined) throw new Error('no schema');
      const columns = columnsByReport[fileName]?.fields;
      expect(columns, `reports.json has no columns for ${fileName}`).toBeDefined();
      const items: ParseItem[] = [];
      const input = (async function* () {
        yield sampleCsv(report, columns ?? []);
      })();
      for await (const batch of parse(input, {
        fileName: `2024-05-01-${fileName}-example-asn.csv`,
        observationTime: '2024-05-02T00:00:00Z',
      })) {
        items.push(...batch);
      }
      expect(items.filter((item) => item.kind === 'reject')).toEqual([]);
      expect(items).toHaveLength(1);
      const event: Event = items[0]?.kind === 'event' ? items[0].event : {};

      expect(event['feed.name']).toBe(report.feedName);
      for (const key of classificationKeys) {
        const constant = report.constantFields[key];
        if (constant !== undefined) expect(event[key], key).toBe(asIdf(key, constant));
        else expect(typeof event[key], `${key} from a column`).toBe('string');
      }
      const type = event['classification.type'];
      expect(taxonomyOfType(String(type)), `the RSIT taxonomy of ${String(type)}`).toBe(
        event['classification.taxonomy'],
      );
      for (const mapping of report.requiredFields) {
        if (typeof mapping.key === 'string' && !mapping.key.startsWith('extra.')) {
          expect(event[mapping.key], `required ${mapping.key} from ${mapping.column}`).toBeDefined();
        }
      }
      // Each optional field mapped from a column gets its value: the samples are plausible for their field.
      // A column that holds an address fills `validate_ip`'s field and leaves `validate_network`'s empty.
      for (const mapping of report.optionalFields) {
        if (typeof mapping.key !== 'string' || mapping.key.startsWith('extra.')) continue;
        if (mapping.conversion === 'validate_network') continue;
        expect(event[mapping.key], `optional ${mapping.key} from ${mapping.column}`).toBeDefined();
      }
      for (const [key, value] of Object.entries(report.constantFields)) {
        if (!key.startsWith('classification.')) expect(event[key], key).toBe(asIdf(key, value));
      }
    });
  });
});
