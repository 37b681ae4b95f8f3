import { Buffer } from 'node:buffer';
import { domainToASCII } from 'node:url';
import {
  formatIPv4,
  formatIPv6 as formatIPv6Lanes,
  parseIPv4,
  parseIPv6 as parseIPv6Lanes,
} from '../net/ip-address.ts';
import { daysFromCivil, daysInMonth } from '../calendar.ts';
import { fieldSpec } from './fields.ts';
import { normaliseClassificationTaxonomy, normaliseClassificationType } from './taxonomy.ts';
import { parseTlp } from './tlp.ts';
import type { FieldSpec, JsonValue, SanitiseResult, SanitisedValue } from './types.ts';

/*
 * IDF field sanitation after IntelMQ's intelmq/lib/harmonization.py (sanitize, then is_valid, per type) and
 * message.py (length and regex from harmonization.conf; "", "-", "N/A" mean absent). Parsers call this for
 * every cell of files with millions of rows, so the common types are parsed by hand, without regular
 * expressions or intermediate objects, and a value that is already clean is returned as the same string.
 */

const ABSENT: SanitiseResult = Object.freeze({ ok: true, value: undefined });

function ok(value: SanitisedValue): SanitiseResult {
  return { ok: true, value };
}

function fail(reason: string): SanitiseResult {
  return { ok: false, reason };
}

/** Sanitises `value` for the IDF field `name`; an unknown field (or a malformed `extra.` key) fails. */
export function sanitiseField(name: string, value: unknown): SanitiseResult {
  const spec = fieldSpec(name);
  if (spec !== undefined) return sanitiseValue(spec, value);
  return fail(
    name.startsWith('extra.')
      ? `not a valid extra key (lower-case letters, digits, "_", dot-separated): ${quote(name)}`
      : `not an IDF field: ${quote(name)}`,
  );
}

/** Sanitises `value` for a field of the given spec: type rules first, then its length and pattern. */
export function sanitiseValue(spec: FieldSpec, value: unknown): SanitiseResult {
  if (value === undefined || value === null) return ABSENT;
  const result = sanitiseByType(spec, value);
  if (!result.ok || result.value === undefined) return result;
  if (spec.length === undefined && spec.pattern === undefined && spec.range === undefined) return result;
  return checkLengthAndPattern(spec, result);
}

function sanitiseByType(spec: FieldSpec, value: unknown): SanitiseResult {
  switch (spec.type) {
    case 'String':
      return spec.name === 'product.vulnerabilities' ? sanitiseVulnerabilities(value) : sanitiseString(value);
    case 'LowercaseString':
      return sanitiseCased(value, false);
    case 'UppercaseString':
      return sanitiseCased(value, true);
    case 'IPAddress':
      return sanitiseIpAddress(value);
    case 'IPNetwork':
      return sanitiseIpNetwork(value);
    case 'Integer':
      return sanitiseInteger(value);
    case 'Float':
      return sanitiseFloat(value);
    case 'Boolean':
      return sanitiseBoolean(value);
    case 'ASN':
      return sanitiseAsn(value);
    case 'DateTime':
      return sanitiseDateTime(value);
    case 'FQDN':
      return sanitiseFqdn(value);
    case 'URL':
      return sanitiseUrl(value);
    case 'Base64':
      return sanitiseBase64(value);
    case 'ClassificationTaxonomy':
      return sanitiseName(
        value,
        normaliseClassificationTaxonomy,
        'an RSIT taxonomy such as malicious-code or vulnerable',
      );
    case 'ClassificationType':
      return sanitiseName(
        value,
        normaliseClassificationType,
        'an RSIT classification type such as infected-system or scanner',
      );
    case 'TLP':
      return sanitiseName(value, parseTlp, 'a TLP level (CLEAR, GREEN, AMBER, AMBER+STRICT, RED)');
    case 'Registry':
      return sanitiseName(
        value,
        registryOf,
        'a regional Internet registry (AFRINIC, APNIC, ARIN, LACNIC, RIPE)',
      );
    case 'Severity':
      return sanitiseName(value, severityOf, 'a severity (critical, high, medium, low, info)');
    case 'Accuracy':
      return sanitiseAccuracy(value);
    case 'JSON':
      return sanitiseJson(value);
    case 'JSONDict':
      return sanitiseJsonDict(value);
  }
}

// IntelMQ measures length as len(str(value)), in code points; UTF-16 length is an upper bound of that.
function checkLengthAndPattern(spec: FieldSpec, result: SanitiseResult & { ok: true }): SanitiseResult {
  const value = result.value;
  if (spec.range !== undefined && typeof value === 'number') {
    const [min, max] = spec.range;
    if (value < min || value > max) return fail(`not a number from ${min} to ${max}: ${String(value)}`);
  }
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  if (spec.length !== undefined && text.length > spec.length && codePoints(text) > spec.length) {
    return fail(`longer than ${spec.length} characters: ${quote(text)}`);
  }
  if (spec.pattern !== undefined && !spec.pattern.test(text)) {
    const form = spec.form ?? `text matching ${String(spec.pattern)}`;
    return fail(`not ${form}: ${quote(text)}`);
  }
  return result;
}

