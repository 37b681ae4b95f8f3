/**
 * The conversion functions that Shadowserver's schema names per column (`intelmq.json`, third element of a
 * field mapping). Each mirrors the function of the same name in IntelMQ's Shadowserver parser
 * (`intelmq/bots/parsers/shadowserver/_config.py`); where Tocsin differs, the function says so.
 */
import { sanitiseField, type FieldValue } from '../../core/index.ts';

/** The columns of the current row, for the conversions that look beyond their own column. */
export interface RowView {
  /** Whether the header has the column (IntelMQ: `column in row`). */
  has(column: string): boolean;
  /** The row's value of the column, `undefined` when the header lacks it. */
  get(column: string): string | undefined;
}

/**
 * Why a conversion refused a value. `error`: IntelMQ's function raises, so IntelMQ rejects the row whichever
 * field it was for. `invalid`: IntelMQ's function returns None (the value is dropped); Tocsin drops it too in
 * an optional field and rejects the row when the field is required (see `shadowserver.ts`).
 */
export interface Refusal {
  readonly refused: string;
  readonly kind: 'error' | 'invalid';
}

/** A converted value, `undefined` for "no value" (IntelMQ's None), or a refusal. */
export type Converted = FieldValue | undefined | Refusal;

export type Conversion = (value: string, row: RowView) => Converted;

export function isRefusal(value: Converted): value is Refusal {
  return typeof value === 'object';
}

function error(refused: string): Refusal {
  return { refused, kind: 'error' };
}

function invalid(refused: string): Refusal {
  return { refused, kind: 'invalid' };
}

function quote(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
}

// Python's int() and float() on a str: surrounding white space, a sign, `_` between digits.
const pythonInt = /^[+-]?\d(?:_?\d)*$/;
const pythonFloat = /^[+-]?(?:(?:\d(?:_?\d)*)?\.\d(?:_?\d)*|\d(?:_?\d)*\.?)(?:[eE][+-]?\d(?:_?\d)*)?$/;
const pythonNonFinite = /^[+-]?(?:inf|infinity|nan)$/i;

/** Python's `int(value)`; an integer beyond 2^53 stays its decimal text, since a JS number would round it. */
function parseInteger(value: string): number | string | Refusal {
  const text = value.trim();
  if (!pythonInt.test(text)) return error(`${quote(value)} is not an integer`);
  const digits = text.includes('_') ? text.replaceAll('_', '') : text;
  const number = Number(digits);
  if (Number.isSafeInteger(number)) return number;
  return BigInt(digits).toString();
}

/** Python's `float(value)`, except that nan and infinity are refused: JSON cannot hold them. */
function parseFloatValue(value: string): number | Refusal {
  const text = value.trim();
  if (pythonNonFinite.test(text)) return error(`${quote(value)} is not a finite number`);
  if (!pythonFloat.test(text)) return error(`${quote(value)} is not a number`);
  const number = Number(text.includes('_') ? text.replaceAll('_', '') : text);
  return Number.isFinite(number) ? number : error(`${quote(value)} is not a finite number`);
}

function isValid(field: string, value: string): boolean {
  const result = sanitiseField(field, value);
  return result.ok && result.value !== undefined;
}

// HTTP dates from the field name a weekday that only repeats the date, at times misspelt ("Thur, 19 Apr
// 2018"); dateutil's fuzzy parsing skips it, so Tocsin drops it when the date does not read otherwise.
const leadingWeekday = /^[A-Za-z]+,\s*/;

/** A time stamp as the sanitiser reads it (IntelMQ's `DateTime.sanitize`), or why not. */
function sanitiseTime(value: string, fastForm?: string): Converted {
  if (fastForm !== undefined) {
    const fast = sanitiseField('time.source', fastForm);
    if (fast.ok && typeof fast.value === 'string') return fast.value;
  }
  let result = sanitiseField('time.source', value);
  if (!result.ok && leadingWeekday.test(value)) {
    const retry = sanitiseField('time.source', value.replace(leadingWeekday, ''));
    if (retry.ok) result = retry;
  }
  if (!result.ok) return invalid(`${quote(value)} is not a date and time: ${result.reason}`);
  return typeof result.value === 'string' ? result.value : undefined;
}

