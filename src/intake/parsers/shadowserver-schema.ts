/**
 * Shadowserver's published report schema: `intelmq.json` of The-Shadowserver-Foundation/report_schema, the
 * file IntelMQ downloads. One entry per report type: `feed_name`, `file_name`, `url`, `constant_fields` and
 * the `required_fields`/`optional_fields` mappings `[intelmq_key, csv_column, conversion?, pass_row?]`.
 */
import { readFileSync } from 'node:fs';
import { AppError } from '../../core/index.ts';
import { conversionNames, isConversionName, type ConversionName } from './shadowserver-conversions.ts';

/** One column mapping. `key` `extra.` alone means `extra.<column>`; `false` ignores the column. */
export interface ShadowserverFieldMapping {
  key: string | false;
  column: string;
  conversion: ConversionName | undefined;
  /** The conversion also reads the rest of the row (`convert_http_host_and_url`, `category_or_detail`). */
  passRow: boolean;
}

export interface ShadowserverReport {
  /** The schema's key for the report (usually, not always, its `fileName`). */
  name: string;
  feedName: string;
  /** The report type as it appears in file names (`2026-01-01-scan_http-nl.csv` → `scan_http`). */
  fileName: string;
  /** Shadowserver's page describing the report, for `feed.documentation`. */
  url: string | undefined;
  constantFields: Readonly<Record<string, string | number | boolean>>;
  requiredFields: readonly ShadowserverFieldMapping[];
  optionalFields: readonly ShadowserverFieldMapping[];
}

export interface ShadowserverSchema {
  /** `_meta.date_created`: which revision of the schema this is. */
  created: string | undefined;
  changeLog: readonly string[];
  /** Every report by its schema key. */
  reports: ReadonlyMap<string, ShadowserverReport>;
}

const maxListedProblems = 20;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseMapping(item: unknown, at: string, problems: string[]): ShadowserverFieldMapping | undefined {
  if (!Array.isArray(item) || item.length < 2 || item.length > 4) {
    problems.push(`${at}: expected [intelmq_key, csv_column, conversion?, pass_row?]`);
    return undefined;
  }
  const [key, column, conversion, passRow] = item as unknown[];
  let ok = true;
  if (typeof key !== 'string' && key !== false) {
    problems.push(`${at}[0]: the IntelMQ key must be a string (or false to ignore the column)`);
    ok = false;
  }
  if (typeof column !== 'string' || column === '') {
    problems.push(`${at}[1]: the CSV column must be a non-empty string`);
    ok = false;
  }
  if (conversion !== undefined && conversion !== null) {
    if (typeof conversion !== 'string' || !isConversionName(conversion)) {
      problems.push(
        `${at}[2]: unknown conversion function ${JSON.stringify(conversion)} ` +
          `(known: ${conversionNames.join(', ')}); Tocsin needs an update for this schema`,
      );
      ok = false;
    }
  }
  if (passRow !== undefined && typeof passRow !== 'boolean') {
    problems.push(`${at}[3]: pass_row must be true or false`);
    ok = false;
  }
  if (!ok) return undefined;
  return {
    key: key as string | false,
    column: column as string,
    conversion: typeof conversion === 'string' ? (conversion as ConversionName) : undefined,
    passRow: passRow === true,
  };
}

function parseMappings(value: unknown, at: string, problems: string[]): ShadowserverFieldMapping[] {
  if (!Array.isArray(value)) {
    problems.push(`${at}: expected a list of field mappings`);
    return [];
  }
  const mappings: ShadowserverFieldMapping[] = [];
  value.forEach((item: unknown, index) => {
    const mapping = parseMapping(item, `${at}[${index}]`, problems);
    if (mapping !== undefined) mappings.push(mapping);
  });
  return mappings;
}

function parseConstants(
  value: unknown,
  at: string,
  problems: string[],
): Record<string, string | number | boolean> {
  if (value === undefined) return {};
  if (!isObject(value)) {
    problems.push(`${at}: expected an object of field names and values`);
    return {};
  }
  const constants: Record<string, string | number | boolean> = {};
  for (const [key, constant] of Object.entries(value)) {
    if (typeof constant === 'string' || typeof constant === 'number' || typeof constant === 'boolean') {
      constants[key] = constant;
    } else {
      problems.push(`${at}.${key}: expected a string, number or boolean`);
    }
  }
  return constants;
}

function requireString(entry: Record<string, unknown>, key: string, at: string, problems: string[]): string {
  const value = entry[key];
  if (typeof value === 'string' && value !== '') return value;
  problems.push(`${at}.${key}: expected a non-empty string`);
  return '';
}

function parseReport(name: string, entry: unknown, problems: string[]): ShadowserverReport | undefined {
  if (!isObject(entry)) {
    problems.push(`${name}: expected an object describing the report`);
    return undefined;
  }
  const before = problems.length;
  const url = entry.url;
  if (url !== undefined && typeof url !== 'string') problems.push(`${name}.url: expected a string`);
  const report: ShadowserverReport = {
    name,
    feedName: requireString(entry, 'feed_name', name, problems),
    fileName: requireString(entry, 'file_name', name, problems),
    url: typeof url === 'string' && url !== '' ? url : undefined,
    constantFields: parseConstants(entry.constant_fields, `${name}.constant_fields`, problems),
    requiredFields: parseMappings(entry.required_fields, `${name}.required_fields`, problems),
    optionalFields: parseMappings(entry.optional_fields ?? [], `${name}.optional_fields`, problems),
  };
  return problems.length === before ? report : undefined;
}

