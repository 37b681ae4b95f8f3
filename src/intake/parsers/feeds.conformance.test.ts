import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { stringify } from 'yaml';
import { corpusPath, describeCorpus } from '../../../test/corpus.ts';
import { taxonomyOfType } from '../../core/index.ts';
import { parseCsvMapping } from './csv-mapping.ts';
import { createGenericCsvParser } from './generic-csv.ts';
import { parseIntelmqEvents } from './intelmq.ts';
import type { FeedParser, ParseItem } from './types.ts';

/*
 * Conformance with IntelMQ's own test data (certtools/intelmq develop d5e3e41, in the shared corpus): for each
 * test case of a parser Tocsin has an equivalent of, the same input goes through Tocsin and the events are
 * compared field for field, ignoring time.observation, as IntelMQ's assertMessageEqual does. A difference on
 * purpose is a named rule with its reason; every rule must be used by at least one case, so a rule that no
 * longer fires (because Tocsin changed) fails the suite instead of silently excusing nothing.
 *
 * Not covered, because Tocsin has no parser for them (each is a feed-specific IntelMQ bot): abusech,
 * alienvault, anubisnetworks, bambenek, blocklistde, blueliv, calidog, cert_eu, ci_army, cleanmx, cymru,
 * cznic, danger_rulez, dshield, dyn, eset, fireeye, fraunhofer, github_feed, hibp, html_table, key_value,
 * malwarepatrol, malwareurl, mcafee, microsoft, misp, n6, openphish, phishtank, shodan, spamhaus, surbl,
 * threatminer, turris, twitter, vxvault, zoneh; shadowserver has its own conformance suite.
 */

const develop = ['certtools-intelmq', 'develop-d5e3e41'];
const inputs = (...parts: string[]): string => corpusPath(...develop, 'intelmq/tests/bots/parsers', ...parts);
const expectedDir = (...parts: string[]): string =>
  corpusPath(...develop, '_extracted-expected/intelmq/tests/bots/parsers', ...parts);

type Message = Record<string, unknown>;

interface Extracted {
  test_class_config: { 'set_bot.sysconfig'?: Record<string, unknown> };
  messages: Record<string, Message | Message[]>;
  module_level_strings?: Record<string, string>;
}

function extracted(feed: string, module: string): Extracted {
  return JSON.parse(readFileSync(expectedDir(feed, `${module}.json`), 'utf8')) as Extracted;
}

function message(data: Extracted, name: string): Message {
  const value = data.messages[name];
  if (value === undefined || Array.isArray(value)) throw new Error(`no message ${name}`);
  return value;
}

function messages(data: Extracted, names: string[]): Message[] {
  return names.flatMap((name) => {
    const value = data.messages[name];
    if (value === undefined) throw new Error(`no message ${name}`);
    return Array.isArray(value) ? value : [value];
  });
}

const decode = (base64: unknown): string => Buffer.from(String(base64), 'base64').toString('utf8');

// ---------------------------------------------------------------------------------------------------------
// Named differences

interface Comparison {
  expected: Message;
  actual: Message;
  expectedRaw: string;
  actualRaw: string;
  case: Case;
}

interface Rule {
  name: string;
  reason: string;
  /** Applies the rule to copies of both sides when it fits; true when it did. */
  apply?: (comparison: Comparison) => boolean;
}