function codePoints(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

// ---------------------------------------------------------------------------------------------------------
// Text

const decoder = new TextDecoder();

/**
 * Marks that feeds use for "no value"; IntelMQ's Message.add ignores "", "-" and "N/A". Tocsin takes "n/a" in
 * any case, or lower- and upper-casing fields would turn "n/A" into a marker and sanitising be no fixpoint.
 */
function isAbsentMarker(text: string): boolean {
  const n = text.length;
  if (n === 0) return true;
  if (n === 1) return text === '-';
  return (
    n === 3 &&
    text.charCodeAt(1) === SLASH &&
    (text.charCodeAt(0) | 32) === 110 &&
    (text.charCodeAt(2) | 32) === 97
  );
}

/**
 * The trimmed text of a scalar, or the result to return instead (absent, or a failure). PostgreSQL text and
 * jsonb cannot hold NUL or unpaired surrogates, so neither passes.
 */
function readText(value: unknown, expected = 'text'): string | SanitiseResult {
  let text: string;
  if (typeof value === 'string') text = value.trim();
  else if (typeof value === 'number') {
    if (!Number.isFinite(value)) return fail(`not a finite number: ${String(value)}`);
    text = String(value);
  } else if (typeof value === 'boolean') text = value ? 'true' : 'false';
  else if (typeof value === 'bigint') text = value.toString();
  else if (value instanceof Uint8Array) text = decoder.decode(value).trim();
  else return fail(`not ${expected}: ${describe(value)}`);
  if (isAbsentMarker(text)) return ABSENT;
  return checkText(text) ?? text;
}

/** Text, or its UTF-8 bytes (IntelMQ takes both for every text type). */
function isTextLike(value: unknown): value is string | Uint8Array {
  return typeof value === 'string' || value instanceof Uint8Array;
}

function checkText(text: string): SanitiseResult | undefined {
  if (text.includes('\0')) return fail(`contains a NUL character: ${quote(text)}`);
  if (!text.isWellFormed()) return fail(`contains an unpaired surrogate (not valid Unicode): ${quote(text)}`);
  return undefined;
}

function sanitiseString(value: unknown): SanitiseResult {
  const text = readText(value);
  return typeof text === 'string' ? ok(text) : text;
}

function sanitiseCased(value: unknown, upper: boolean): SanitiseResult {
  const text = readText(value);
  if (typeof text !== 'string') return text;
  return ok(upper ? text.toUpperCase() : text.toLowerCase());
}

/** A closed vocabulary: the text is looked up by `normalise`, which answers the canonical name or nothing. */
function sanitiseName(
  value: unknown,
  normalise: (text: string) => string | undefined,
  expected: string,
): SanitiseResult {
  const text = readText(value, expected);
  if (typeof text !== 'string') return text;
  const name = normalise(text);
  return name === undefined ? fail(`not ${expected}: ${quote(text)}`) : ok(name);
}

// IntelMQ's Registry type: the five RIRs; RIPE NCC's names map to RIPE.
const registries: ReadonlyMap<string, string> = new Map([
  ['AFRINIC', 'AFRINIC'],
  ['APNIC', 'APNIC'],
  ['ARIN', 'ARIN'],
  ['LACNIC', 'LACNIC'],
  ['RIPE', 'RIPE'],
  ['RIPENCC', 'RIPE'],
  ['RIPE-NCC', 'RIPE'],
]);

function registryOf(text: string): string | undefined {
  return registries.get(text.toUpperCase());
}

// IntelMQ 3.5 `severity`, with Shadowserver's meaning of the five levels.
const severities: ReadonlySet<string> = new Set(['critical', 'high', 'medium', 'low', 'info']);

function severityOf(text: string): string | undefined {
  const level = text.toLowerCase();
  return severities.has(level) ? level : undefined;
}

/**
 * `product.vulnerabilities`: ids separated by ";" (commas and spaces accepted), lower-cased and without
 * repeats, as IntelMQ 3.5's Shadowserver parser writes them (`cve-2021-26855;cve-2021-27065`).
 */
function sanitiseVulnerabilities(value: unknown): SanitiseResult {
  const text = readText(value);
  if (typeof text !== 'string') return text;
  const ids = new Set<string>();
  for (const id of text.toLowerCase().split(/[\s;,]+/)) if (id !== '') ids.add(id);
  return ids.size === 0 ? ABSENT : ok([...ids].join(';'));
}

// ---------------------------------------------------------------------------------------------------------
// Numbers

const tooLarge = 'not a whole number within ±9007199254740991 (2^53 - 1)';

function sanitiseInteger(value: unknown): SanitiseResult {
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value)) return ok(value + 0);
    return fail(`${Number.isInteger(value) ? tooLarge : 'not a whole number'}: ${String(value)}`);
  }
  if (typeof value === 'bigint') {
    const n = Number(value);
    return Number.isSafeInteger(n) ? ok(n) : fail(`${tooLarge}: ${value.toString()}`);
  }
  // A boolean in a numeric field is a mapping mistake; IntelMQ only accepts it because bool is an int in Python.
  if (typeof value === 'boolean') return fail(`not a whole number: ${String(value)}`);
  const text = readText(value, 'a whole number');
  if (typeof text !== 'string') return text;
  const n = parseDecimalInteger(text);
  if (Number.isNaN(n)) return fail(`not a whole number: ${quote(text)}`);
  return Number.isSafeInteger(n) ? ok(n) : fail(`${tooLarge}: ${quote(text)}`);
}

/** An optionally signed decimal integer, or NaN; larger than 2^53 comes back unsafe for the caller to judge. */
function parseDecimalInteger(text: string): number {
  const n = text.length;
  let i = 0;
  let negative = false;
  const sign = text.charCodeAt(0);
  if (sign === PLUS || sign === MINUS) {
    negative = sign === MINUS;
    i = 1;
  }
  if (i === n) return NaN;
  let result = 0;
  for (; i < n; i++) {
    const digit = text.charCodeAt(i) - ZERO;
    if (digit < 0 || digit > 9) return NaN;
    result = result * 10 + digit;
  }
  return negative ? -result + 0 : result;
}

