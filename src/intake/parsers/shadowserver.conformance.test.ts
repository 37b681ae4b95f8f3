/**
 * Conformance with IntelMQ: the 93 anonymised Shadowserver reports of IntelMQ 3.2.1's test data, parsed by
 * Tocsin with Shadowserver's published schema, against what IntelMQ 3.3.2a1's ShadowserverParserBot made of
 * the same files with the same schema (`certtools-intelmq/_generated/…`, see the corpus's SOURCES.md).
 *
 * Every event is compared whole, `raw` included, ignoring only `time.observation` (as IntelMQ's own tests
 * do). Where Tocsin differs on purpose, a rule in `allowedDifferences` names the difference and its reason;
 * nothing else is normalised, and a rule that no report needs fails the suite. `feed.name` is no difference:
 * it is taken from IntelMQ's input report (ParseOptions.feedName), as an IntelMQ collector sets it. Neither
 * is `severity`: none of these CSVs has the column (IntelMQ logs "Optional key 'severity' not found").
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { corpusPath, describeCorpus, hasCorpus, shadowserverSchemaPath } from '../../../test/corpus.ts';
import { isAppError, type Event } from '../../core/index.ts';
import { createShadowserverParser } from './shadowserver.ts';
import {
  findShadowserverReport,
  loadShadowserverSchema,
  reportTypeInFileName,
} from './shadowserver-schema.ts';
import type { ParseItem, Reject } from './types.ts';

const inputDir = join(
  'certtools-intelmq',
  '3.2.1',
  'intelmq',
  'tests',
  'bots',
  'parsers',
  'shadowserver',
  'testdata',
);
const expectedDir = join(
  'certtools-intelmq',
  '_generated',
  'shadowserver-parser_intelmq-3.3.2a1-d5e3e41_with_report_schema-8e06fb9',
);
// The input report of the 3.2.1 test module, for the one CSV that IntelMQ 3.3 no longer parses (no output).
const testModuleDir = join(
  'certtools-intelmq',
  '3.2.1',
  '_extracted-expected',
  'intelmq',
  'tests',
  'bots',
  'parsers',
  'shadowserver',
);
const schemaParts = ['shadowserver-report_schema', 'intelmq.json'];

interface InputReport {
  'feed.name': string;
  'time.observation': string;
  'extra.file_name': string;
}

interface IntelmqLogEntry {
  level: string;
  message: string;
  exception?: string;
}

interface IntelmqRun {
  input_csv: string;
  input_report: InputReport;
  queues: { output: Event[]; error: Event[] };
  log_warnings_and_errors: IntelmqLogEntry[];
}

/** A CSV line as both sides see it: its physical line number, its text and its fields by column. */
interface Row {
  line: number;
  text: string;
  header: readonly string[];
  values: ReadonlyMap<string, string>;
}

interface Context {
  reportType: string;
  row: Row;
}

/**
 * One difference from IntelMQ 3.3.2a1 that Tocsin makes on purpose. `rewrite` turns IntelMQ's event into
 * Tocsin's and says whether it changed anything; `explainsReject` says whether Tocsin's reject of a line
 * that IntelMQ turned into `expected` is this difference.
 */
interface AllowedDifference {
  name: string;
  reason: string;
  rewrite?: (expected: Event, context: Context) => boolean;
  explainsReject?: (reject: Reject, expected: Event, context: Context) => boolean;
}

const schema = hasCorpus(...schemaParts) ? loadShadowserverSchema(shadowserverSchemaPath) : undefined;

/** The event keys that the schema fills with `conversion` for a report, with their CSV columns. */
function keysConvertedWith(reportType: string, conversion: string): [key: string, column: string][] {
  const report = schema === undefined ? undefined : findShadowserverReport(schema, reportType);
  if (report === undefined) return [];
  return [...report.requiredFields, ...report.optionalFields]
    .filter((mapping) => mapping.conversion === conversion && mapping.key !== false)
    .map((mapping) => {
      const key = mapping.key === 'extra.' ? `extra.${mapping.column}` : String(mapping.key);
      return [key, mapping.column];
    });
}