const rules: Rule[] = [
  {
    name: 'taxonomy-from-type',
    reason:
      'Tocsin sets classification.taxonomy from the RSIT type while parsing; IntelMQ leaves it to its taxonomy expert',
    apply: (c) => {
      const type = c.actual['classification.type'];
      if (c.expected['classification.taxonomy'] !== undefined || typeof type !== 'string') return false;
      if (c.actual['classification.taxonomy'] !== taxonomyOfType(type)) return false;
      delete c.actual['classification.taxonomy'];
      return true;
    },
  },
  {
    name: 'raw-without-skipped-lines',
    reason:
      "IntelMQ's raw repeats the lines skipped before the header; Tocsin's holds the header and the record only",
    apply: (c) => {
      const skipped = c.case.skippedLines ?? 0;
      if (skipped === 0) return false;
      const lines = c.expectedRaw.split('\n');
      c.expectedRaw = lines.slice(skipped).join('\n');
      return true;
    },
  },
  {
    name: 'raw-original-record',
    reason:
      "Tocsin's raw is the header line and the record as the feed wrote them; IntelMQ re-serialises the row " +
      '(commas, no quotes, its own line terminator)',
    apply: (c) => {
      const delimiter = c.case.delimiter;
      if (delimiter === undefined || c.expectedRaw === c.actualRaw) return false;
      if (csvCells(c.expectedRaw, ',') !== csvCells(c.actualRaw, delimiter)) return false;
      c.expectedRaw = c.actualRaw;
      return true;
    },
  },
  {
    name: 'raw-line-break',
    reason:
      "IntelMQ's JSON parser keeps the final line break of a one-line report in raw; Tocsin's raw is the line",
    apply: (c) => {
      if (c.expectedRaw !== `${c.actualRaw}\n`) return false;
      c.expectedRaw = c.actualRaw;
      return true;
    },
  },
  {
    name: 'feed-from-report',
    reason:
      'IntelMQ copies the feed.* fields of the report into events that lack them; Tocsin takes feed.name from ' +
      'the ingest options (--feed-name), and none are given here, to show that an event keeps its own',
    apply: (c) => {
      const report = c.case.report ?? {};
      const inherited = (key: string): boolean =>
        key.startsWith('feed.') && c.actual[key] === undefined && c.expected[key] === report[key];
      if (!Object.keys(c.expected).some(inherited)) return false;
      c.expected = Object.fromEntries(Object.entries(c.expected).filter(([key]) => !inherited(key)));
      return true;
    },
  },
  {
    name: 'epoch-millis-unit',
    reason:
      "IntelMQ's epoch_millis guesses the unit from the number of digits (10 digits: seconds); a Tocsin time " +
      'format names one unit, so the mapping says epoch_seconds for a file of 10-digit seconds',
  },
  {
    name: 'explicit-time-format',
    reason:
      'Without time_format IntelMQ guesses with dateutil (fuzzy); a Tocsin mapping names the format, so the ' +
      'mapping gives the strftime pattern of the file',
  },
];

const used = new Set<string>();

function ruleNamed(name: string): string {
  if (!rules.some((rule) => rule.name === name)) throw new Error(`no rule ${name}`);
  used.add(name);
  return name;
}

/** The cells of each line of a CSV text, quotes and surrounding blanks removed, for comparing raws. */
function csvCells(text: string, delimiter: string): string {
  return text
    .replace(/\r?\n$/, '')
    .split(/\r?\n/)
    .map((line) =>
      line
        .split(delimiter)
        .map((cell) => cell.replaceAll('"', '').trim())
        .join('\u0001'),
    )
    .join('\n');
}

// ---------------------------------------------------------------------------------------------------------
// IntelMQ generic CSV parameters as a Tocsin mapping

interface Translation {
  /** Tocsin time format where IntelMQ's cannot be carried over, with the rule that says why. */
  timeFormat?: { format: string; rule: string };
}

/**
 * The Tocsin mapping (YAML) equivalent to the parameters of IntelMQ's generic CSV parser
 * (intelmq/bots/parsers/generic/parser_csv.py) plus the feed.* fields of the report, which IntelMQ copies
 * into every event.
 */
function mappingFromIntelmq(
  parameters: Record<string, unknown>,
  report: Message,
  translation: Translation = {},
): string {
  const names =
    typeof parameters.columns === 'string'
      ? parameters.columns.split(',').map((name) => name.trim())
      : (parameters.columns as string[]);
  const dataType = jsonParameter(parameters.data_type);
  const typeTranslation = jsonParameter(parameters.type_translation);
  const regexes = (parameters.column_regex_search ?? {}) as Record<string, string>;
  const required = parameters.columns_required as boolean[] | undefined;
  const columns = names.map((name, index) => {
    if (name === '__IGNORE__' || name === '') return 'ignore';
    const fields = name.split('|');
    const options: Record<string, unknown> = {};
    if (fields.some((field) => dataType[field] === 'json')) options.json = true;
    const regex = fields.map((field) => regexes[field]).find((value) => value !== undefined);
    if (regex !== undefined) options.extract = regex;
    if (fields.includes('classification.type') && Object.keys(typeTranslation).length > 0) {
      options.values = typeTranslation;
    }
    // columns_required false: a value no field accepts is dropped instead of failing the row.
    if (required?.[index] === false) options.invalid = 'drop';
    return Object.keys(options).length === 0 ? name : { field: name, ...options };
  });

  const constants: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(report)) if (key.startsWith('feed.')) constants[key] = value;
  Object.assign(constants, parameters.default_fields ?? {});
  if (typeof parameters.type === 'string') constants['classification.type'] = parameters.type;

  const skip = parameters.skip_header;
  const skipLines = typeof skip === 'number' ? skip : skip === true ? 1 : 0;
  const mapping: Record<string, unknown> = {
    delimiter: parameters.delimiter ?? ',',
    header: skipLines > 0,
    skip_lines: Math.max(0, skipLines - 1),
    unmapped: 'drop',
    // IntelMQ zips cells with columns, so a short row simply lacks the last fields.
    allow_short_rows: true,
    columns,
    constants,
  };
  const timeFormat = translation.timeFormat?.format ?? intelmqTimeFormats[String(parameters.time_format)];
  if (translation.timeFormat !== undefined) ruleNamed(translation.timeFormat.rule);
  if (timeFormat !== undefined) mapping.time_format = timeFormat;
  if (typeof parameters.default_url_protocol === 'string') {
    mapping.default_url_scheme = parameters.default_url_protocol.replace(/:\/\/$/, '');
  }
  if (parameters.compose_fields !== undefined) mapping.compose = parameters.compose_fields;
  if (typeof parameters.filter_text === 'string') {
    const key = parameters.filter_type === 'whitelist' ? 'keep_lines_containing' : 'drop_lines_containing';
    mapping[key] = parameters.filter_text;
  }
  return stringify(mapping);
}