const decimalNumber = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A finite number from a number or decimal text; NaN otherwise. Infinity and NaN are no JSON, so rejected. */
function readFloat(value: unknown): number | SanitiseResult {
  if (typeof value === 'number') return Number.isFinite(value) ? value + 0 : NaN;
  if (typeof value === 'boolean') return NaN;
  const text = readText(value, 'a number');
  if (typeof text !== 'string') return text;
  if (!decimalNumber.test(text)) return NaN;
  const n = Number(text);
  return Number.isFinite(n) ? n + 0 : NaN;
}

function sanitiseFloat(value: unknown): SanitiseResult {
  const n = readFloat(value);
  if (typeof n !== 'number') return n;
  return Number.isNaN(n) ? fail(`not a number: ${quote(value)}`) : ok(n);
}

/** IntelMQ's Accuracy: a float from 0 to 100; true and false are 100 and 0. */
function sanitiseAccuracy(value: unknown): SanitiseResult {
  if (typeof value === 'boolean') return ok(value ? 100 : 0);
  const n = readFloat(value);
  if (typeof n !== 'number') return n;
  if (Number.isNaN(n)) return fail(`not an accuracy from 0 to 100: ${quote(value)}`);
  return n >= 0 && n <= 100 ? ok(n) : fail(`not an accuracy from 0 to 100: ${String(n)}`);
}

/** IntelMQ's Boolean: true/false, the texts "true"/"false" in any case, and the numbers 1/0. */
function sanitiseBoolean(value: unknown): SanitiseResult {
  if (typeof value === 'boolean') return ok(value);
  if (typeof value === 'number') {
    if (value === 1) return ok(true);
    if (value === 0) return ok(false);
    return fail(`not true or false: ${String(value)}`);
  }
  const text = readText(value, 'true or false');
  if (typeof text !== 'string') return text;
  const folded = text.toLowerCase();
  if (folded === 'true') return ok(true);
  if (folded === 'false') return ok(false);
  return fail(`not true or false: ${quote(text)}`);
}

const maxAsn = 4294967295;
const asNumber = 'an AS number from 1 to 4294967295 (optionally written AS1234)';

/** IntelMQ's ASN: 1..4294967295 (0 is reserved), from a number or text with an optional "AS" prefix. */
function sanitiseAsn(value: unknown): SanitiseResult {
  if (typeof value === 'number') {
    return Number.isInteger(value) && value >= 1 && value <= maxAsn
      ? ok(value + 0)
      : fail(`not ${asNumber}: ${String(value)}`);
  }
  if (typeof value === 'boolean') return fail(`not ${asNumber}: ${String(value)}`);
  const text = readText(value, asNumber);
  if (typeof text !== 'string') return text;
  let i = 0;
  if (text.length > 2 && (text.charCodeAt(0) | 32) === 97 && (text.charCodeAt(1) | 32) === 115) {
    i = 2;
    while (text.charCodeAt(i) === SPACE) i++;
  }
  const digits = text.length - i;
  if (digits === 0 || digits > 10) return fail(`not ${asNumber}: ${quote(text)}`);
  let asn = 0;
  for (; i < text.length; i++) {
    const digit = text.charCodeAt(i) - ZERO;
    if (digit < 0 || digit > 9) return fail(`not ${asNumber}: ${quote(text)}`);
    asn = asn * 10 + digit;
  }
  return asn >= 1 && asn <= maxAsn ? ok(asn) : fail(`not ${asNumber}: ${quote(text)}`);
}

// ---------------------------------------------------------------------------------------------------------
// IP addresses and networks (Python's ipaddress rules, which IntelMQ uses)

const ZERO = 48;
const DOT = 46;
const COLON = 58;
const SLASH = 47;
const PLUS = 43;
const MINUS = 45;
const SPACE = 32;

/** Scratch space for one parsed IPv6 address: parsing allocates nothing. */
const hextets = new Uint16Array(8);

const lanes = new Uint32Array(4);

/** Parses an IPv6 address between `start` and `end` into `hextets`; false if it is none. */
function parseIPv6(s: string, start: number, end: number): boolean {
  if (!parseIPv6Lanes(s, lanes, 0, start, end)) return false;
  for (let k = 0; k < 4; k++) {
    const lane = lanes[k] ?? 0;
    hextets[2 * k] = lane >>> 16;
    hextets[2 * k + 1] = lane & 0xffff;
  }
  return true;
}

/** `hextets` in RFC 5952 form (IPv4-mapped addresses keep the dotted quad, as Python ≥ 3.13 writes them). */
function formatIPv6(): string {
  for (let k = 0; k < 4; k++) lanes[k] = hextet(2 * k) * 65536 + hextet(2 * k + 1);
  return formatIPv6Lanes(lanes[0] ?? 0, lanes[1] ?? 0, lanes[2] ?? 0, lanes[3] ?? 0);
}

function hextet(k: number): number {
  return hextets[k] ?? 0;
}

function setHextetsFromBigInt(n: bigint): void {
  for (let k = 7; k >= 0; k--) {
    hextets[k] = Number(n & 0xffffn);
    n >>= 16n;
  }
}