const midnightUtc = /^\d{4}-\d{2}-\d{2}T00:00:00\+00:00$/;
const widthReject = /^the row has \d+ fields?, the header \d+/;

const allowedDifferences: readonly AllowedDifference[] = [
  {
    name: 'product fields are IDF fields',
    reason:
      'IDF 3.5 added product.{vendor,name,version,vulnerabilities}; IntelMQ 3.3.2a1 predates them and files ' +
      'the schema’s product.* mappings under extra.product.*. Tocsin uses the IDF fields.',
    rewrite: (expected) => {
      let changed = false;
      for (const key of Object.keys(expected)) {
        if (!key.startsWith('extra.product.')) continue;
        expected[key.slice('extra.'.length)] = expected[key];
        Reflect.deleteProperty(expected, key);
        changed = true;
      }
      return changed;
    },
  },
  {
    name: 'an empty convert_date_utc value is absent',
    reason:
      'IntelMQ appends "+00:00" to the empty value and dateutil reads that as midnight of the day IntelMQ ' +
      'runs, an invented time; Tocsin leaves the field out.',
    rewrite: (expected, { reportType, row }) => {
      let changed = false;
      for (const [key, column] of keysConvertedWith(reportType, 'convert_date_utc')) {
        const value = expected[key];
        if (row.values.get(column) !== '' || typeof value !== 'string' || !midnightUtc.test(value)) continue;
        Reflect.deleteProperty(expected, key);
        changed = true;
      }
      return changed;
    },
  },
  {
    name: 'a row with fewer fields than the header is rejected',
    reason:
      'Python’s DictReader fills missing trailing fields with None and IntelMQ keeps the row; a short row ' +
      'cannot be told from a truncated one, so Tocsin rejects it by line instead of guessing.',
    explainsReject: (reject, _expected, { row }) =>
      widthReject.test(reject.reason) && splitCsvLine(row.text).length < row.header.length,
  },
  {
    name: 'a required address that is not an address rejects the row',
    reason:
      'IntelMQ’s validate_ip returns None and the row goes on without its address (the text lands in ' +
      'extra.<column>); an event about an address nobody can read reaches no owner, so Tocsin rejects the ' +
      'line and names the field.',
    explainsReject: (reject, expected, { reportType }) => {
      if (reject.field === undefined || expected[reject.field] !== undefined) return false;
      return keysConvertedWith(reportType, 'validate_ip').some(
        ([key, column]) => key === reject.field && typeof expected[`extra.${column}`] === 'string',
      );
    },
  },
];

/** RFC 4180 fields of one line without line breaks (the corpus has none inside fields). */
function splitCsvLine(text: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text.charAt(i);
    if (quoted) {
      if (char === '"' && text.charAt(i + 1) === '"') {
        field += '"';
        i++;
      } else if (char === '"') {
        quoted = false;
      } else {
        field += char;
      }
    } else if (char === '"' && field === '') {
      quoted = true;
    } else if (char === ',') {
      fields.push(field);
      field = '';
    } else {
      field += char;
    }
  }
  fields.push(field);
  return fields;
}

function decodeRaw(raw: unknown): string {
  if (typeof raw !== 'string') throw new Error(`IntelMQ's raw is not a string: ${JSON.stringify(raw)}`);
  return Buffer.from(raw, 'base64').toString('utf8');
}

/** IntelMQ's raw (base64 of the header line, "\n", the record) mapped to the record's physical line. */
function locateRaw(raw: unknown, lines: readonly string[], from: number): { line: number; record: string } {
  const text = decodeRaw(raw);
  const newline = text.indexOf('\n');
  const header = text.slice(0, newline);
  const record = text.slice(newline + 1);
  if (header !== lines[0]) throw new Error(`IntelMQ's raw has another header: ${JSON.stringify(header)}`);
  const index = lines.indexOf(record, from);
  if (index < 1) throw new Error(`IntelMQ's raw names no line of the CSV: ${JSON.stringify(record)}`);
  return { line: index + 1, record };
}