const intelmqTimeFormats: Record<string, string> = { windows_nt: 'windows_nt', timestamp: 'epoch_seconds' };

function jsonParameter(value: unknown): Record<string, string> {
  if (typeof value === 'string' && value !== '') return JSON.parse(value) as Record<string, string>;
  return (value ?? {}) as Record<string, string>;
}

// ---------------------------------------------------------------------------------------------------------
// Cases

interface Case {
  name: string;
  parser: () => FeedParser;
  input: string;
  report?: Message;
  expected: Message[];
  /** Rejects Tocsin must give, where IntelMQ logs an error and drops the line. */
  rejects?: { line: number; field?: string }[];
  /** The CSV delimiter of the input, for comparing raws. */
  delimiter?: string;
  skippedLines?: number;
  /** Events after the expected ones that the upstream test does not assert (it checks only the first ones). */
  notAssertedUpstream?: number;
}

/** A case by name; built when it runs, as it reads the corpus. */
interface NamedCase {
  name: string;
  make: () => Case;
}

function csvCase(
  name: string,
  module: string,
  options: {
    /** The report message; null when the test builds its report in the test method. */
    report?: string | null;
    events: string[];
    parameters?: Record<string, unknown>;
    translation?: Translation;
    input?: string;
    rejects?: Case['rejects'];
    notAssertedUpstream?: number;
  },
): NamedCase {
  const make = (): Case => {
    const data = extracted('generic', module);
    const report = options.report === null ? {} : message(data, options.report ?? 'EXAMPLE_REPORT');
    const parameters = { ...data.test_class_config['set_bot.sysconfig'], ...options.parameters };
    const yaml = mappingFromIntelmq(parameters, report, options.translation);
    const mapping = parseCsvMapping(yaml, `${module}.yaml`);
    const skipped = typeof parameters.skip_header === 'number' ? parameters.skip_header - 1 : 0;
    return {
      name,
      parser: () => createGenericCsvParser(mapping),
      input: options.input ?? decode(report.raw),
      report,
      expected: messages(data, options.events),
      ...(options.rejects === undefined ? {} : { rejects: options.rejects }),
      delimiter: mapping.delimiter,
      skippedLines: skipped,
      ...(options.notAssertedUpstream === undefined
        ? {}
        : { notAssertedUpstream: options.notAssertedUpstream }),
    };
  };
  return { name, make };
}

function skipHeaderCase(n: 1 | 2 | 3, skipHeader: boolean | number): NamedCase {
  // test_parser_csv_skip_header.py passes its parameters in each test method (none at class level):
  // skip_header False / True / 2, columns [source.ip, source.url], default_fields {classification.type: blacklist}.
  const module = 'test_parser_csv_skip_header';
  const name = `generic CSV ${module} (skip_header ${String(skipHeader)})`;
  const make = (): Case => {
    const data = extracted('generic', module);
    const input = data.module_level_strings?.[`INPUT_${n}`];
    if (input === undefined) throw new Error(`no INPUT_${n}`);
    return csvCase(name, module, {
      report: null,
      events: [`OUTPUT_${n}`],
      parameters: {
        skip_header: skipHeader,
        columns: ['source.ip', 'source.url'],
        default_fields: { 'classification.type': 'blacklist' },
      },
      input,
    }).make();
  };
  return { name, make };
}