const trueWords = new Set(['y', 'yes', 'true', 'enabled', '1']);
const falseWords = new Set(['n', 'no', 'false', 'disabled', '0']);

const base64Text = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const cveTag = /^cve-[0-9]+-[0-9]+$/;
// The leading non-slash part and anything after white space are HTTP request text, not the path. `afterPath`
// is Python's `\s.*$` (re.sub: every match; `$` also before a final line break).
const beforePath = /^[^/]*/;
const afterPath = /\s.*(?=\n?$)/g;

function convertHttpHostAndUrl(value: string, row: RowView): Converted {
  let host = row.get('cc_dns') ?? '';
  if (host === '') host = row.get('http_host') ?? '';
  if (host === '') host = row.get('hostname') ?? '';
  if (host === '') host = row.get('ip') ?? '';
  const path = row.has('url') ? (row.get('url') ?? '') : (row.get('http_url') ?? '');
  if (host === '' || path === '') return value;
  const application = row.get('application');
  const scheme = application === 'http' || application === 'https' ? application : 'http';
  return `${scheme}://${host}${path.replace(beforePath, '').replace(afterPath, '')}`;
}

function extractCveFromTag(value: string): Converted {
  if (!value.includes('cve-')) return undefined;
  const found = new Set<string>();
  for (const part of value.split(';')) if (cveTag.test(part)) found.add(part);
  if (found.size === 0) return undefined;
  // IntelMQ joins with ",": it was written for extra.cve. IDF 3.5 product.vulnerabilities separates with ";".
  return [...found].sort().join(';');
}

const webshellTag = 'exchange;webshell';

// dateutil, which IntelMQ parses times with, lets the last of two zones win: appending UTC to a time that
// has a zone reads its wall time as UTC. Tocsin's parser takes one zone, so the first is removed.
const trailingZone = /(?:\s*(?:Z|UTC|GMT)|[+-]\d{2}:?\d{2})$/i;

function withUtcZone(value: string, zone: string): string {
  return `${value.replace(trailingZone, '')}${zone}`;
}

function isDigitAt(value: string, index: number): boolean {
  const code = value.charCodeAt(index);
  return code >= 48 && code <= 57;
}

function areDigits(value: string, from: number, to: number): boolean {
  for (let index = from; index < to; index++) if (!isDigitAt(value, index)) return false;
  return true;
}

/**
 * Shadowserver's own time stamp, `2024-05-01 01:02:03`, rewritten in IntelMQ's UTC form, which the sanitiser
 * then only checks; `undefined` for any other form. Every row has one, and this saves the general parse.
 */
function plainTimestampAsUtc(value: string): string | undefined {
  if (value.length !== 19 || value.charCodeAt(10) !== 32) return undefined;
  if (value.charCodeAt(4) !== 45 || value.charCodeAt(7) !== 45) return undefined;
  if (value.charCodeAt(13) !== 58 || value.charCodeAt(16) !== 58) return undefined;
  if (!areDigits(value, 0, 4) || !areDigits(value, 5, 7) || !areDigits(value, 8, 10)) return undefined;
  if (!areDigits(value, 11, 13) || !areDigits(value, 14, 16) || !areDigits(value, 17, 19)) return undefined;
  return `${value.slice(0, 10)}T${value.slice(11)}+00:00`;
}

const monthNumbers: ReadonlyMap<string, string> = new Map(
  ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'].map((name, index) => [
    name,
    String(index + 1).padStart(2, '0'),
  ]),
);

/**
 * An HTTP date in RFC 9110's preferred form (`Thu, 19 Apr 2018 00:02:28 GMT`, the `http_date` column) in
 * IntelMQ's UTC form, or `undefined` for any other form. The weekday is ignored, as the general parse does.
 */
