/**
 * The Shadowserver report parser: an interpreter of Shadowserver's published IntelMQ schema
 * (`shadowserver-schema.ts`). It follows IntelMQ's ShadowserverParserBot (`parse_line` in
 * intelmq/bots/parsers/shadowserver/parser.py) field for field, with the differences named below.
 *
 * Per header, the report's mappings are compiled once into a plan of steps with column indexes and output
 * slots; a row then costs its event object (a copy of a cached template, see `EventBuilder`), its `raw` text
 * and the sanitised values. The conformance test with IntelMQ names the same differences.
 *
 * Where Tocsin differs from IntelMQ 3.3, on purpose:
 * - `severity` and `product.*` are IDF fields (IntelMQ 3.5); IntelMQ 3.3 put them in `extra.`.
 * - A row with more or fewer fields than the header is rejected: IntelMQ reads missing trailing fields as
 *   empty, which cannot be told from a truncated row.
 * - A required field whose value its conversion refuses (`validate_ip` on a malformed address) rejects the
 *   row; IntelMQ keeps the row without the field and the value in `extra.<column>`. `validate_ip` refuses a
 *   value with a "/" that is no network; IntelMQ drops any value with a "/".
 * - An empty `convert_date_utc` value is absent; IntelMQ's dateutil makes it midnight of the current day.
 * - A rejected record that spans lines (a stray quote) rejects its first line only: the lines after it are
 *   read again. IntelMQ's csv module loses them into the bad record.
 * - `extra.` keys follow IDF's key rule: a column name that breaks it is normalised (IntelMQ keeps it).
 */
import {
  AppError,
  fieldSpec,
  isExtraField,
  sanitiseField,
  sanitiseValue,
  type Event,
  type FieldSpec,
} from '../../core/index.ts';
import { readCsv, isCsvProblem, type CsvRecord } from './csv-reader.ts';
import { conversions, isRefusal, type Conversion, type RowView } from './shadowserver-conversions.ts';
import {
  findShadowserverReport,
  reportTypeInFileName,
  type ShadowserverFieldMapping,
  type ShadowserverReport,
  type ShadowserverSchema,
} from './shadowserver-schema.ts';
import type { FeedParser, ParseItem, ParseOptions, Reject } from './types.ts';

// Events handed on at a time: as few as the CSV reader's batches, for the same reason (see `readCsv`).
const batchSize = 32;

// What a step does with its value; IntelMQ's `parse_line` branches, precomputed per mapping.
const toField = 0;
const toExtra = 1;
const toNothing = 2;
const toUnknownKey = 3;
type Target = typeof toField | typeof toExtra | typeof toNothing | typeof toUnknownKey;

// The outcome of one step for one value.
const set = 0; // write `outValue` to the step's key; the column is used
const used = 1; // nothing to write; the column is used
const none = 2; // IntelMQ's None: a required column stays for extra, an optional one is used
const kept = 3; // the sanitiser refused an optional value: the column stays and lands in extra
const refused = 4; // the row is rejected with `outReason`
type Outcome = typeof set | typeof used | typeof none | typeof kept | typeof refused;

/** One column mapping compiled against a header, with a one-value memo of its last outcome. */
interface Step {
  required: boolean;
  column: string;
  index: number;
  slot: number;
  target: Target;
  key: string;
  spec: FieldSpec | undefined;
  /** The step's key in the plan's `EventBuilder`. */
  outSlot: number;
  /** What a reject names: the IDF field for a step that fills one, else the CSV column. */
  faultField: string;
  conversionName: string | undefined;
  conversion: Conversion | undefined;
  readsRow: boolean;
  checkCollision: boolean;
  memoRaw: string | undefined;
  outcome: Outcome;
  outValue: unknown;
  outReason: string;
}

/** A report's mappings compiled against one header. */
interface Plan {
  headerText: string;
  width: number;
  /** Why every row is rejected (a required column missing from the header, an invalid schema constant). */
  rejectAll: { field: string; reason: string } | undefined;
  required: Step[];
  optional: Step[];
  /** Output slots (see `EventBuilder`) of the schema's constants; `undefined` removes the field. */
  constants: [slot: number, value: unknown][];
  extraConstants: [slot: number, value: unknown][];
  /** Per column name: its header index (last occurrence, as Python's DictReader) and its `extra.` slot. */
  slots: { index: number; extraSlot: number }[];
  builder: EventBuilder;
  baseCounts: Int32Array;
  counts: Int32Array;
  row: Row;
}