function dataplaneCase(
  name: string,
  file: string,
  events: string,
  constants?: Record<string, string>,
): NamedCase {
  const make = (): Case => {
    let yaml = readFileSync(
      new URL('../../../config/mappings/dataplane-sshpwauth.yaml', import.meta.url),
      'utf8',
    );
    if (constants !== undefined) {
      // "copy this file and change the constants", as the mapping's comment says.
      const document = parseCsvMapping(yaml, 'dataplane-sshpwauth.yaml');
      yaml = yaml.replace(/^constants:[\s\S]*$/m, stringify({ constants }));
      expect(parseCsvMapping(yaml, 'x.yaml').columns).toEqual(document.columns);
    }
    const mapping = parseCsvMapping(yaml, 'dataplane.yaml');
    const input = readFileSync(inputs('dataplane', file), 'utf8');
    const expected = messages(extracted('dataplane', 'test_parser'), [events]);
    const lines = input.split('\n');
    // Lines that are neither comments nor blank nor one of the expected events: IntelMQ fails on them.
    const broken = lines.flatMap((line, index) =>
      line.trim() === '' || line.startsWith('#') || expected.some((event) => decode(event.raw) === line)
        ? []
        : [{ line: index + 1 }],
    );
    return {
      name,
      parser: () => createGenericCsvParser(mapping),
      input,
      expected,
      rejects: broken,
    };
  };
  return { name, make };
}

function jsonCase(name: string, report: string, events: string): NamedCase {
  const make = (): Case => {
    const data = extracted('json', 'test_parser');
    const reportMessage = message(data, report);
    return {
      name,
      parser: () => parseIntelmqEvents,
      input: decode(reportMessage.raw),
      report: reportMessage,
      expected: messages(data, [events]),
    };
  };
  return { name, make };
}

const cases: NamedCase[] = [
  csvCase('generic CSV test_parser_csv (tab-delimited, comments, URL scheme)', 'test_parser_csv', {
    events: ['EXAMPLE_EVENT', 'EXAMPLE_EVENT2'],
  }),
  // test_parser_csv.py test_compose_fields: parameters given in the test method.
  csvCase('generic CSV test_parser_csv (compose_fields)', 'test_parser_csv', {
    report: 'COMPOSE_REPORT',
    events: ['COMPOSE_EVENT'],
    parameters: {
      columns: ['source.fqdn', 'source.urlpath'],
      compose_fields: { 'source.url': 'http://{0}{1}' },
      delimiter: ',',
    },
  }),
  csvCase('generic CSV test_parser_csv2 (type_translation)', 'test_parser_csv2', {
    events: ['EXAMPLE_EVENT'],
  }),
  csvCase('generic CSV test_parser_csv4 (skip_header, empty URL, epoch times)', 'test_parser_csv4', {
    events: ['EXAMPLE_EVENT', 'EXAMPLE_EVENT2', 'EXAMPLE_EVENT3'],
    translation: { timeFormat: { format: 'epoch_seconds', rule: 'epoch-millis-unit' } },
    notAssertedUpstream: 1,
  }),
  csvCase('generic CSV test_parser_csv_data_type (JSON cell)', 'test_parser_csv_data_type', {
    events: ['EXAMPLE_EVENT'],
  }),
  csvCase(
    'generic CSV test_parser_csv_extra_regex (extra.*, regex, windows_nt, short row)',
    'test_parser_csv_extra_regex',
    {
      events: ['EXAMPLE_EVENT', 'EXAMPLE_EVENT2'],
    },
  ),
  // test_parser_csv_invalid_values.py test_invalid_value: the fourth line ("." as FQDN) fails.
  csvCase('generic CSV test_parser_csv_invalid_values (invalid value)', 'test_parser_csv_invalid_values', {
    events: ['EXAMPLE_EVENT', 'EXAMPLE_EVENT2', 'EXAMPLE_EVENT3'],
    translation: { timeFormat: { format: '%d/%b/%Y:%H:%M:%S %z', rule: 'explicit-time-format' } },
    rejects: [{ line: 4, field: 'source.fqdn' }],
  }),
  // test_parser_csv_invalid_values.py test_error_ignore: columns_required [true, true, false].
  csvCase('generic CSV test_parser_csv_invalid_values (columns_required)', 'test_parser_csv_invalid_values', {
    events: ['EXAMPLE_EVENT', 'EXAMPLE_EVENT2', 'EXAMPLE_EVENT3', 'EXAMPLE_EVENT4'],
    parameters: { columns_required: [true, true, false] },
    translation: { timeFormat: { format: '%d/%b/%Y:%H:%M:%S %z', rule: 'explicit-time-format' } },
  }),
  skipHeaderCase(1, false),
  skipHeaderCase(2, true),
  skipHeaderCase(3, 2),
  csvCase(
    'generic CSV test_parser_multivalue_cols (ip|network, comment row)',
    'test_parser_multivalue_cols',
    {
      events: ['EXAMPLE_EVENT', 'EXAMPLE_EVENT2'],
    },
  ),
  csvCase('generic CSV test_filter_blacklist', 'test_filter_blacklist', { events: ['EXAMPLE_EVENT'] }),
  csvCase('generic CSV test_filter_whitelist', 'test_filter_whitelist', { events: ['EXAMPLE_EVENT'] }),
  jsonCase('IntelMQ JSON test_parser (one-line report)', 'ONELINE_REPORT', 'EXAMPLE_EVENT'),
  jsonCase('IntelMQ JSON test_parser (JSON lines, splitlines)', 'MULTILINE_REPORT', 'MULTILINE_EVENTS'),
  jsonCase('IntelMQ JSON test_parser (event without __type)', 'NO_DEFAULT_REPORT', 'NO_DEFAULT_EVENT'),
  dataplaneCase(
    'DataPlane sshpwauth with config/mappings/dataplane-sshpwauth.yaml',
    'sshpwauth.txt',
    'SSH_AUTH_EVENT',
  ),
  // The constants of the sshclient list, as intelmq/bots/parsers/dataplane/parser.py sets them.
  dataplaneCase(
    'DataPlane sshclient (the same mapping, its constants changed)',
    'sshclient.txt',
    'SSH_CLIENT_EVENT',
    {
      'classification.type': 'scanner',
      'protocol.application': 'ssh',
      'event_description.text':
        'Address has been seen initiating an SSH connection to a remote host. The source report lists hosts that ' +
        'are suspicious of more than just port scanning. The host may be SSH server cataloging or conducting ' +
        'authentication attack attempts.',
      'feed.name': 'SSH Client',
      'feed.url': 'https://dataplane.org/sshclient.txt',
    },
  ),
];