/** Python's ip_address(int): up to 2^32 - 1 an IPv4 address, beyond that IPv6. */
function ipFromInteger(n: bigint): string | undefined {
  if (n < 0n || n > 0xffffffffffffffffffffffffffffffffn) return undefined;
  if (n <= 0xffffffffn) return formatIPv4(Number(n));
  setHextetsFromBigInt(n);
  return formatIPv6();
}

/** Whether `text` between `start` and `end` names a single address: prefix /32 (/128) or netmask 255.255.255.255. */
function isHostPrefix(text: string, start: number, end: number, v4: boolean): boolean {
  if (v4 && parseIPv4(text, start, end) === 0xffffffff) return true;
  const n = parseDecimalInteger(text.slice(start, end));
  return text.charCodeAt(start) !== PLUS && text.charCodeAt(start) !== MINUS && n === (v4 ? 32 : 128);
}

/**
 * An IP address in canonical form, or undefined. As IntelMQ: the zone id of an IPv6 address (`%eth0`, RFC
 * 4007 §11; IPv4 has none) is cut off, a prefix that leaves one address (/32, /128) is dropped, and a
 * decimal integer is read as an address.
 */
function normaliseIpAddress(text: string): string | undefined {
  const first = text.charCodeAt(0);
  if (first >= 48 && first <= 57 && text.length <= 39 && isAllDigits(text)) {
    if (text.length > 1 && first === ZERO) return undefined;
    return ipFromInteger(BigInt(text));
  }
  // `address[%zone][/prefix]`, split as Python's ip_network does: at the first "/", then at "%".
  const slash = text.indexOf('/');
  const zone = text.indexOf('%');
  const colon = text.indexOf(':');
  const end = text.length;
  if (zone >= 0) {
    const zoneEnd = slash < 0 ? end : slash;
    // An empty zone, one holding "%", a zone after the prefix, or one on an IPv4 address.
    if (zone >= zoneEnd - 1 || colon < 0 || colon > zone) return undefined;
    const second = text.indexOf('%', zone + 1);
    if (second >= 0 && second < zoneEnd) return undefined;
  }
  const addressEnd = zone >= 0 ? zone : slash < 0 ? end : slash;
  if (colon < 0 || colon >= addressEnd) {
    if (parseIPv4(text, 0, addressEnd) < 0) return undefined;
    if (slash >= 0 && !isHostPrefix(text, slash + 1, end, true)) return undefined;
    return addressEnd === end ? text : text.slice(0, addressEnd);
  }
  if (!parseIPv6(text, 0, addressEnd)) return undefined;
  if (slash >= 0 && !isHostPrefix(text, slash + 1, end, false)) return undefined;
  return formatIPv6();
}

function isAllDigits(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const digit = text.charCodeAt(i) - ZERO;
    if (digit < 0 || digit > 9) return false;
  }
  return true;
}

function sanitiseIpAddress(value: unknown): SanitiseResult {
  let address: string | undefined;
  let shown: string;
  if (typeof value === 'number') {
    address = Number.isSafeInteger(value) ? ipFromInteger(BigInt(value)) : undefined;
    shown = String(value);
  } else if (typeof value === 'bigint') {
    address = ipFromInteger(value);
    shown = value.toString();
  } else {
    if (!isTextLike(value)) return fail(`not an IP address (IPv4 or IPv6): ${describe(value)}`);
    const text = readText(value);
    if (typeof text !== 'string') return text;
    address = normaliseIpAddress(text);
    shown = text;
  }
  if (address === undefined) return fail(`not an IP address (IPv4 or IPv6): ${quote(shown)}`);
  // IntelMQ refuses exactly this one: a parser's placeholder for "no address", never a system to warn.
  if (address === '0.0.0.0') return fail(`0.0.0.0 is not the address of a system: ${quote(shown)}`);
  return ok(address);
}

function netmaskOf(prefix: number): number {
  return 2 ** 32 - 2 ** (32 - prefix);
}

/** An IPv4 netmask (255.255.0.0), else a hostmask (0.0.255.255), as a prefix length, as Python reads them; or -1. */
function maskPrefix(text: string, start: number, end: number): number {
  const mask = parseIPv4(text, start, end);
  if (mask < 0) return -1;
  for (let prefix = 0; prefix <= 32; prefix++) if (mask === netmaskOf(prefix)) return prefix;
  for (let prefix = 0; prefix <= 32; prefix++) if (mask === 0xffffffff - netmaskOf(prefix)) return prefix;
  return -1;
}

/** Python's ip_network(strict=False): host bits are cleared, no prefix means a single address. */
function normaliseIpNetwork(text: string): string | undefined {
  if (text.includes('%')) return undefined;
  const slash = text.indexOf('/');
  const addressEnd = slash < 0 ? text.length : slash;
  const hasPrefix = slash >= 0 && slash + 1 < text.length;
  if (slash >= 0 && !hasPrefix) return undefined;
  const prefixText = hasPrefix ? text.slice(slash + 1) : '';
  const digitsOnly = hasPrefix && isAllDigits(prefixText);
  const colon = text.indexOf(':');
  if (colon < 0 || colon >= addressEnd) {
    const address = parseIPv4(text, 0, addressEnd);
    if (address < 0) return undefined;
    let prefix = 32;
    if (hasPrefix) prefix = digitsOnly ? Number(prefixText) : maskPrefix(text, slash + 1, text.length);
    if (prefix < 0 || prefix > 32) return undefined;
    const network = address - (address % 2 ** (32 - prefix));
    return `${formatIPv4(network)}/${prefix}`;
  }
  if (!parseIPv6(text, 0, addressEnd)) return undefined;
  const prefix = hasPrefix ? (digitsOnly ? Number(prefixText) : -1) : 128;
  if (prefix < 0 || prefix > 128) return undefined;
  for (let k = 0; k < 8; k++) {
    const bits = Math.min(Math.max(prefix - k * 16, 0), 16);
    hextets[k] = hextet(k) & ((0xffff << (16 - bits)) & 0xffff);
  }
  return `${formatIPv6()}/${prefix}`;
}

