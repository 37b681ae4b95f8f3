import { isMap, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { z } from 'zod';
import { AppError, fieldSpec, isKnownField, sanitiseField, type FieldValue } from '../../core/index.ts';
import { compileTimeFormat, compileZone } from './csv-time.ts';

/**
 * The mapping file of the generic CSV feed (YAML): which column goes to which IDF field, with the options
 * CERT operators know from IntelMQ's generic CSV parser (columns by position, `|` alternatives, regex
 * extraction, value translation, JSON cells, composed fields, line filters, constants), plus what a
 * headed file allows: columns by header name, and every unmapped column kept as `extra.<column>`.
 * `config/mappings/*.yaml` are commented examples.
 */
export interface CsvMapping {
  /** The mapping file, for messages. */
  file: string;
  description: string | undefined;
  delimiter: string;
  /**
   * A regular expression that splits each line into columns instead of `delimiter`, for files that pad a
   * delimiter which also occurs inside values (DataPlane: `\s{2,}\|\s{2,}`). Quoting still follows `delimiter`.
   */
  splitPattern: string | undefined;
  /** The first line after `skipLines` (and comments) holds the column names. */
  header: boolean;
  skipLines: number;
  /** Lines whose first non-blank text starts with this are skipped; undefined: none are. */
  comment: string | undefined;
  trim: boolean;
  /** Rows with fewer columns than the header or column list: the missing ones are absent. */
  allowShortRows: boolean;
  unmapped: 'extra' | 'drop';
  /** Prepended with `://` to `*.url` values that have no scheme. */
  defaultUrlScheme: string | undefined;
  keepLinesContaining: string | undefined;
  dropLinesContaining: string | undefined;
  timeFormat: string;
  timeZone: string;
  /** True when columns were given as a list (by position), false when by header name. */
  positional: boolean;
  columns: CsvColumn[];
  /** Field → template with `{column}` or `{0}` placeholders. */
  compose: Record<string, string>;
  /** Fields set on every event that no column sets. */
  constants: Record<string, FieldValue>;
}

export interface CsvColumn {
  /** Header name, or 0-based position for a column list. */
  column: string | number;
  /** IDF fields tried in order; the first that accepts the value gets it. Empty: the column is ignored. */
  fields: string[];
  time: string | undefined;
  zone: string | undefined;
  extract: string | undefined;
  values: Record<string, string> | undefined;
  json: boolean;
  required: boolean;
  invalid: 'reject' | 'drop';
}

const ignoredNames = new Set(['', 'ignore', '__IGNORE__']);

const flag = z.boolean({ error: 'expected true or false' });

const fieldList = z.union([z.string(), z.array(z.string()).min(1)], {
  error: 'expected a field name or a list of field names',
});

const columnObject = z.strictObject({
  field: fieldList,
  time: z.string().min(1).optional(),
  zone: z.string().min(1).optional(),
  extract: z.string().min(1).optional(),
  values: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
  json: flag.optional(),
  required: flag.optional(),
  invalid: z.enum(['reject', 'drop']).optional(),
});

type ColumnInput = string | null | z.infer<typeof columnObject>;

const scalar = z.union([z.string(), z.number(), z.boolean()], {
  error: 'expected text, a number or true/false',
});

const mappingSchema = z.strictObject({
  description: z.string().optional(),
  delimiter: z
    .string()
    .refine((value) => value.length === 1 && value !== '"' && value !== '\n' && value !== '\r', {
      message: 'expected one character other than a quote or line break (use "\\t" for a tab)',
    })
    .default(','),
  split_pattern: z.string().min(1).optional(),
  header: flag.default(true),
  skip_lines: z
    .number({ error: 'expected a number of lines (0 or more)' })
    .int({ error: 'expected a whole number of lines' })
    .min(0, { error: 'expected a number of lines (0 or more)' })
    .default(0),
  comment: z.union([z.string().min(1), z.null()]).default('#'),
  trim: flag.default(true),
  allow_short_rows: flag.default(false),
  unmapped: z.enum(['extra', 'drop']).default('extra'),
  default_url_scheme: z
    .string()
    .regex(/^[a-z][a-z0-9+.-]*$/, { message: 'expected a URL scheme such as http' })
    .optional(),
  keep_lines_containing: z.string().min(1).optional(),
  drop_lines_containing: z.string().min(1).optional(),
  time_format: z.string().min(1).default('iso8601'),
  time_zone: z.string().min(1).default('UTC'),
  // Checked column by column in readColumns, so that a problem is named at its column.
  columns: z.unknown().optional(),
  compose: z.record(z.string(), z.string().min(1)).default({}),
  constants: z.record(z.string(), scalar).default({}),
});

type MappingInput = z.infer<typeof mappingSchema>;

interface Problem {
  path: (string | number)[];
  message: string;
}

/**
 * Reads and checks a mapping file. The problems found are listed in one `core.invalid_input` error, each as
 * `file: key.path (line N): what is wrong`: first those of shape (unknown keys, wrong types), then, once the
 * shape is right, those of meaning (unknown fields, time formats, patterns, constants).
 */
export function parseCsvMapping(yamlText: string, fileName: string): CsvMapping {
  const lineCounter = new LineCounter();
  const document = parseDocument(yamlText, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (document.errors.length > 0) {
    throw mappingError(
      fileName,
      document.errors.map((error) => {
        // prettyErrors is off (it would repeat the source in the message), so linePos is not filled in.
        const line = error.linePos?.[0].line ?? lineCounter.linePos(error.pos[0]).line;
        return `${fileName} (line ${line}): ${firstLine(error.message)}`;
      }),
    );
  }
  const lineOf = (path: (string | number)[]): number | undefined => {
    const node = document.getIn(path, true) as Node | undefined;
    const offset = node?.range?.[0] ?? keyOffset(document.contents, path);
    return offset === undefined ? undefined : lineCounter.linePos(offset).line;
  };
  const describe = (problems: Problem[]): string[] =>
    problems.map(({ path, message }) => {
      const line = lineOf(path);
      const where = path.length === 0 ? '(top level)' : path.join('.');
      return `${fileName}: ${where}${line === undefined ? '' : ` (line ${line})`}: ${message}`;
    });

  const input: unknown = document.toJS() ?? {};
  const parsed = mappingSchema.safeParse(input);
  const problems: Problem[] = [];
  if (!parsed.success) problems.push(...zodProblems(parsed.error, []));
  const columns = readColumns(
    typeof input === 'object' && input !== null && 'columns' in input ? input.columns : undefined,
    problems,
  );
  if (!parsed.success || columns === undefined) throw mappingError(fileName, describe(problems));
  const mapping = normalise(parsed.data, columns, fileName, problems);
  if (problems.length > 0) throw mappingError(fileName, describe(problems));
  return mapping;
}

function zodProblems(error: z.ZodError, prefix: (string | number)[]): Problem[] {
  return error.issues.flatMap((issue): Problem[] => {
    const path = [...prefix, ...issue.path.map(pathKey)];
    if (issue.code !== 'unrecognized_keys') return [{ path, message: issue.message }];
    return issue.keys.map((key) => ({ path: [...path, key], message: 'unknown key' }));
  });
}

/** The columns as a list (by position) or a map (by header name), each checked where it stands. */
function readColumns(value: unknown, problems: Problem[]): [string | number, ColumnInput][] | undefined {
  let entries: [string | number, unknown][];
  if (Array.isArray(value)) entries = value.map((spec, index): [number, unknown] => [index, spec]);
  else if (typeof value === 'object' && value !== null) entries = Object.entries(value);
  else {
    problems.push({
      path: ['columns'],
      message:
        value === undefined
          ? 'required: a list of columns (by position) or a map from header name to column'
          : 'expected a list of columns (by position) or a map from header name to column',
    });
    return undefined;
  }
  if (entries.length === 0) {
    problems.push({ path: ['columns'], message: 'no columns are given' });
    return undefined;
  }
  const columns: [string | number, ColumnInput][] = [];
  for (const [column, spec] of entries) {
    if (typeof spec === 'string' || spec === null) {
      columns.push([column, spec]);
      continue;
    }
    if (typeof spec !== 'object' || Array.isArray(spec)) {
      problems.push({
        path: ['columns', column],
        message: 'expected a field name, "ignore", or an object such as { field: source.ip }',
      });
      continue;
    }
    const parsed = columnObject.safeParse(spec);
    if (parsed.success) columns.push([column, parsed.data]);
    else problems.push(...zodProblems(parsed.error, ['columns', column]));
  }
  return columns.length === entries.length ? columns : undefined;
}

function normalise(
  input: MappingInput,
  entries: [string | number, ColumnInput][],
  file: string,
  problems: Problem[],
): CsvMapping {
  const positional = typeof entries[0]?.[0] === 'number';
  if (!positional && !input.header) {
    problems.push({
      path: ['columns'],
      message: 'columns by header name need header: true; without a header, give columns as a list',
    });
  }
  if (input.split_pattern !== undefined) {
    const pattern = checkPattern(input.split_pattern, ['split_pattern'], problems);
    if (pattern?.test('') === true) {
      problems.push({
        path: ['split_pattern'],
        message: 'the pattern matches empty text; it must match a delimiter',
      });
    }
  }
  const timeFormat = input.time_format;
  const timeZone = input.time_zone;
  checkTimeFormat(timeFormat, ['time_format'], problems);
  checkZone(timeZone, ['time_zone'], problems);

  const targets = new Map<string, string>();
  const columns = entries.map(([column, spec]) => {
    const path = ['columns', column];
    const parsed = normaliseColumn(column, spec, path, problems);
    for (const field of parsed.fields) {
      const previous = targets.get(field);
      if (previous !== undefined) {
        problems.push({ path, message: `${field} is already the target of column ${previous}` });
      }
      targets.set(field, String(column));
    }
    const timeFields = parsed.fields.filter((field) => fieldSpec(field)?.type === 'DateTime');
    if (
      (parsed.time !== undefined || parsed.zone !== undefined) &&
      timeFields.length !== parsed.fields.length
    ) {
      problems.push({
        path,
        message: 'time and zone apply to time fields (time.source, time.destination) only',
      });
    }
    if (parsed.time !== undefined) checkTimeFormat(parsed.time, [...path, 'time'], problems);
    if (parsed.zone !== undefined) checkZone(parsed.zone, [...path, 'zone'], problems);
    return parsed;
  });

  for (const [field, template] of Object.entries(input.compose)) {
    const path = ['compose', field];
    checkField(field, path, problems);
    if (targets.has(field)) problems.push({ path, message: `${field} is also the target of a column` });
    const references = [...template.matchAll(/\{([^{}]*)\}/g)].map((match) => match[1] ?? '');
    if (references.length === 0)
      problems.push({ path, message: 'the template refers to no column ({name} or {0})' });
    for (const reference of references) {
      const problem = composeReferenceProblem(reference, positional, input.header, entries);
      if (problem !== undefined) problems.push({ path, message: problem });
    }
  }

  const constants: Record<string, FieldValue> = {};
  for (const [field, value] of Object.entries(input.constants)) {
    const path = ['constants', field];
    if (!checkField(field, path, problems)) continue;
    const result = sanitiseField(field, value);
    if (!result.ok) problems.push({ path, message: result.reason });
    else if (result.value === undefined) problems.push({ path, message: 'the value means "absent"' });
    else constants[field] = value;
  }

  return {
    file,
    description: input.description,
    delimiter: input.delimiter,
    splitPattern: input.split_pattern,
    header: input.header,
    skipLines: input.skip_lines,
    comment: input.comment ?? undefined,
    trim: input.trim,
    allowShortRows: input.allow_short_rows,
    unmapped: input.unmapped,
    defaultUrlScheme: input.default_url_scheme,
    keepLinesContaining: input.keep_lines_containing,
    dropLinesContaining: input.drop_lines_containing,
    timeFormat,
    timeZone,
    positional,
    columns,
    compose: input.compose,
    constants,
  };
}

function normaliseColumn(
  column: string | number,
  spec: ColumnInput,
  path: (string | number)[],
  problems: Problem[],
): CsvColumn {
  const column0: CsvColumn = {
    column,
    fields: [],
    time: undefined,
    zone: undefined,
    extract: undefined,
    values: undefined,
    json: false,
    required: false,
    invalid: 'reject',
  };
  if (spec === null) return column0;
  const fieldNames = typeof spec === 'string' ? spec : spec.field;
  // IntelMQ's `a|b` alternatives; `ignore` among them means "drop the value when no field accepts it".
  const names = (Array.isArray(fieldNames) ? fieldNames : fieldNames.split('|')).map((name) => name.trim());
  const dropsInvalid = names.length > 1 && names.some((name) => ignoredNames.has(name));
  const fields = names.filter((name) => !ignoredNames.has(name));
  const fieldPath = typeof spec === 'string' ? path : [...path, 'field'];
  for (const field of fields) checkField(field, fieldPath, problems);
  if (typeof spec === 'string') {
    return { ...column0, fields, invalid: dropsInvalid ? 'drop' : 'reject' };
  }
  if (spec.extract !== undefined) checkPattern(spec.extract, [...path, 'extract'], problems);
  if (spec.json === true && !fields.every((field) => field.startsWith('extra.'))) {
    problems.push({ path: [...path, 'json'], message: 'json applies to extra.* fields only' });
  }
  if (fields.length === 0 && names.length > 0) {
    problems.push({
      path: [...path, 'field'],
      message: 'an ignored column takes no options; write the column as "ignore"',
    });
  }
  const values =
    spec.values === undefined
      ? undefined
      : Object.fromEntries(
          Object.entries(spec.values).map(([from, to]) => [from, to === null ? '' : String(to)]),
        );
  return {
    column,
    fields,
    time: spec.time,
    zone: spec.zone,
    extract: spec.extract,
    values,
    json: spec.json ?? false,
    required: spec.required ?? false,
    invalid: spec.invalid ?? (dropsInvalid ? 'drop' : 'reject'),
  };
}

function checkField(field: string, path: (string | number)[], problems: Problem[]): boolean {
  if (isKnownField(field)) return true;
  const message = field.startsWith('extra.')
    ? `"${field}" is not a valid extra key (lower-case letters, digits, _ and dots)`
    : `"${field}" is not an IDF field`;
  problems.push({ path, message });
  return false;
}

function checkPattern(pattern: string, path: (string | number)[], problems: Problem[]): RegExp | undefined {
  try {
    return new RegExp(pattern);
  } catch (error) {
    problems.push({ path, message: `not a valid regular expression: ${(error as Error).message}` });
    return undefined;
  }
}

function checkTimeFormat(format: string, path: (string | number)[], problems: Problem[]): void {
  const compiled = compileTimeFormat(format, 'UTC');
  if (typeof compiled !== 'function') problems.push({ path, message: compiled.error });
}

function checkZone(zone: string, path: (string | number)[], problems: Problem[]): void {
  const compiled = compileZone(zone);
  if ('error' in compiled) problems.push({ path, message: compiled.error });
}

function composeReferenceProblem(
  reference: string,
  positional: boolean,
  header: boolean,
  entries: [string | number, ColumnInput][],
): string | undefined {
  if (/^\d+$/.test(reference)) {
    if (!positional) return `{${reference}}: columns are given by name; refer to them by name`;
    if (!header && Number(reference) >= entries.length) {
      return `{${reference}}: there are only ${entries.length} columns (positions count from 0)`;
    }
    return undefined;
  }
  if (!header) return `{${reference}}: a file without a header has no column names; use positions ({0})`;
  return undefined;
}

function mappingError(fileName: string, problems: string[]): AppError {
  return new AppError('core.invalid_input', `Invalid CSV mapping file ${fileName}:\n${problems.join('\n')}`, {
    details: { file: fileName, problems },
  });
}

/** The offset of a key in a map, for problems about a missing or unknown key (which has no value node). */
function keyOffset(contents: unknown, path: (string | number)[]): number | undefined {
  let node: unknown = contents;
  let offset: number | undefined;
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find(
        (item) => String((item.key as { value?: unknown } | null)?.value) === String(key),
      );
      if (pair === undefined) return offset;
      offset = (pair.key as Node | null)?.range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof key === 'number') {
      node = node.items[key];
      offset = (node as Node | undefined)?.range?.[0] ?? offset;
    } else return offset;
  }
  return offset;
}

function pathKey(key: PropertyKey): string | number {
  return typeof key === 'number' ? key : String(key);
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
