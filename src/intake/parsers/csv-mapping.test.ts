import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AppError, isAppError } from '../../core/index.ts';
import { parseCsvMapping, type CsvMapping } from './csv-mapping.ts';

const mappingsDir = new URL('../../../config/mappings/', import.meta.url);

/** The problems listed by a refused mapping, one per line after the title. */
function problems(yaml: string, fileName = 'feeds/bad.yaml'): string[] {
  try {
    parseCsvMapping(yaml, fileName);
  } catch (error) {
    if (!isAppError(error)) throw error;
    expect(error.code).toBe('core.invalid_input');
    const [title, ...lines] = error.message.split('\n');
    expect(title).toBe(`Invalid CSV mapping file ${fileName}:`);
    expect(error.details).toEqual({ file: fileName, problems: lines });
    return lines;
  }
  throw new Error('the mapping was accepted');
}

describe('parseCsvMapping', () => {
  it('reads every example in config/mappings', () => {
    const files = readdirSync(mappingsDir).filter((name) => name.endsWith('.yaml'));
    expect(files.length).toBeGreaterThanOrEqual(2);
    for (const file of files) {
      const mapping = parseCsvMapping(readFileSync(new URL(file, mappingsDir), 'utf8'), file);
      expect(mapping.file).toBe(file);
      expect(mapping.columns.length).toBeGreaterThan(0);
    }
  });

  it('reads the partner example: columns by name, options and constants', () => {
    const file = 'partner-exposed-services.yaml';
    const mapping = parseCsvMapping(readFileSync(new URL(file, mappingsDir), 'utf8'), file);
    expect(mapping).toMatchObject({
      delimiter: ',',
      splitPattern: undefined,
      header: true,
      positional: false,
      timeZone: 'Europe/Amsterdam',
      timeFormat: 'iso8601',
      unmapped: 'extra',
      constants: { 'classification.type': 'potentially-unwanted-accessible', tlp: 'AMBER' },
    } satisfies Partial<CsvMapping>);
    expect(mapping.columns.find((column) => column.column === 'ip')).toMatchObject({
      fields: ['source.ip'],
      required: true,
    });
    expect(mapping.columns.find((column) => column.column === 'notes')?.fields).toEqual([]);
    expect(mapping.columns.find((column) => column.column === 'service')?.values).toEqual({
      rdp: 'accessible-rdp',
      vnc: 'accessible-vnc',
      telnet: 'open-telnet',
    });
  });

  it('fills in defaults and reads columns by position, alternatives and "ignore"', () => {
    const mapping = parseCsvMapping(
      'header: false\ncolumns: [source.ip|source.network|ignore, ~, __IGNORE__, { field: [source.fqdn, source.url] }]',
      'm.yaml',
    );
    expect(mapping).toMatchObject({
      delimiter: ',',
      header: false,
      skipLines: 0,
      comment: '#',
      trim: true,
      allowShortRows: false,
      timeFormat: 'iso8601',
      timeZone: 'UTC',
      positional: true,
      compose: {},
      constants: {},
    });
    expect(mapping.columns.map((column) => [column.column, column.fields, column.invalid])).toEqual([
      [0, ['source.ip', 'source.network'], 'drop'],
      [1, [], 'reject'],
      [2, [], 'reject'],
      [3, ['source.fqdn', 'source.url'], 'reject'],
    ]);
  });

  it('lists every problem of shape in one message: file, key, line and what is expected', () => {
    const yaml = [
      "delimiter: ';;'",
      'header: maybe',
      'skip_lines: -1',
      'colour: red',
      'columns:',
      '  ip: { field: source.ip, colour: 1 }',
      '  port: 5',
      'constants:',
      '  tlp: [AMBER]',
    ].join('\n');
    expect(problems(yaml)).toEqual([
      'feeds/bad.yaml: delimiter (line 1): expected one character other than a quote or line break (use "\\t" for a tab)',
      'feeds/bad.yaml: header (line 2): expected true or false',
      'feeds/bad.yaml: skip_lines (line 3): expected a number of lines (0 or more)',
      'feeds/bad.yaml: constants.tlp (line 9): expected text, a number or true/false',
      'feeds/bad.yaml: colour (line 4): unknown key',
      'feeds/bad.yaml: columns.ip.colour (line 6): unknown key',
      'feeds/bad.yaml: columns.port (line 7): expected a field name, "ignore", or an object such as { field: source.ip }',
    ]);
  });

  it('then lists every problem of meaning: fields, times, zones, patterns, constants, targets, templates', () => {
    const yaml = [
      'time_zone: Mars/Base', // 1
      "split_pattern: ' *'", // 2
      'columns:', // 3
      '  ip: { field: source.ipp }', // 4
      "  ts: { field: time.source, time: '%Q' }", // 5
      '  port: { field: source.port, zone: UTC }', // 6
      '  addr: source.ip|source.network', // 7
      '  other: source.ip', // 8
      "  tags: { field: comment, json: true, extract: '(' }", // 9
      '  Extra: extra.Bad', // 10
      'compose:', // 11
      "  source.url: 'http://{0}'", // 12
      "  source.fqdn: 'nothing'", // 13
      'constants:', // 14
      '  classification.type: nonsense', // 15
      "  tlp: ''", // 16
      '  no.such.field: 1', // 17
    ].join('\n');
    expect(problems(yaml)).toEqual([
      'feeds/bad.yaml: split_pattern (line 2): the pattern matches empty text; it must match a delimiter',
      'feeds/bad.yaml: time_zone (line 1): unknown time zone "Mars/Base": expected UTC, an offset such as +02:00, or an IANA name',
      'feeds/bad.yaml: columns.ip.field (line 4): "source.ipp" is not an IDF field',
      'feeds/bad.yaml: columns.ts.time (line 5): time format "%Q" has an unknown directive "%Q"',
      'feeds/bad.yaml: columns.port (line 6): time and zone apply to time fields (time.source, time.destination) only',
      'feeds/bad.yaml: columns.other (line 8): source.ip is already the target of column addr',
      expect.stringMatching(
        /^feeds\/bad\.yaml: columns\.tags\.extract \(line 9\): not a valid regular expression: /,
      ),
      'feeds/bad.yaml: columns.tags.json (line 9): json applies to extra.* fields only',
      'feeds/bad.yaml: columns.Extra (line 10): "extra.Bad" is not a valid extra key (lower-case letters, digits, _ and dots)',
      'feeds/bad.yaml: compose.source.url (line 12): {0}: columns are given by name; refer to them by name',
      'feeds/bad.yaml: compose.source.fqdn (line 13): the template refers to no column ({name} or {0})',
      'feeds/bad.yaml: constants.classification.type (line 15): not an RSIT classification type such as infected-system or scanner: "nonsense"',
      'feeds/bad.yaml: constants.tlp (line 16): the value means "absent"',
      'feeds/bad.yaml: constants.no.such.field (line 17): "no.such.field" is not an IDF field',
    ]);
  });

  it('explains a missing, empty or misshapen column list and columns by name without a header', () => {
    expect(problems('description: x')).toEqual([
      'feeds/bad.yaml: columns: required: a list of columns (by position) or a map from header name to column',
    ]);
    expect(problems('columns: []')).toEqual(['feeds/bad.yaml: columns (line 1): no columns are given']);
    expect(problems('columns: 5')).toEqual([
      'feeds/bad.yaml: columns (line 1): expected a list of columns (by position) or a map from header name to column',
    ]);
    expect(problems('header: false\ncolumns:\n  ip: source.ip')).toEqual([
      'feeds/bad.yaml: columns (line 3): columns by header name need header: true; without a header, give columns as a list',
    ]);
    expect(
      problems('header: false\ncolumns: [source.ip]\ncompose: { source.url: "http://{ip}/{3}" }'),
    ).toEqual([
      'feeds/bad.yaml: compose.source.url (line 3): {ip}: a file without a header has no column names; use positions ({0})',
      'feeds/bad.yaml: compose.source.url (line 3): {3}: there are only 1 columns (positions count from 0)',
    ]);
  });

  it('names the file and line of a YAML syntax error and of a key given twice', () => {
    expect(problems('columns: [source.ip\n')).toEqual([
      expect.stringMatching(/^feeds\/bad\.yaml \(line \d\): /),
    ]);
    expect(problems('columns: [source.ip]\ndelimiter: ","\ndelimiter: ";"')).toEqual([
      expect.stringMatching(/^feeds\/bad\.yaml \(line 3\): .*unique/i),
    ]);
  });

  it('throws an AppError, so that the CLI reports it as invalid input', () => {
    expect(() => parseCsvMapping(': :', 'x.yaml')).toThrow(AppError);
  });
});