const networkForm = 'an IP network such as 192.0.2.0/24 or 2001:db8::/32';

function sanitiseIpNetwork(value: unknown): SanitiseResult {
  if (!isTextLike(value)) return fail(`not ${networkForm}: ${describe(value)}`);
  const text = readText(value);
  if (typeof text !== 'string') return text;
  const network = normaliseIpNetwork(text);
  return network === undefined ? fail(`not ${networkForm}: ${quote(text)}`) : ok(network);
}

// ---------------------------------------------------------------------------------------------------------
// Date and time: ISO 8601 (and "YYYY-MM-DD HH:MM:SS"), RFC 2822, epoch seconds; to IntelMQ's UTC isoformat

const T = 84;
const LOWER_T = 116;

function digitAt(s: string, i: number): number {
  const digit = s.charCodeAt(i) - ZERO;
  return digit >= 0 && digit <= 9 ? digit : -1;
}

function twoDigits(s: string, i: number): number {
  const a = digitAt(s, i);
  const b = digitAt(s, i + 1);
  return a < 0 || b < 0 ? -1 : a * 10 + b;
}

// A UTC time in the stored form from days since 1970-01-01: the inverse of `daysFromCivil` (H. Hinnant).
function formatUtc(days: number, secondOfDay: number, micro: number): string | undefined {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const dayOfEra = z - era * 146097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) /
      365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  // Python's datetime (and so IntelMQ) knows the years 1 to 9999 only.
  if (year < 1 || year > 9999) return undefined;
  const hour = Math.floor(secondOfDay / 3600);
  const minute = Math.floor(secondOfDay / 60) % 60;
  const second = secondOfDay % 60;
  const fraction = micro === 0 ? '' : `.${String(micro).padStart(6, '0')}`;
  return `${String(year).padStart(4, '0')}-${pad2(month)}-${pad2(day)}T${pad2(hour)}:${pad2(minute)}:${pad2(second)}${fraction}+00:00`;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function isValidLocalTime(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
): boolean {
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return false;
  return hour <= 23 && minute <= 59 && second <= 59;
}

/** Validates a local date-time with its UTC offset (minutes east) and formats it in UTC. */
function toUtc(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  micro: number,
  offset: number,
): string | undefined {
  if (!isValidLocalTime(year, month, day, hour, minute, second)) return undefined;
  const seconds = daysFromCivil(year, month, day) * 86400 + hour * 3600 + (minute - offset) * 60 + second;
  const days = Math.floor(seconds / 86400);
  return formatUtc(days, seconds - days * 86400, micro);
}

/**
 * `YYYY-MM-DD`, optionally `T` (or a space) `HH:MM[:SS[.fraction]]`, optionally `Z`, `UTC`, `GMT` or an offset
 * `±HH[[:]MM]`. No zone means UTC. A fraction is cut to microseconds, as dateutil does. The canonical form
 * (`2018-04-19T00:02:26+00:00`, or with six fraction digits) comes back as the same string.
 */
function parseIsoDateTime(s: string): string | undefined {
  const n = s.length;
  const century = twoDigits(s, 0);
  const yy = twoDigits(s, 2);
  const month = twoDigits(s, 5);
  const day = twoDigits(s, 8);
  if (
    century < 0 ||
    yy < 0 ||
    month < 0 ||
    day < 0 ||
    s.charCodeAt(4) !== MINUS ||
    s.charCodeAt(7) !== MINUS
  ) {
    return undefined;
  }
  let hour = 0;
  let minute = 0;
  let second = 0;
  let micro = 0;
  let offset = 0;
  let i = 10;
  if (i < n) {
    const separator = s.charCodeAt(i);
    if (separator !== T && separator !== LOWER_T && separator !== SPACE) return undefined;
    hour = twoDigits(s, 11);
    minute = twoDigits(s, 14);
    if (hour < 0 || minute < 0 || s.charCodeAt(13) !== COLON) return undefined;
    i = 16;
    if (s.charCodeAt(i) === COLON) {
      second = twoDigits(s, 17);
      if (second < 0) return undefined;
      i = 19;
      const mark = s.charCodeAt(i);
      if (mark === DOT || mark === 44) {
        const start = ++i;
        while (i < n) {
          const digit = digitAt(s, i);
          if (digit < 0) break;
          if (i - start < 6) micro = micro * 10 + digit;
          i++;
        }
        if (i === start) return undefined;
        for (let k = i - start; k < 6; k++) micro *= 10;
      }
    }
    while (s.charCodeAt(i) === SPACE) i++;
    if (i < n) {
      offset = parseZone(s, i);
      if (Number.isNaN(offset)) return undefined;
    }
  }
  const year = century * 100 + yy;
  if (!isValidLocalTime(year, month, day, hour, minute, second)) return undefined;
  const canonical =
    offset === 0 &&
    (n === 25 || (n === 32 && micro !== 0)) &&
    s.charCodeAt(10) === T &&
    s.charCodeAt(19) === (n === 25 ? PLUS : DOT) &&
    s.endsWith('+00:00');
  return canonical ? s : toUtc(year, month, day, hour, minute, second, micro, offset);
}