async function* once(text: string): AsyncGenerator<string> {
  yield text;
}

function withoutObservation(event: Message): Message {
  const { 'time.observation': _observation, __type: _type, raw: _raw, ...rest } = event;
  return rest;
}

let casesRun = 0;

describeCorpus('conformance with IntelMQ parser tests (generic CSV, JSON, DataPlane)', develop, () => {
  it.each(cases)('$name', async ({ make }) => {
    const testCase = make();
    const items: ParseItem[] = [];
    for await (const batch of testCase.parser()(once(testCase.input), {
      observationTime: '2026-01-01T00:00:00+00:00',
    })) {
      items.push(...batch);
    }
    const rejects = items.filter((item) => item.kind === 'reject');
    expect(
      rejects.map(({ line, field }) => (field === undefined ? { line } : { line, field })),
      testCase.name,
    ).toEqual(testCase.rejects ?? []);
    const events = items.filter((item) => item.kind === 'event');
    expect(events.length, testCase.name).toBe(testCase.expected.length + (testCase.notAssertedUpstream ?? 0));

    for (const [index, expectedEvent] of testCase.expected.entries()) {
      const actualItem = events[index];
      if (actualItem === undefined) throw new Error(`${testCase.name}: no event ${index}`);
      const comparison: Comparison = {
        expected: withoutObservation(expectedEvent),
        actual: withoutObservation(actualItem.event),
        expectedRaw: decode(expectedEvent.raw),
        actualRaw: actualItem.raw,
        case: testCase,
      };
      for (const rule of rules) if (rule.apply?.(comparison) === true) used.add(rule.name);
      expect(comparison.actual, `${testCase.name}, event ${index}`).toEqual(comparison.expected);
      expect(comparison.actualRaw, `${testCase.name}, raw of event ${index}`).toBe(comparison.expectedRaw);
    }
    casesRun++;
  });

  it('needed every named difference (a rule no case uses any more is to be removed)', () => {
    expect(casesRun, 'every case ran and passed').toBe(cases.length);
    const unused = rules.filter((rule) => !used.has(rule.name)).map((rule) => rule.name);
    expect(unused).toEqual([]);
  });
});
