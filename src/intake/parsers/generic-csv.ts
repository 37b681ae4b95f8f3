import { AppError, buildEvent, fieldSpec, isExtraField, sanitiseField } from '../../core/index.ts';
import type { CsvColumn, CsvMapping } from './csv-mapping.ts';
import { isCsvProblem, readCsv, type CsvRecord } from './csv-reader.ts';
import { compileTimeFormat, type TimeParser } from './csv-time.ts';
import type { FeedParser, ParseItem, ParseOptions, Reject } from './types.ts';

/**
 * The generic CSV feed: a mapping file says which column goes to which IDF field. The mapping is compiled
 * once (regexes, time parsers, value maps); the header, when there is one, resolves names to positions;
 * after that each row is one pass over a flat list of cell plans. `raw` is the header line, a line break
 * and the record as the feed wrote it (IntelMQ re-serialises the row instead; see the conformance tests).
 */
export function createGenericCsvParser(mapping: CsvMapping): FeedParser {
  const compiled = compileMapping(mapping);
  return (input, options) => parseGenericCsv(compiled, input, options);
}

interface Target {
  field: string;
  time: TimeParser | undefined;
  urlPrefix: string | undefined;
}

interface CellPlan {
  index: number;
  /** The column as reject reasons name it: its header name, or `column 3` without one. */
  label: string;
  targets: Target[];
  extract: RegExp | undefined;
  values: Map<string, string> | undefined;
  json: boolean;
  required: boolean;
  dropInvalid: boolean;
}

interface ComposePlan {
  field: string;
  /** Literal text and column references, alternating: `["http://", 0, "", 1, ""]`. */
  parts: (string | number)[];
}

interface CompiledMapping {
  mapping: CsvMapping;
  split: RegExp | undefined;
  /** Cell plans before the header resolves names (`index` is -1 for named columns). */
  columns: { spec: CsvColumn; plan: Omit<CellPlan, 'index' | 'label'> }[];
  compose: { field: string; parts: (string | { ref: string })[] }[];
}

interface RowPlan {
  width: number;
  headerText: string | undefined;
  cells: CellPlan[];
  compose: ComposePlan[];
  /** IDF field → the column it came from, to name the column when buildEvent rejects a field. */
  columnOfField: Map<string, string>;
}

function compileMapping(mapping: CsvMapping): CompiledMapping {
  const urlPrefix = mapping.defaultUrlScheme === undefined ? undefined : `${mapping.defaultUrlScheme}://`;
  const defaultTime = timeParser(mapping.timeFormat, mapping.timeZone);
  const target = (field: string, time: TimeParser | undefined): Target => ({
    field,
    time: fieldSpec(field)?.type === 'DateTime' ? (time ?? defaultTime) : undefined,
    urlPrefix: field.endsWith('.url') ? urlPrefix : undefined,
  });
  const columns = mapping.columns.map((spec) => {
    const time =
      spec.time === undefined && spec.zone === undefined
        ? undefined
        : timeParser(spec.time ?? mapping.timeFormat, spec.zone ?? mapping.timeZone);
    return {
      spec,
      plan: {
        targets: spec.fields.map((field) => target(field, time)),
        extract: spec.extract === undefined ? undefined : new RegExp(spec.extract),
        values: spec.values === undefined ? undefined : new Map(Object.entries(spec.values)),
        json: spec.json,
        required: spec.required,
        dropInvalid: spec.invalid === 'drop',
      },
    };
  });
  const compose = Object.entries(mapping.compose).map(([field, template]) => ({
    field,
    parts: template.split(/\{([^{}]*)\}/).map((part, i) => (i % 2 === 0 ? part : { ref: part })),
  }));
  const split = mapping.splitPattern === undefined ? undefined : new RegExp(mapping.splitPattern);
  return { mapping, split, columns, compose };
}

function timeParser(format: string, zone: string): TimeParser {
  const parser = compileTimeFormat(format, zone);
  // parseCsvMapping has checked every format and zone; a mapping built by hand may not have been.
  if (typeof parser !== 'function') throw new AppError('core.invalid_input', parser.error);
  return parser;
}