function rowAt(lines: readonly string[], line: number): Row {
  const header = splitCsvLine(lines[0] ?? '');
  const text = lines[line - 1] ?? '';
  const fields = splitCsvLine(text);
  return { line, text, header, values: new Map(header.map((name, index) => [name, fields[index] ?? ''])) };
}

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}

function inputReportOf(name: string): { run: IntelmqRun | undefined; report: InputReport } {
  const generated = corpusPath(expectedDir, `${name}.json`);
  if (existsSync(generated)) {
    const run = readJson(generated) as IntelmqRun;
    return { run, report: run.input_report };
  }
  const module = readJson(corpusPath(testModuleDir, `test_${name}.json`)) as {
    messages: { EXAMPLE_REPORT: InputReport };
  };
  return { run: undefined, report: module.messages.EXAMPLE_REPORT };
}

async function parseFile(name: string, report: InputReport): Promise<ParseItem[]> {
  if (schema === undefined) throw new Error('the Shadowserver schema is not in the corpus');
  const text = readFileSync(corpusPath(inputDir, `${name}.csv`), 'utf8');
  const parse = createShadowserverParser(schema);
  const items: ParseItem[] = [];
  const input = (async function* () {
    // Split mid-line, as a network read would, so that the comparison does not rest on whole lines.
    for (let at = 0; at < text.length; at += 1000) yield text.slice(at, at + 1000);
  })();
  for await (const batch of parse(input, {
    fileName: report['extra.file_name'],
    observationTime: report['time.observation'],
    feedName: report['feed.name'],
  })) {
    items.push(...batch);
  }
  return items;
}

function withoutObservation(event: Event): Event {
  const copy = { ...event };
  Reflect.deleteProperty(copy, 'time.observation');
  Reflect.deleteProperty(copy, 'raw');
  return copy;
}

interface Comparison {
  problems: string[];
  /** How often each allowed difference was needed, by name. */
  used: Map<string, number>;
  /** Events Tocsin made, events IntelMQ made, and IntelMQ's events that Tocsin rejected on purpose. */
  events: number;
  intelmqEvents: number;
  rejectedOnPurpose: number;
}