/** The UTC offset in minutes east of the zone that starts at `i` and runs to the end, or NaN. */
function parseZone(s: string, i: number): number {
  const rest = s.length - i;
  const c = s.charCodeAt(i);
  if (c === PLUS || c === MINUS) {
    const hours = twoDigits(s, i + 1);
    let j = i + 3;
    let minutes = 0;
    if (j < s.length) {
      if (s.charCodeAt(j) === COLON) j++;
      minutes = twoDigits(s, j);
      j += 2;
    }
    if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59) return NaN;
    // "+02:00 UTC" (IntelMQ's test_harmonization.py has it): the offset counts, the name adds nothing.
    if (j < s.length) {
      while (s.charCodeAt(j) === SPACE) j++;
      if (
        j === s.length ||
        Number.isNaN(parseZone(s, j)) ||
        s.charCodeAt(j) === PLUS ||
        s.charCodeAt(j) === MINUS
      )
        return NaN;
    }
    return (c === MINUS ? -1 : 1) * (hours * 60 + minutes);
  }
  if (rest === 1 && (c | 32) === 122) return 0;
  const name = s.slice(i).toUpperCase();
  return name === 'UTC' || name === 'GMT' || name === 'UT' ? 0 : NaN;
}

const months: ReadonlyMap<string, number> = new Map(
  ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'].map((m, k) => [
    m,
    k + 1,
  ]),
);

// RFC 2822 §3.3 (e-mail Date headers, which e-mailed reports carry); no zone is read as UTC.
const rfc2822 =
  /^(?:[a-z]{3},\s*)?(\d{1,2})\s+([a-z]{3})\s+(\d{4})\s+(\d{2}):(\d{2})(?::(\d{2}))?(?:\s*(?:([+-]\d{2}:?\d{2})|UTC?|GMT|Z))?$/i;

function parseRfc2822DateTime(s: string): string | undefined {
  const match = rfc2822.exec(s);
  if (match === null) return undefined;
  const [, day = '', monthName = '', year = '', hour = '', minute = '', second = '0', zone] = match;
  const month = months.get(monthName.toLowerCase());
  if (month === undefined) return undefined;
  const offset = zone === undefined ? 0 : parseZone(zone, 0);
  return toUtc(Number(year), month, Number(day), Number(hour), Number(minute), Number(second), 0, offset);
}

/** Seconds since the epoch (fraction kept to the microsecond) in UTC isoformat. */
function fromEpochSeconds(seconds: number): string | undefined {
  if (!Number.isFinite(seconds)) return undefined;
  let whole = Math.floor(seconds);
  let micro = Math.round((seconds - whole) * 1e6);
  if (micro === 1e6) {
    whole += 1;
    micro = 0;
  }
  return fromWholeSeconds(whole, micro);
}

function fromWholeSeconds(whole: number, micro: number): string | undefined {
  const days = Math.floor(whole / 86400);
  return formatUtc(days, whole - days * 86400, micro);
}

const dateTimeForm =
  'a date and time in the years 1 to 9999 (ISO 8601 such as 2024-05-01T12:00:00+02:00, RFC 2822, or epoch seconds)';

function sanitiseDateTime(value: unknown): SanitiseResult {
  let time: string | undefined;
  if (typeof value === 'number') {
    time = fromEpochSeconds(value);
    return time === undefined ? fail(`not ${dateTimeForm}: ${String(value)}`) : ok(time);
  }
  if (value instanceof Date) {
    const ms = value.getTime();
    const whole = Math.floor(ms / 1000);
    time = Number.isNaN(ms) ? undefined : fromWholeSeconds(whole, (ms - whole * 1000) * 1000);
    return time === undefined ? fail(`not ${dateTimeForm}: an invalid date object`) : ok(time);
  }
  if (!isTextLike(value)) return fail(`not ${dateTimeForm}: ${describe(value)}`);
  const text = readText(value);
  if (typeof text !== 'string') return text;
  time = parseIsoDateTime(text) ?? parseRfc2822DateTime(text);
  return time === undefined ? fail(`not ${dateTimeForm}: ${quote(text)}`) : ok(time);
}

// ---------------------------------------------------------------------------------------------------------
// Domain names and URLs

const UNDERSCORE = 95;
const STAR = 42;

/**
 * A DNS name as Tocsin keeps it: labels of 1 to 63 letters, digits, "-" or "_" (service labels such as
 * `_dmarc`), none of hyphens only (so "-", a feed's "no value", is no name), at most 253 characters, a
 * leading `*` label allowed, and a last label that is not all digits (RFC 3696 §2), so that no IPv4
 * address, however written (`1.2.3.04`), passes for a name.
 */
function isHostName(name: string): boolean {
  const n = name.length;
  if (n > 253) return false;
  let labelStart = 0;
  let digitsOnly = true;
  let hyphensOnly = true;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? name.charCodeAt(i) : DOT;
    if (c === DOT) {
      const length = i - labelStart;
      if (length === 0 || length > 63 || hyphensOnly) return false;
      if (i === n) return !digitsOnly;
      labelStart = i + 1;
      digitsOnly = true;
      hyphensOnly = true;
    } else if (c >= 48 && c <= 57) {
      hyphensOnly = false;
    } else {
      digitsOnly = false;
      if (c !== MINUS) hyphensOnly = false;
      if (!((c >= 97 && c <= 122) || c === MINUS || c === UNDERSCORE)) {
        if (!(c === STAR && i === 0 && n > 1 && name.charCodeAt(1) === DOT)) return false;
      }
    }
  }
  return false;
}