/** Resolves the compiled mapping against the header (or the column list) of this input. */
function planRows(compiled: CompiledMapping, header: CsvRecord | undefined): RowPlan {
  const { mapping } = compiled;
  const names = header?.fields.map((name) => name.trim());
  const labelOf = (index: number): string => names?.[index] || `column ${index + 1}`;
  const missing: string[] = [];
  const indexOf = (column: string | number): number => {
    if (typeof column === 'number') return column;
    const index = names?.indexOf(column) ?? -1;
    if (index === -1) missing.push(column);
    return index;
  };

  const cells: CellPlan[] = [];
  const used = new Set<number>();
  for (const { spec, plan } of compiled.columns) {
    const index = indexOf(spec.column);
    used.add(index);
    if (index >= 0 && plan.targets.length > 0) cells.push({ ...plan, index, label: labelOf(index) });
  }
  const compose: ComposePlan[] = compiled.compose.map(({ field, parts }) => ({
    field,
    parts: parts.map((part) =>
      typeof part === 'string' ? part : indexOf(/^\d+$/.test(part.ref) ? Number(part.ref) : part.ref),
    ),
  }));
  if (missing.length > 0) {
    throw new AppError(
      'intake.unreadable_input',
      `The header has no column ${missing.map((name) => `"${name}"`).join(', ')} that the mapping ${mapping.file} names.`,
      { details: { missing, header: names } },
    );
  }

  const width = names?.length ?? mapping.columns.length;
  const columnOfField = new Map<string, string>();
  for (const cell of cells) for (const target of cell.targets) columnOfField.set(target.field, cell.label);
  if (names !== undefined && mapping.unmapped === 'extra') {
    const taken = new Set(columnOfField.keys());
    for (let index = 0; index < names.length; index++) {
      if (used.has(index)) continue;
      const field = uniqueExtraField(names[index] ?? '', index, taken);
      taken.add(field);
      const label = labelOf(index);
      columnOfField.set(field, label);
      cells.push({
        index,
        label,
        targets: [{ field, time: undefined, urlPrefix: undefined }],
        extract: undefined,
        values: undefined,
        json: false,
        required: false,
        dropInvalid: false,
      });
    }
  }
  return { width, headerText: header?.text, cells, compose, columnOfField };
}

/** `extra.<column>` with the column name made a valid IntelMQ key (`Feed-Source` → `extra.feed_source`). */
function uniqueExtraField(name: string, index: number, taken: Set<string>): string {
  const key = name
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '');
  let field = `extra.${key}`;
  if (!isExtraField(field)) field = `extra.column_${index + 1}`;
  let candidate = field;
  for (let n = 2; taken.has(candidate); n++) candidate = `${field}_${n}`;
  return candidate;
}

async function* parseGenericCsv(
  compiled: CompiledMapping,
  input: AsyncIterable<string>,
  options: ParseOptions,
): AsyncGenerator<ParseItem[]> {
  const { mapping } = compiled;
  let plan: RowPlan | undefined = mapping.header ? undefined : planRows(compiled, undefined);
  let sawContent = false;
  for await (const batch of readCsv(input, { delimiter: mapping.delimiter })) {
    const out: ParseItem[] = [];
    for (const item of batch) {
      if (item.line <= mapping.skipLines) continue;
      if (isCsvProblem(item)) {
        sawContent = true;
        if (plan === undefined) {
          throw new AppError('intake.unreadable_input', `The header line cannot be read: ${item.problem}`);
        }
        out.push({ kind: 'reject', line: item.line, reason: item.problem });
        continue;
      }
      const kind = lineKind(item.text, mapping.comment);
      if (kind === 'blank') continue;
      sawContent = true;
      if (kind === 'comment') continue;
      const record =
        compiled.split === undefined ? item : { ...item, fields: item.text.split(compiled.split) };
      if (plan === undefined) {
        plan = planRows(compiled, record);
        continue;
      }
      if (mapping.keepLinesContaining !== undefined && !item.text.includes(mapping.keepLinesContaining))
        continue;
      if (mapping.dropLinesContaining !== undefined && item.text.includes(mapping.dropLinesContaining))
        continue;
      out.push(parseRow(mapping, plan, record, options));
    }
    if (out.length > 0) yield out;
  }
  if (!sawContent) throw new AppError('intake.unreadable_input', 'The input is empty.');
  if (plan === undefined) {
    throw new AppError(
      'intake.unreadable_input',
      `The input has no header line (the mapping ${mapping.file} expects one).`,
    );
  }
}

function lineKind(text: string, comment: string | undefined): 'blank' | 'comment' | 'data' {
  let i = 0;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code !== 32 && code !== 9 && code !== 13 && code !== 12 && code !== 11) break;
    i++;
  }
  if (i === text.length) return 'blank';
  return comment !== undefined && text.startsWith(comment, i) ? 'comment' : 'data';
}