function parseMeta(meta: unknown, problems: string[]): { created: string | undefined; changeLog: string[] } {
  if (meta === undefined) return { created: undefined, changeLog: [] };
  if (!isObject(meta)) {
    problems.push('_meta: expected an object');
    return { created: undefined, changeLog: [] };
  }
  const created = typeof meta.date_created === 'string' ? meta.date_created : undefined;
  const log = Array.isArray(meta.change_log) ? meta.change_log : [];
  return { created, changeLog: log.filter((line): line is string => typeof line === 'string') };
}

/**
 * Validates the shape of a parsed `intelmq.json` and returns it typed. Every problem is listed in one
 * `AppError('core.invalid_input')`; an unknown conversion function is one, so a schema that names a
 * function Tocsin lacks fails here and not at row one million.
 */
export function parseShadowserverSchema(json: unknown): ShadowserverSchema {
  if (!isObject(json)) {
    throw new AppError('core.invalid_input', 'the Shadowserver schema must be a JSON object of report types');
  }
  const problems: string[] = [];
  const reports = new Map<string, ShadowserverReport>();
  const fileNames = new Map<string, string>();
  for (const [name, entry] of Object.entries(json)) {
    if (name === '_meta') continue;
    const report = parseReport(name, entry, problems);
    if (report === undefined) continue;
    const other = fileNames.get(report.fileName);
    if (other !== undefined) {
      problems.push(
        `${name}.file_name: ${JSON.stringify(report.fileName)} is also the file name of ${other}`,
      );
      continue;
    }
    fileNames.set(report.fileName, name);
    reports.set(name, report);
  }
  if (reports.size === 0 && problems.length === 0) problems.push('the schema describes no report types');
  if (problems.length > 0) {
    const listed = problems.slice(0, maxListedProblems);
    if (problems.length > listed.length) listed.push(`… and ${problems.length - listed.length} more`);
    throw new AppError(
      'core.invalid_input',
      `the Shadowserver schema is not valid:\n  ${listed.join('\n  ')}`,
      {
        details: { problems },
      },
    );
  }
  const { created, changeLog } = parseMeta(json._meta, problems);
  return { created, changeLog, reports };
}

/** Reads and validates the installed schema; a missing file says how to install it. */
export function loadShadowserverSchema(path: string): ShadowserverSchema {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new AppError(
        'intake.schema_missing',
        `The Shadowserver report schema is not installed (no file ${path}). ` +
          'Run `tocsin feeds update-schema` to download it.',
        { details: { path }, cause: error },
      );
    }
    throw new AppError(
      'core.internal',
      `cannot read the Shadowserver schema ${path}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new AppError(
      'core.invalid_input',
      `The Shadowserver schema ${path} is not JSON (${(error as Error).message}). ` +
        'Run `tocsin feeds update-schema` to install it again.',
      { details: { path }, cause: error },
    );
  }
  return parseShadowserverSchema(json);
}

// IntelMQ's pattern for report file names (ShadowserverParserBot): an optional date, the report type, then
// `-`-separated suffixes. Python's `\w` and `\d` are Unicode-aware, hence the `u` classes.
const reportFileName = /^(?:\p{Nd}{4}-\p{Nd}{2}-\p{Nd}{2}-)?([\p{L}\p{N}_]+)(?:-[\p{L}\p{N}_]+)*\.csv$/u;

/**
 * The report type a file name names (`2026-01-01-scan_http-nl-geo.csv` → `scan_http`), whether or not the
 * schema knows it; `undefined` when the name does not have the form. A directory part is ignored.
 */
export function reportTypeInFileName(fileName: string): string | undefined {
  const base = fileName.slice(Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\')) + 1);
  return reportFileName.exec(base)?.[1];
}

/** The report type of a file, when its name names one that the schema knows. */
export function reportTypeFromFileName(schema: ShadowserverSchema, fileName: string): string | undefined {
  const type = reportTypeInFileName(fileName);
  return type === undefined ? undefined : findShadowserverReport(schema, type)?.fileName;
}

/**
 * The report for a report type: its file name (`scan_http`), as IntelMQ matches it, or else its schema key
 * or feed name (`Accessible-HTTP`, IntelMQ's `feedname` parameter).
 */
export function findShadowserverReport(
  schema: ShadowserverSchema,
  type: string,
): ShadowserverReport | undefined {
  let byKey: ShadowserverReport | undefined;
  let byFeedName: ShadowserverReport | undefined;
  for (const report of schema.reports.values()) {
    if (report.fileName === type) return report;
    if (report.name === type) byKey = report;
    if (report.feedName === type) byFeedName = report;
  }
  return byKey ?? byFeedName;
}