/**
 * IntelMQ's FQDN sanitation: surrounding dots stripped, lower case, international names in punycode
 * (here by UTS #46 through Node's WHATWG host parser, where IntelMQ uses Python's IDNA 2003 codec).
 */
function normaliseFqdn(text: string): string | undefined {
  let start = 0;
  let end = text.length;
  while (start < end && text.charCodeAt(start) === DOT) start++;
  while (end > start && text.charCodeAt(end - 1) === DOT) end--;
  if (start === end) return undefined;
  let name = start === 0 && end === text.length ? text : text.slice(start, end);
  let ascii = true;
  let upper = false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c >= 128) {
      ascii = false;
      break;
    }
    if (c >= 65 && c <= 90) upper = true;
  }
  if (!ascii) name = domainToASCII(name);
  else if (upper) name = name.toLowerCase();
  return name !== '' && isHostName(name) ? name : undefined;
}

const fqdnForm = 'a domain name such as www.example.com';

function sanitiseFqdn(value: unknown): SanitiseResult {
  if (!isTextLike(value)) return fail(`not ${fqdnForm}: ${describe(value)}`);
  const text = readText(value);
  if (typeof text !== 'string') return text;
  const name = normaliseFqdn(text);
  return name === undefined ? fail(`not ${fqdnForm}: ${quote(text)}`) : ok(name);
}

const defanged = /^hxxp(s?):\/\//i;

/** The index of the ":" that ends a URL scheme (RFC 3986 §3.1), or -1. */
function schemeEnd(url: string): number {
  const first = url.charCodeAt(0) | 32;
  if (first < 97 || first > 122) return -1;
  for (let i = 1; i < url.length; i++) {
    const c = url.charCodeAt(i);
    if (c === COLON) return i;
    const lower = c | 32;
    if (!((lower >= 97 && lower <= 122) || (c >= 48 && c <= 57) || c === PLUS || c === MINUS || c === DOT))
      return -1;
  }
  return -1;
}

function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 32 || c === 127) return true;
  }
  return false;
}

function hasUpperCase(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= 65 && c <= 90) return true;
  }
  return false;
}

/**
 * IntelMQ's URL sanitation: defanged `hxxp(s)://` restored, a `file:` URL without host gets `localhost`, and
 * a host is required. Beyond IntelMQ: a scheme is required too, the host must not be empty or hold spaces,
 * a port must be a number up to 65535, and scheme and host are lower-cased, as RFC 3986 §6.2.2.1 allows,
 * so that one URL has one spelling.
 */
function normaliseUrl(text: string): string | undefined {
  let url = text;
  if ((url.charCodeAt(1) | 32) === 120 && defanged.test(url)) {
    url = url.replace(defanged, (match) => (match.length === 8 ? 'https://' : 'http://'));
  }
  const colon = schemeEnd(url);
  if (colon < 0) return undefined;
  const hasAuthority = url.charCodeAt(colon + 1) === SLASH && url.charCodeAt(colon + 2) === SLASH;
  const authorityStart = hasAuthority ? colon + 3 : colon + 1;
  let authorityEnd = authorityStart;
  while (authorityEnd < url.length) {
    const c = url.charCodeAt(authorityEnd);
    if (c === SLASH || c === 63 || c === 35) break;
    authorityEnd++;
  }
  if (url.slice(0, colon).toLowerCase() === 'file' && (!hasAuthority || authorityEnd === authorityStart)) {
    const path = url.slice(authorityStart);
    const separator =
      path === '' || path.startsWith('/') || path.startsWith('?') || path.startsWith('#') ? '' : '/';
    return `file://localhost${separator}${path}`;
  }
  if (!hasAuthority) return undefined;
  const hostEnd = authorityHostEnd(url, authorityStart, authorityEnd);
  if (hostEnd < 0) return undefined;
  if (!hasUpperCase(url, 0, colon) && !hasUpperCase(url, authorityStart, hostEnd)) return url;
  const at = url.lastIndexOf('@', authorityEnd - 1);
  const hostStart = at >= authorityStart ? at + 1 : authorityStart;
  return (
    url.slice(0, colon).toLowerCase() +
    url.slice(colon, hostStart) +
    url.slice(hostStart, hostEnd).toLowerCase() +
    url.slice(hostEnd)
  );
}

/**
 * Checks `[userinfo@]host[:port]` (a non-empty host without spaces, a bracketed host an IPv6 address, a port
 * a number up to 65535) and answers where the host ends, or -1 if it is no valid authority.
 */
function authorityHostEnd(url: string, start: number, end: number): number {
  const at = url.lastIndexOf('@', end - 1);
  const hostStart = at >= start ? at + 1 : start;
  let hostEnd: number;
  if (url.charCodeAt(hostStart) === 91) {
    const close = url.indexOf(']', hostStart);
    if (close < 0 || close >= end) return -1;
    const zone = url.indexOf('%', hostStart);
    if (!parseIPv6(url, hostStart + 1, zone > hostStart && zone < close ? zone : close)) return -1;
    hostEnd = close + 1;
    if (hostEnd < end && url.charCodeAt(hostEnd) !== COLON) return -1;
  } else {
    const portColon = url.indexOf(':', hostStart);
    hostEnd = portColon >= 0 && portColon < end ? portColon : end;
  }
  if (hostEnd === hostStart) return -1;
  for (let i = hostStart; i < hostEnd; i++) if (url.charCodeAt(i) === SPACE) return -1;
  if (hostEnd < end) {
    const port = url.slice(hostEnd + 1, end);
    if (port !== '' && (!isAllDigits(port) || port.length > 5 || Number(port) > 65535)) return -1;
  }
  return hostEnd;
}