class Row implements RowView {
  fields: readonly string[] = [];
  readonly #index: ReadonlyMap<string, number>;

  constructor(index: ReadonlyMap<string, number>) {
    this.#index = index;
  }

  has(column: string): boolean {
    return this.#index.has(column);
  }

  get(column: string): string | undefined {
    const index = this.#index.get(column);
    return index === undefined ? undefined : this.fields[index];
  }
}

interface Shape {
  next: (Shape | undefined)[];
  /** An event with this shape's keys in order, the fixed values set and `null` for the others. */
  template: Event | undefined;
}

// Beyond this many distinct key sequences in one file, events are built key by key.
const maxShapes = 1024;

/**
 * Builds a plan's events. A fresh object given some 25 keys one by one turns into a slow hash table in V8
 * (more than a dozen keys added by computed name); so each distinct sequence of keys gets a template
 * object once, which each row copies and fills. The feed and classification values, the same in every row,
 * are in the template already. Keys are numbered slots, so a row costs no string hashing either.
 */
class EventBuilder {
  readonly #keys: string[] = [];
  readonly #slotOfKey = new Map<string, number>();
  readonly #fixed: unknown[] = [];
  #firstFree = 0;
  #stamp = new Int32Array(0);
  #values: unknown[] = [];
  #order = new Int32Array(0);
  #count = 0;
  #row = 0;
  #root: Shape = { next: [], template: undefined };
  #shapes = 0;

  /** The slot of a key, made on first use (while the plan is compiled). */
  slot(key: string): number {
    let slot = this.#slotOfKey.get(key);
    if (slot === undefined) {
      slot = this.#keys.length;
      this.#keys.push(key);
      this.#slotOfKey.set(key, slot);
      this.#fixed.push(undefined);
    }
    return slot;
  }