/** Compares Tocsin's output for one CSV with IntelMQ's; every unexplained difference is a problem. */
async function compareReport(name: string): Promise<Comparison> {
  const { run, report } = inputReportOf(name);
  const used = new Map<string, number>();
  const problems: string[] = [];
  if (run === undefined) {
    // IntelMQ 3.3 wrote no output: the schema no longer has the report ("Could not get a config").
    const type = reportTypeInFileName(report['extra.file_name']) ?? name;
    if (schema !== undefined && findShadowserverReport(schema, type) !== undefined) {
      problems.push(`IntelMQ had no config for ${type}, yet the schema has it`);
    }
    const error = await parseFile(name, report).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    if (!isAppError(error) || error.code !== 'intake.unknown_report_type') {
      problems.push(`expected AppError intake.unknown_report_type, got ${String(error)}`);
    }
    return { problems, used, events: 0, intelmqEvents: 0, rejectedOnPurpose: 0 };
  }
  const items = await parseFile(name, report);
  const lines = readFileSync(corpusPath(inputDir, `${name}.csv`), 'utf8')
    .replace(/\n$/, '')
    .split('\n');
  const byLine = new Map<number, ParseItem>();
  for (const item of items) {
    if (byLine.has(item.line)) problems.push(`line ${item.line}: Tocsin gave two items`);
    byLine.set(item.line, item);
  }
  const reportType = reportTypeInFileName(report['extra.file_name']) ?? name;
  const explained = new Set<number>();
  let rejectedOnPurpose = 0;
  const use = (rule: AllowedDifference): void => {
    used.set(rule.name, (used.get(rule.name) ?? 0) + 1);
  };

  let from = 1;
  for (const intelmqEvent of run.queues.output) {
    const { line, record } = locateRaw(intelmqEvent.raw, lines, from);
    from = line;
    explained.add(line);
    const context: Context = { reportType, row: rowAt(lines, line) };
    const ours = byLine.get(line);
    const expected = withoutObservation(intelmqEvent);
    if (ours === undefined) {
      problems.push(`line ${line}: IntelMQ made an event, Tocsin nothing`);
      continue;
    }
    if (ours.kind === 'reject') {
      const rule = allowedDifferences.find((difference) =>
        difference.explainsReject?.(ours, expected, context),
      );
      if (rule === undefined)
        problems.push(`line ${line}: IntelMQ made an event, Tocsin rejected it: ${ours.reason}`);
      else {
        use(rule);
        rejectedOnPurpose++;
      }
      continue;
    }
    for (const rule of allowedDifferences) if (rule.rewrite?.(expected, context) === true) use(rule);
    const actual = withoutObservation(ours.event);
    try {
      expect(actual, `line ${line}`).toEqual(expected);
    } catch (error) {
      problems.push((error as Error).message);
    }
    const header = lines[0] ?? '';
    if (ours.raw !== `${header}\n${record}`) {
      problems.push(`line ${line}: raw differs: ${JSON.stringify(ours.raw)}`);
    }
  }

  const failures = run.log_warnings_and_errors.filter((entry) => entry.level === 'ERROR');
  from = 1;
  run.queues.error.forEach((failed, index) => {
    const { line } = locateRaw(failed.raw, lines, from);
    from = line;
    explained.add(line);
    const ours = byLine.get(line);
    if (ours?.kind !== 'reject') {
      problems.push(`line ${line}: IntelMQ sent it to the error queue, Tocsin did not reject it`);
      return;
    }
    const missing = /Required column '([^']+)' not found/.exec(failures[index]?.exception ?? '');
    if (missing !== null && ours.field !== missing[1]) {
      problems.push(
        `line ${line}: IntelMQ missed column ${missing[1]}, Tocsin's reject names ${String(ours.field)}`,
      );
    }
  });

  for (const item of items) {
    if (!explained.has(item.line)) {
      problems.push(
        `line ${item.line}: Tocsin gave a${item.kind === 'event' ? 'n event' : ` reject (${item.reason})`}, IntelMQ nothing`,
      );
    }
  }
  const events = items.filter((item) => item.kind === 'event').length;
  return { problems, used, events, intelmqEvents: run.queues.output.length, rejectedOnPurpose };
}

function csvNames(): string[] {
  if (!hasCorpus(inputDir)) return ['(corpus absent)'];
  return readdirSync(corpusPath(inputDir))
    .filter((file) => file.endsWith('.csv'))
    .map((file) => file.slice(0, -'.csv'.length))
    .sort();
}

describeCorpus('Shadowserver parser with the published schema', schemaParts, () => {
  describeCorpus('conformance with IntelMQ 3.3.2a1', [expectedDir], () => {
    const names = csvNames();

    it('has all 93 reports of IntelMQ 3.2.1’s test data', () => {
      expect(names).toHaveLength(93);
    });

    it.each(names)('%s.csv gives IntelMQ’s events', async (name) => {
      const { problems } = await compareReport(name);
      expect(problems).toEqual([]);
    });

    describe('allowed differences', () => {
      it('each is needed by some report, and together they account for every event IntelMQ made', async () => {
        const used = new Map<string, number>();
        let events = 0;
        let intelmqEvents = 0;
        let rejectedOnPurpose = 0;
        for (const name of names) {
          const comparison = await compareReport(name);
          events += comparison.events;
          intelmqEvents += comparison.intelmqEvents;
          rejectedOnPurpose += comparison.rejectedOnPurpose;
          for (const [rule, count] of comparison.used) used.set(rule, (used.get(rule) ?? 0) + count);
        }
        for (const rule of allowedDifferences) expect(used.get(rule.name) ?? 0, rule.name).toBeGreaterThan(0);
        // SOURCES.md: IntelMQ made 640 events from the 93 files.
        expect(intelmqEvents).toBe(640);
        expect(events).toBe(intelmqEvents - rejectedOnPurpose);
      });

      it('each has a reason', () => {
        for (const rule of allowedDifferences) expect(rule.reason.length, rule.name).toBeGreaterThan(40);
      });
    });
  });
});