const urlForm = 'a URL with a scheme and a host, such as http://example.com/path';

function sanitiseUrl(value: unknown): SanitiseResult {
  if (!isTextLike(value)) return fail(`not ${urlForm}: ${describe(value)}`);
  const text = readText(value);
  if (typeof text !== 'string') return text;
  if (hasControlCharacter(text)) return fail(`not ${urlForm} (holds a control character): ${quote(text)}`);
  const url = normaliseUrl(text);
  return url === undefined ? fail(`not ${urlForm}: ${quote(text)}`) : ok(url);
}

// ---------------------------------------------------------------------------------------------------------
// Base64 (`raw`) and JSON (`extra.*`)

/**
 * IntelMQ's Base64 sanitation encodes: the value is the original record (text as UTF-8, or bytes) and comes
 * out as base64. It is not trimmed, and may hold NUL, since the encoding carries any byte.
 */
function sanitiseBase64(value: unknown): SanitiseResult {
  if (typeof value === 'string') {
    return isAbsentMarker(value) ? ABSENT : ok(Buffer.from(value, 'utf8').toString('base64'));
  }
  if (value instanceof Uint8Array) {
    if (value.byteLength === 0) return ABSENT;
    return ok(Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64'));
  }
  return fail(`expected the original text or bytes, got ${describe(value)}`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

// Deeper than this is no feed's data but a hostile document (or a cycle).
const maxJsonDepth = 32;

/** Why `value` cannot be stored as JSON in PostgreSQL jsonb, or undefined if it can. */
function jsonProblem(value: unknown, depth: number): string | undefined {
  if (value === null || typeof value === 'boolean') return undefined;
  if (typeof value === 'number')
    return Number.isFinite(value) ? undefined : `holds ${String(value)}, which JSON cannot`;
  if (typeof value === 'string') {
    if (value.includes('\0')) return `holds a NUL character: ${quote(value)}`;
    return value.isWellFormed() ? undefined : `holds an unpaired surrogate: ${quote(value)}`;
  }
  if (depth >= maxJsonDepth) return `nested deeper than ${maxJsonDepth} levels`;
  if (Array.isArray(value)) {
    for (const item of value as unknown[]) {
      if (item === undefined) return 'holds undefined in an array, which JSON cannot';
      const problem = jsonProblem(item, depth + 1);
      if (problem !== undefined) return problem;
    }
    return undefined;
  }
  if (isPlainObject(value)) {
    for (const key of Object.keys(value)) {
      if (key.includes('\0') || !key.isWellFormed())
        return `holds a key that is not valid text: ${quote(key)}`;
      const item = value[key];
      if (item === undefined) continue;
      const problem = jsonProblem(item, depth + 1);
      if (problem !== undefined) return problem;
    }
    return undefined;
  }
  return `holds ${describe(value)}, which JSON cannot`;
}

/** Whether an object has no member that JSON would keep (members set to `undefined` are dropped). */
function isEmptyObject(value: Record<string, unknown>): boolean {
  for (const key in value) if (Object.hasOwn(value, key) && value[key] !== undefined) return false;
  return true;
}

const jsonForm = 'a JSON value (text, number, true/false, array or object)';

/** `extra.*`: any JSON value; text trimmed; empty text, arrays and objects are absent. */
function sanitiseJson(value: unknown): SanitiseResult {
  if (typeof value === 'string') return sanitiseString(value);
  if (typeof value === 'boolean') return ok(value);
  if (typeof value === 'number')
    return Number.isFinite(value) ? ok(value + 0) : fail(`not a finite number: ${String(value)}`);
  if (Array.isArray(value)) {
    if (value.length === 0) return ABSENT;
  } else if (isPlainObject(value)) {
    if (isEmptyObject(value)) return ABSENT;
  } else {
    return fail(`not ${jsonForm}: ${describe(value)}`);
  }
  const problem = jsonProblem(value, 0);
  return problem === undefined ? ok(value as SanitisedValue) : fail(problem);
}

/** IntelMQ's JSONDict: a non-empty JSON object, given as an object or as JSON text (or its UTF-8 bytes). */
function sanitiseJsonDict(value: unknown): SanitiseResult {
  let object: unknown = value;
  if (typeof value === 'string' || value instanceof Uint8Array) {
    const text = readText(value, 'a JSON object');
    if (typeof text !== 'string') return text;
    try {
      object = JSON.parse(text) as unknown;
    } catch {
      return fail(`not a JSON object: ${quote(text)}`);
    }
  }
  if (!isPlainObject(object)) return fail(`not a JSON object: ${describe(object)}`);
  if (isEmptyObject(object)) return ABSENT;
  const problem = jsonProblem(object, 0);
  return problem === undefined ? ok(object as { readonly [key: string]: JsonValue }) : fail(problem);
}

// ---------------------------------------------------------------------------------------------------------
// Reasons

const maxShown = 80;

/** A value as a reason shows it: quoted, and cut if long. */
function quote(value: unknown): string {
  if (typeof value !== 'string') return typeof value === 'number' ? String(value) : describe(value);
  return JSON.stringify(value.length > maxShown ? `${value.slice(0, maxShown)}…` : value);
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Date) return 'a date object';
  if (value instanceof Uint8Array) return 'bytes';
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
    return String(value);
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