function parseRow(mapping: CsvMapping, plan: RowPlan, record: CsvRecord, options: ParseOptions): ParseItem {
  const { line } = record;
  const count = record.fields.length;
  if (count > plan.width || (count < plan.width && !mapping.allowShortRows)) {
    return { kind: 'reject', line, reason: `found ${count} columns, expected ${plan.width}` };
  }
  const fields: Record<string, unknown> = {};
  for (const cell of plan.cells) {
    const problem = mapCell(mapping.trim, cell, record.fields[cell.index], fields);
    if (problem !== undefined) return problem.reject(line);
  }
  for (const { field, parts } of plan.compose) {
    let value = '';
    let complete = true;
    for (const part of parts) {
      if (typeof part === 'string') value += part;
      else {
        const cell = record.fields[part]?.trim() ?? '';
        if (cell === '') complete = false;
        value += cell;
      }
    }
    if (complete) fields[field] = value;
  }
  for (const [field, value] of Object.entries(mapping.constants)) fields[field] ??= value;
  if (options.feedName !== undefined) fields['feed.name'] = options.feedName;
  fields['time.observation'] ??= options.observationTime;

  const built = buildEvent(fields);
  if (!built.ok) {
    const column = plan.columnOfField.get(built.field);
    return {
      kind: 'reject',
      line,
      field: built.field,
      reason:
        column === undefined ? built.reason : `${built.field} from ${columnWords(column)}: ${built.reason}`,
    };
  }
  for (const cell of plan.cells) {
    if (cell.required && !cell.targets.some((target) => built.event[target.field] !== undefined)) {
      return {
        kind: 'reject',
        line,
        field: cell.targets[0]?.field ?? cell.label,
        reason: `${columnWords(cell.label)} is required but has no value`,
      };
    }
  }
  const raw = plan.headerText === undefined ? record.text : `${plan.headerText}\n${record.text}`;
  return { kind: 'event', line, event: built.event, raw };
}

interface CellProblem {
  reject: (line: number) => Reject;
}

/** Rejects name the IDF field at fault (the column's first when the cell failed before any field took it). */
function cellProblem(cell: CellPlan, field: string | undefined, reason: string): CellProblem {
  const what = field === undefined ? columnWords(cell.label) : `${field} from ${columnWords(cell.label)}`;
  const named = field ?? cell.targets[0]?.field ?? cell.label;
  return { reject: (line) => ({ kind: 'reject', line, field: named, reason: `${what}: ${reason}` }) };
}

/** Puts one cell's value into `fields`; returns the problem when the row must be rejected. */
function mapCell(
  trim: boolean,
  cell: CellPlan,
  cellText: string | undefined,
  fields: Record<string, unknown>,
): CellProblem | undefined {
  if (cellText === undefined) return undefined;
  let text = trim ? cellText.trim() : cellText;
  if (cell.extract !== undefined && text !== '') {
    const match = cell.extract.exec(text);
    if (match === null) {
      if (cell.dropInvalid) return undefined;
      return cellProblem(cell, undefined, `"${clip(text)}" does not match the extract pattern`);
    }
    text = match[1] ?? match[0];
  }
  if (cell.values !== undefined) text = cell.values.get(text) ?? text;
  if (text === '') return undefined;
  let value: unknown = text;
  if (cell.json) {
    try {
      value = JSON.parse(text);
    } catch {
      if (cell.dropInvalid) return undefined;
      return cellProblem(cell, undefined, `"${clip(text)}" is not valid JSON`);
    }
  }
  const single = cell.targets.length === 1 && !cell.dropInvalid;
  let lastProblem: CellProblem | undefined;
  for (const target of cell.targets) {
    let converted = value;
    if (target.time !== undefined && typeof value === 'string') {
      const time = target.time(value);
      if (!time.ok) {
        lastProblem = cellProblem(cell, target.field, time.reason);
        continue;
      }
      converted = time.value;
    }
    if (target.urlPrefix !== undefined && typeof converted === 'string' && !converted.includes('://')) {
      converted = target.urlPrefix + converted;
    }
    // One field and no fallback: buildEvent sanitises it anyway, so do not do it twice.
    if (single) {
      fields[target.field] = converted;
      return undefined;
    }
    const result = sanitiseField(target.field, converted);
    if (result.ok) {
      if (result.value !== undefined) fields[target.field] = result.value;
      return undefined;
    }
    lastProblem = cellProblem(cell, target.field, result.reason);
  }
  return cell.dropInvalid ? undefined : lastProblem;
}

/** `column "ip"` for a named column, `column 3` as it is. */
function columnWords(label: string): string {
  return /^column \d+$/.test(label) ? label : `column "${label}"`;
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