function httpDateAsUtc(value: string): string | undefined {
  if (value.length !== 29 || value.charCodeAt(3) !== 44 || !value.endsWith(' GMT')) return undefined;
  if (value.charCodeAt(4) !== 32 || value.charCodeAt(7) !== 32 || value.charCodeAt(11) !== 32)
    return undefined;
  if (value.charCodeAt(16) !== 32 || value.charCodeAt(19) !== 58 || value.charCodeAt(22) !== 58)
    return undefined;
  const month = monthNumbers.get(value.slice(8, 11));
  if (month === undefined || !areDigits(value, 5, 7) || !areDigits(value, 12, 16)) return undefined;
  if (!areDigits(value, 17, 19) || !areDigits(value, 20, 22) || !areDigits(value, 23, 25)) return undefined;
  return `${value.slice(12, 16)}-${month}-${value.slice(5, 7)}T${value.slice(17, 25)}+00:00`;
}

/** Every conversion function by the name the schema uses. */
export const conversions = {
  add_UTC_to_timestamp: (value) => plainTimestampAsUtc(value) ?? withUtcZone(value, ' UTC'),
  convert_bool: (value) => {
    const word = value.toLowerCase();
    if (trueWords.has(word)) return true;
    return falseWords.has(word) ? false : undefined;
  },
  validate_to_none: (value) => (value === '' || value === '0' || value === 'unknown' ? undefined : value),
  convert_int: (value) => (value === '' ? undefined : parseInteger(value)),
  convert_float: (value) => (value === '' ? undefined : parseFloatValue(value)),
  invalidate_zero: (value) => {
    if (value === '') return undefined;
    const number = parseInteger(value);
    return number === 0 ? undefined : number;
  },
  convert_http_host_and_url: convertHttpHostAndUrl,
  // IntelMQ issue #1720: a network in an address column is no address (the schema maps it to *.network).
  // IntelMQ drops any value with a "/"; Tocsin refuses one that is no network either, as it refuses "1.2.3".
  validate_ip: (value) => {
    if (value === '') return undefined;
    if (value.includes('/')) {
      return isValid('source.network', value) ? undefined : invalid(`${quote(value)} is not an IP address`);
    }
    if (value === '0.0.0.0' || !isValid('source.ip', value))
      return invalid(`${quote(value)} is not an IP address`);
    return value;
  },
  validate_network: (value) => {
    if (!value.includes('/')) return undefined;
    return isValid('source.network', value) ? value : invalid(`${quote(value)} is not an IP network`);
  },
  validate_fqdn: (value) => {
    if (value === '') return undefined;
    return isValid('source.fqdn', value) ? value : invalid(`${quote(value)} is not a domain name`);
  },
  convert_date: (value) => sanitiseTime(value, httpDateAsUtc(value)),
  // IntelMQ's dateutil reads an empty value plus "+00:00" as midnight of the day it runs; Tocsin: no value.
  convert_date_utc: (value) =>
    value === '' ? undefined : sanitiseTime(withUtcZone(value, '+00:00'), plainTimestampAsUtc(value)),
  // Shadowserver sends some binary columns base64-encoded and some as text; the field is always base64.
  force_base64: (value) => {
    if (value === '') return undefined;
    return base64Text.test(value) ? value : Buffer.from(value, 'utf8').toString('base64');
  },
  scan_exchange_taxonomy: (value) => (value === webshellTag ? 'intrusions' : 'vulnerable'),
  scan_exchange_type: (value) => (value === webshellTag ? 'system-compromise' : 'vulnerable-system'),
  scan_exchange_identifier: (value) =>
    value === webshellTag ? 'exchange-server-webshell' : 'vulnerable-exchange-server',
  extract_cve_from_tag: extractCveFromTag,
  category_or_detail: (_value, row) => {
    const category = row.get('category') ?? '';
    return category !== '' ? category : (row.get('detail') ?? '');
  },
} as const satisfies Record<string, Conversion>;

export type ConversionName = keyof typeof conversions;

export const conversionNames: readonly ConversionName[] = Object.keys(conversions) as ConversionName[];

export function isConversionName(name: string): name is ConversionName {
  return Object.hasOwn(conversions, name);
}