  /**
   * Declares the value that a slot ends with in every row that sets it: a schema constant, set in each row
   * after the mappings. A `leading` slot (the parse's template: feed, observation time) starts every row;
   * leading slots come first.
   */
  fix(slot: number, value: unknown, leading = false): void {
    this.#fixed[slot] = value;
    if (leading && slot === this.#firstFree) this.#firstFree++;
  }

  /** Call once the plan is compiled. */
  seal(): void {
    const size = this.#keys.length;
    this.#stamp = new Int32Array(size);
    this.#order = new Int32Array(size);
    this.#values = new Array<unknown>(size).fill(undefined);
    this.#root = this.#shape();
  }

  // A filled array: indexing a sparse one by slot would make V8 keep it as a slow hash table.
  #shape(): Shape {
    return { next: new Array<Shape | undefined>(this.#keys.length).fill(undefined), template: undefined };
  }

  begin(): void {
    // Stamps are Int32: after 2^31 rows of one header, start the count again.
    if (this.#row === 0x7fffffff) {
      this.#stamp.fill(0);
      this.#row = 0;
    }
    const row = ++this.#row;
    const stamp = this.#stamp;
    const order = this.#order;
    for (let slot = 0; slot < this.#firstFree; slot++) {
      stamp[slot] = row;
      order[slot] = slot;
    }
    this.#count = this.#firstFree;
  }

  has(slot: number): boolean {
    return this.#stamp[slot] === this.#row;
  }

  set(slot: number, value: unknown): void {
    if (this.#stamp[slot] !== this.#row) {
      this.#stamp[slot] = this.#row;
      this.#order[this.#count++] = slot;
    }
    this.#values[slot] = value;
  }

  /** Removes a slot for good in this row (nothing sets it after). */
  remove(slot: number): void {
    this.#stamp[slot] = 0;
  }

  build(): Event {
    const order = this.#order;
    const count = this.#count;
    const stamp = this.#stamp;
    const row = this.#row;
    const keys = this.#keys;
    const fixed = this.#fixed;
    const values = this.#values;
    let shape: Shape | undefined = this.#root;
    for (let at = 0; at < count && shape !== undefined; at++) {
      const slot = order[at] as number;
      if (stamp[slot] !== row) continue;
      let next: Shape | undefined = shape.next[slot];
      if (next === undefined && this.#shapes < maxShapes) {
        this.#shapes++;
        next = this.#shape();
        shape.next[slot] = next;
      }
      shape = next;
    }
    if (shape === undefined) {
      const event: Event = {};
      for (let at = 0; at < count; at++) {
        const slot = order[at] as number;
        if (stamp[slot] === row) event[keys[slot] as string] = fixed[slot] ?? values[slot];
      }
      return event;
    }
    shape.template ??= this.#templateOf(order.subarray(0, count));
    const event: Event = { ...shape.template };
    for (let at = 0; at < count; at++) {
      const slot = order[at] as number;
      if (stamp[slot] === row && fixed[slot] === undefined) event[keys[slot] as string] = values[slot];
    }
    return event;
  }

  #templateOf(order: Int32Array): Event {
    const entries: [string, unknown][] = [];
    for (const slot of order) {
      if (this.#stamp[slot] === this.#row)
        entries.push([this.#keys[slot] as string, this.#fixed[slot] ?? null]);
    }
    // JSON.parse makes an object with fast properties, whose copies stay fast when their values are set.
    return JSON.parse(JSON.stringify(Object.fromEntries(entries))) as Event;
  }
}

// IntelMQ's Message.add ignores exactly these values.
function isIgnored(value: unknown): boolean {
  return value === '' || value === '-' || value === 'N/A';
}

/** An `extra.` key for a column; names that break IDF's key rule are lower-cased and reduced to [a-z0-9_.]. */
function extraKeyOf(name: string, index: number): string {
  const key = `extra.${name}`;
  if (isExtraField(key)) return key;
  const cleaned = name
    .toLowerCase()
    .replace(/[^a-z0-9_.]+/g, '_')
    .replace(/\.{2,}/g, '.')
    .replace(/^\.+|\.+$/g, '');
  const candidate = `extra.${cleaned}`;
  return cleaned !== '' && isExtraField(candidate) ? candidate : `extra.column_${index + 1}`;
}

function compileStep(
  mapping: ShadowserverFieldMapping,
  required: boolean,
  columns: ReadonlyMap<string, number>,
  slotOf: ReadonlyMap<string, number>,
  builder: EventBuilder,
): Step {
  const index = columns.get(mapping.column) ?? -1;
  const { key } = mapping;
  let target: Target;
  let eventKey: string;
  let spec: FieldSpec | undefined;
  if (key === false) {
    target = toNothing;
    eventKey = '';
  } else if (key === 'extra.') {
    target = toExtra;
    eventKey = extraKeyOf(mapping.column, index);
  } else if (key.startsWith('extra.')) {
    target = toExtra;
    eventKey = extraKeyOf(key.slice('extra.'.length), index);
  } else {
    spec = fieldSpec(key);
    target = spec === undefined ? toUnknownKey : toField;
    eventKey = spec === undefined ? extraKeyOf(key, index) : key;
  }
  return {
    required,
    column: mapping.column,
    index,
    slot: slotOf.get(mapping.column) ?? -1,
    target,
    key: eventKey,
    outSlot: target === toNothing ? -1 : builder.slot(eventKey),
    spec,
    faultField: target === toField ? eventKey : mapping.column,
    conversionName: mapping.conversion,
    conversion: mapping.conversion === undefined ? undefined : conversions[mapping.conversion],
    readsRow: mapping.passRow,
    checkCollision: false,
    memoRaw: undefined,
    outcome: none,
    outValue: undefined,
    outReason: '',
  };
}

function compileConstants(report: ShadowserverReport, plan: Plan): void {
  for (const [key, value] of Object.entries(report.constantFields)) {
    if (isExtraField(key)) {
      plan.extraConstants.push([plan.builder.slot(key), value]);
      continue;
    }
    const result = sanitiseField(key, value);
    if (!result.ok) {
      plan.rejectAll ??= {
        field: key,
        reason: `the schema's constant ${key}=${JSON.stringify(value)} for ${report.name} is not valid: ${result.reason}`,
      };
      continue;
    }
    const slot = plan.builder.slot(key);
    plan.constants.push([slot, result.value]);
    if (result.value !== undefined) plan.builder.fix(slot, result.value);
  }
}

function compilePlan(report: ShadowserverReport, header: CsvRecord, template: Event): Plan {
  const builder = new EventBuilder();
  for (const [key, value] of Object.entries(template)) builder.fix(builder.slot(key), value, true);
  const columns = new Map<string, number>();
  header.fields.forEach((name, index) => columns.set(name, index));
  const slotOf = new Map<string, number>();
  const slots: Plan['slots'] = [];
  const baseCounts: number[] = [];
  for (const name of header.fields) {
    const slot = slotOf.get(name);
    if (slot !== undefined) {
      baseCounts[slot] = (baseCounts[slot] ?? 0) + 1;
      continue;
    }
    const index = columns.get(name) ?? 0;
    slotOf.set(name, slots.length);
    slots.push({ index, extraSlot: -1 });
    baseCounts.push(1);
  }
  const plan: Plan = {
    headerText: header.text,
    width: header.fields.length,
    rejectAll: undefined,
    required: report.requiredFields.map((mapping) => compileStep(mapping, true, columns, slotOf, builder)),
    optional: report.optionalFields
      .filter((mapping) => columns.has(mapping.column))
      .map((mapping) => compileStep(mapping, false, columns, slotOf, builder)),
    constants: [],
    extraConstants: [],
    slots,
    baseCounts: Int32Array.from(baseCounts),
    counts: new Int32Array(baseCounts.length),
    row: new Row(columns),
    builder,
  };
  const missing = plan.required.find((step) => step.index < 0);
  if (missing !== undefined) {
    plan.rejectAll = {
      field: missing.column,
      reason:
        `required column "${missing.column}" of ${report.name} is not in the header ` +
        '(a change in Shadowserver’s format, or the wrong report type)',
    };
  }
  // IntelMQ raises KeyExists when a key is set twice; only keys that can already be present need the check.
  const seen = new Set(Object.keys(template));
  for (const step of [...plan.required, ...plan.optional]) {
    if (step.target !== toField) continue;
    step.checkCollision = seen.has(step.key);
    seen.add(step.key);
  }
  compileConstants(report, plan);
  for (const slot of slots)
    slot.extraSlot = builder.slot(extraKeyOf(header.fields[slot.index] ?? '', slot.index));
  builder.seal();
  return plan;
}

function describeValue(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
}

/** Converts and sanitises one value into the step's `outcome`, `outValue` and `outReason`. */
function resolve(step: Step, raw: string, row: Row): void {
  if (!step.readsRow && raw === step.memoRaw) return;
  step.memoRaw = step.readsRow ? undefined : raw;
  let value: unknown = raw;
  if (step.conversion !== undefined) {
    const converted = step.conversion(raw, row);
    if (isRefusal(converted)) {
      if (converted.kind === 'error' || step.required) {
        step.outcome = refused;
        step.outReason = `${step.column}: ${step.conversionName ?? 'conversion'} refused it: ${converted.refused}`;
        return;
      }
      value = undefined;
    } else {
      value = converted;
    }
  }
  if (value === undefined) {
    step.outcome = none;
    return;
  }
  switch (step.target) {
    case toNothing:
      step.outcome = used;
      return;
    case toExtra:
      // For an optional `extra.` mapping IntelMQ keeps even "" (message.py: extra values are never ignored).
      step.outcome = step.required && isIgnored(value) ? used : set;
      step.outValue = value;
      return;
    case toUnknownKey:
      if (step.required) {
        step.outcome = refused;
        step.outReason = `${step.column}: the schema maps it to ${step.key.slice(6)}, which is not an IDF field`;
        return;
      }
      step.outcome = isIgnored(value) ? used : set;
      step.outValue = value;
      return;
    case toField: {
      if (isIgnored(value) || step.spec === undefined) {
        step.outcome = used;
        return;
      }
      const result = sanitiseValue(step.spec, value);
      if (result.ok) {
        step.outcome = result.value === undefined ? used : set;
        step.outValue = result.value;
      } else if (step.required) {
        step.outcome = refused;
        step.outReason = `${step.column}: ${describeValue(raw)} is not a valid ${step.key}: ${result.reason}`;
      } else {
        step.outcome = kept;
      }
      return;
    }
  }
}

function widthProblem(width: number, headerWidth: number): string {
  return `the row has ${width} ${width === 1 ? 'field' : 'fields'}, the header ${headerWidth}`;
}

function rejectOf(line: number, reason: string, field?: string): Reject {
  return field === undefined ? { kind: 'reject', line, reason } : { kind: 'reject', line, field, reason };
}

/**
 * One row to an event, following IntelMQ's `parse_line`: required fields, optional fields, constants, then
 * every column still unused (non-empty) as `extra.<column>`. `counts` is IntelMQ's list of unused columns.
 */
function parseRow(plan: Plan, record: CsvRecord): ParseItem {
  const fields = record.fields;
  if (fields.length !== plan.width) {
    return rejectOf(record.line, widthProblem(fields.length, plan.width));
  }
  if (plan.rejectAll !== undefined) return rejectOf(record.line, plan.rejectAll.reason, plan.rejectAll.field);
  if (!record.text.isWellFormed()) return rejectOf(record.line, 'the row is not valid Unicode text');
  const counts = plan.counts;
  counts.set(plan.baseCounts);
  const row = plan.row;
  row.fields = fields;
  const builder = plan.builder;
  builder.begin();
  for (const step of plan.required) {
    resolve(step, fields[step.index] ?? '', row);
    const outcome = step.outcome;
    if (outcome === refused) return rejectOf(record.line, step.outReason, step.faultField);
    if (outcome === none || outcome === kept) continue;
    if (outcome === set) {
      if (step.checkCollision && builder.has(step.outSlot)) {
        return rejectOf(record.line, `${step.column}: ${step.key} is mapped twice`, step.column);
      }
      builder.set(step.outSlot, step.outValue);
    }
    (counts[step.slot] as number)--;
  }
  for (const step of plan.optional) {
    if (counts[step.slot] === 0) counts[step.slot] = 1;
    resolve(step, fields[step.index] ?? '', row);
    const outcome = step.outcome;
    if (outcome === refused) return rejectOf(record.line, step.outReason, step.faultField);
    if (outcome === kept) continue;
    if (outcome === set) {
      if (step.checkCollision && builder.has(step.outSlot)) {
        return rejectOf(record.line, `${step.column}: ${step.key} is mapped twice`, step.column);
      }
      builder.set(step.outSlot, step.outValue);
    }
    (counts[step.slot] as number)--;
  }
  for (const [slot, value] of plan.constants) {
    if (value === undefined) builder.remove(slot);
    else builder.set(slot, value);
  }
  for (const [slot, value] of plan.extraConstants) if (!builder.has(slot)) builder.set(slot, value);
  const slots = plan.slots;
  for (let slot = 0; slot < slots.length; slot++) {
    if ((counts[slot] as number) <= 0) continue;
    const { index, extraSlot } = slots[slot] as Plan['slots'][number];
    const value = fields[index] as string;
    if (value !== '') builder.set(extraSlot, value);
  }
  return {
    kind: 'event',
    line: record.line,
    event: builder.build(),
    raw: `${plan.headerText}\n${record.text}`,
    rawHeader: plan.headerText,
    rawRecord: record.text,
  };
}

function resolveReport(schema: ShadowserverSchema, options: ParseOptions): ShadowserverReport {
  const { fileName, reportType } = options;
  const details = { fileName, reportType };
  if (reportType !== undefined) {
    const report = findShadowserverReport(schema, reportType);
    if (report !== undefined) return report;
    throw new AppError(
      'intake.unknown_report_type',
      `the Shadowserver schema has no report type ${JSON.stringify(reportType)}` +
        (fileName === undefined ? '' : ` (given for ${fileName})`),
      { details },
    );
  }
  if (fileName === undefined) {
    throw new AppError(
      'intake.unknown_report_type',
      'a Shadowserver report needs a file name (YYYY-MM-DD-<report>-….csv) or a report type',
      { details },
    );
  }
  const type = reportTypeInFileName(fileName);
  if (type === undefined) {
    throw new AppError(
      'intake.unknown_report_type',
      `cannot tell the Shadowserver report type from the file name ${JSON.stringify(fileName)}: ` +
        'expected YYYY-MM-DD-<report>[-suffix].csv, or give the report type',
      { details },
    );
  }
  const report = findShadowserverReport(schema, type);
  if (report !== undefined) return report;
  throw new AppError(
    'intake.unknown_report_type',
    `the Shadowserver schema has no report type ${JSON.stringify(type)} (from the file name ` +
      `${JSON.stringify(fileName)}); update the schema with \`tocsin feeds update-schema\` or give the report type`,
    { details: { ...details, reportType: type } },
  );
}

function eventTemplate(report: ShadowserverReport, options: ParseOptions): Event {
  const observation = sanitiseField('time.observation', options.observationTime);
  if (!observation.ok || observation.value === undefined) {
    throw new AppError(
      'core.invalid_input',
      `observationTime ${JSON.stringify(options.observationTime)} is not a date and time` +
        (observation.ok ? '' : `: ${observation.reason}`),
    );
  }
  const template: Event = {
    'feed.name': options.feedName ?? report.feedName,
    'time.observation': observation.value,
  };
  if (report.url !== undefined) template['feed.documentation'] = report.url;
  return template;
}

async function* textOnce(text: string): AsyncGenerator<string> {
  yield text;
}

/**
 * A rejected record that spans several lines is, in a Shadowserver report, most likely a stray quote (binary
 * garbage, a cut line) that swallowed the lines after it: Shadowserver's own fields hold no line breaks. Its
 * first line is rejected and the lines after it are read again on their own, so one bad byte costs one
 * line and not the good rows behind it too.
 */
async function* resynchronise(plan: Plan, record: CsvRecord, reject: Reject): AsyncGenerator<ParseItem> {
  const lastLine = record.line + countLineBreaks(record.text);
  yield {
    ...reject,
    reason:
      `${reject.reason} (a quote opened in line ${record.line} runs on to line ${lastLine}; ` +
      `the lines after line ${record.line} are read again on their own)`,
  };
  const rest = record.text.slice(record.text.indexOf('\n') + 1);
  // The lines read again stay within the record's own lines, so the numbers after it stay in order.
  const lineOf = (line: number): number => Math.min(record.line + line, lastLine);
  for await (const batch of readCsv(textOnce(rest))) {
    for (const item of batch) {
      if (isCsvProblem(item)) {
        yield rejectOf(lineOf(item.line), item.problem);
        continue;
      }
      const moved: CsvRecord = { ...item, line: lineOf(item.line) };
      const parsed = parseRow(plan, moved);
      if (parsed.kind === 'reject' && moved.text.includes('\n')) {
        yield* resynchronise(plan, moved, parsed);
      } else {
        yield parsed;
      }
    }
  }
}

function countLineBreaks(text: string): number {
  let count = 0;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) count++;
  return count;
}

// IntelMQ deletes NUL characters from the report before reading it (ParserBot.parse_csv_dict); PostgreSQL
// text cannot hold them either.
async function* withoutNul(input: AsyncIterable<string>): AsyncGenerator<string> {
  for await (const chunk of input) yield chunk.includes('\0') ? chunk.replaceAll('\0', '') : chunk;
}

/** A parser for Shadowserver report CSVs, driven by the given schema. */
export function createShadowserverParser(schema: ShadowserverSchema): FeedParser {
  return async function* parseShadowserver(input, options) {
    const report = resolveReport(schema, options);
    const template = eventTemplate(report, options);
    let plan: Plan | undefined;
    let out: ParseItem[] = [];
    const csvOptions = options.firstLine === undefined ? {} : { firstLine: options.firstLine };
    for await (const batch of readCsv(withoutNul(input), csvOptions)) {
      for (const item of batch) {
        if (isCsvProblem(item)) {
          if (plan === undefined) {
            throw new AppError(
              'intake.unreadable_input',
              `line ${item.line}: the header cannot be read: ${item.problem}`,
              {
                details: { line: item.line },
              },
            );
          }
          out.push(rejectOf(item.line, item.problem));
        } else if (plan === undefined) {
          plan = compilePlan(report, item, template);
        } else {
          const parsed = parseRow(plan, item);
          if (parsed.kind === 'reject' && item.text.includes('\n')) {
            for await (const again of resynchronise(plan, item, parsed)) out.push(again);
          } else {
            out.push(parsed);
          }
        }
        if (out.length >= batchSize) {
          yield out;
          out = [];
        }
      }
    }
    if (plan === undefined) {
      throw new AppError(
        'intake.unreadable_input',
        `${options.fileName ?? 'the input'} is empty: no header line`,
        {
          details: { fileName: options.fileName },
        },
      );
    }
    if (out.length > 0) yield out;
  };
}
