/**
 * Time columns of CSV feeds: each format and zone is compiled once per mapping into a function that turns a
 * cell into an ISO-8601 UTC time (`2024-05-01T12:00:00+00:00`, IntelMQ's form), so a million rows cost a
 * million regex executions and no compilations. Formats: `iso8601`, `epoch_seconds`, `epoch_millis`,
 * `windows_nt` (100 ns ticks since 1601, as Microsoft feeds send) or a strftime pattern such as
 * `%d/%b/%Y:%H:%M:%S %z`. The zone applies to times that carry no offset of their own.
 */
export type TimeResult = { ok: true; value: string } | { ok: false; reason: string };
export type TimeParser = (text: string) => TimeResult;

export const namedTimeFormats = ['iso8601', 'epoch_seconds', 'epoch_millis', 'windows_nt'] as const;

/** Offset (ms to subtract) of a zone at a local wall-clock time, given as if it were UTC. */
type ZoneOffset = (localMs: number) => number;

interface TimeParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millis: number;
  offsetMs: number | undefined;
  pm: boolean | undefined;
}

const isoPattern =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(?:(Z|z|UTC|GMT)|([+-])(\d{2}):?(\d{2})?)?$/;
const epochPattern = /^-?\d{1,16}(?:\.\d+)?$/;
const ticksPattern = /^\d{1,20}$/;
const windowsEpochOffsetMs = 11_644_473_600_000n;
const monthNames = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** Compiles a time format and zone; returns why not when either is not valid. */
export function compileTimeFormat(format: string, zone: string): TimeParser | { error: string } {
  const offset = compileZone(zone);
  if ('error' in offset) return offset;
  switch (format) {
    case 'iso8601':
      return (text) => parseIso(text, offset.zone);
    case 'epoch_seconds':
      return (text) => parseEpoch(text, 1000);
    case 'epoch_millis':
      return (text) => parseEpoch(text, 1);
    case 'windows_nt':
      return parseWindowsTicks;
    default: {
      if (!format.includes('%')) {
        return {
          error: `unknown time format "${format}": expected ${namedTimeFormats.join(', ')} or a strftime pattern such as "%Y-%m-%d %H:%M:%S"`,
        };
      }
      return compileStrftime(format, offset.zone);
    }
  }
}

/** `UTC`, a fixed offset (`+02:00`) or an IANA zone name (`Europe/Amsterdam`, daylight saving included). */
export function compileZone(zone: string): { zone: ZoneOffset } | { error: string } {
  if (zone === 'UTC' || zone === 'Z' || zone === 'GMT') return { zone: () => 0 };
  const fixed = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
  if (fixed) {
    const ms = offsetMs(fixed[1] ?? '+', fixed[2] ?? '', fixed[3] ?? '');
    if (ms === undefined) return { error: `time zone offset "${zone}" is out of range` };
    return { zone: () => ms };
  }
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch {
    return { error: `unknown time zone "${zone}": expected UTC, an offset such as +02:00, or an IANA name` };
  }
  return { zone: ianaOffset(format) };
}

function ianaOffset(format: Intl.DateTimeFormat): ZoneOffset {
  // Offsets change at most every 15 minutes of wall-clock time, so one Intl call serves many rows.
  const cache = new Map<number, number>();
  const offsetAt = (utcMs: number): number => {
    let year = 0;
    let month = 0;
    let day = 0;
    let hour = 0;
    let minute = 0;
    let second = 0;
    for (const part of format.formatToParts(utcMs)) {
      const value = Number(part.value);
      if (part.type === 'year') year = value;
      else if (part.type === 'month') month = value;
      else if (part.type === 'day') day = value;
      else if (part.type === 'hour') hour = value;
      else if (part.type === 'minute') minute = value;
      else if (part.type === 'second') second = value;
    }
    return Date.UTC(year, month - 1, day, hour, minute, second) - (utcMs - (((utcMs % 1000) + 1000) % 1000));
  };
  return (localMs) => {
    const bucket = Math.floor(localMs / 900_000);
    const cached = cache.get(bucket);
    if (cached !== undefined) return cached;
    const first = offsetAt(localMs);
    const offset = offsetAt(localMs - first);
    if (cache.size > 10_000) cache.clear();
    cache.set(bucket, offset);
    return offset;
  };
}

function parseIso(text: string, zone: ZoneOffset): TimeResult {
  const match = isoPattern.exec(text);
  if (!match) return { ok: false, reason: `"${clip(text)}" is not an ISO-8601 time` };
  let offset: number | undefined;
  if (match[8] !== undefined) offset = 0;
  else if (match[9] !== undefined) {
    offset = offsetMs(match[9], match[10] ?? '', match[11] ?? '00');
    if (offset === undefined) return { ok: false, reason: `"${clip(text)}" has an offset out of range` };
  }
  return finish(
    {
      year: Number(match[1]),
      month: Number(match[2]),
      day: Number(match[3]),
      hour: Number(match[4] ?? 0),
      minute: Number(match[5] ?? 0),
      second: Number(match[6] ?? 0),
      millis: fractionToMillis(match[7]),
      offsetMs: offset,
      pm: undefined,
    },
    zone,
    text,
  );
}

function parseEpoch(text: string, unitMs: number): TimeResult {
  if (!epochPattern.test(text)) return { ok: false, reason: `"${clip(text)}" is not a number` };
  return fromUtcMs(Math.round(Number(text) * unitMs), text);
}

function parseWindowsTicks(text: string): TimeResult {
  if (!ticksPattern.test(text)) return { ok: false, reason: `"${clip(text)}" is not a Windows NT time` };
  return fromUtcMs(Number(BigInt(text) / 10_000n - windowsEpochOffsetMs), text);
}

interface Directive {
  pattern: string;
  apply: (parts: TimeParts, value: string) => boolean;
}

const setNumber =
  (key: 'year' | 'month' | 'day' | 'hour' | 'minute' | 'second') =>
  (parts: TimeParts, value: string): boolean => {
    parts[key] = Number(value);
    return true;
  };

const directives: Record<string, Directive> = {
  Y: { pattern: '(\\d{4})', apply: setNumber('year') },
  y: {
    pattern: '(\\d{2})',
    // POSIX: 69-99 are 1969-1999, 00-68 are 2000-2068.
    apply: (parts, value) => {
      const short = Number(value);
      parts.year = short < 69 ? 2000 + short : 1900 + short;
      return true;
    },
  },
  m: { pattern: '(\\d{1,2})', apply: setNumber('month') },
  d: { pattern: '(\\d{1,2})', apply: setNumber('day') },
  e: { pattern: ' ?(\\d{1,2})', apply: setNumber('day') },
  H: { pattern: '(\\d{1,2})', apply: setNumber('hour') },
  I: { pattern: '(\\d{1,2})', apply: setNumber('hour') },
  M: { pattern: '(\\d{1,2})', apply: setNumber('minute') },
  S: { pattern: '(\\d{1,2})', apply: setNumber('second') },
  f: {
    pattern: '(\\d{1,9})',
    apply: (parts, value) => {
      parts.millis = fractionToMillis(value);
      return true;
    },
  },
  p: {
    pattern: '([AaPp][Mm])',
    apply: (parts, value) => {
      parts.pm = value.toLowerCase() === 'pm';
      return true;
    },
  },
  b: { pattern: '([A-Za-z]{3})', apply: setMonthName },
  h: { pattern: '([A-Za-z]{3})', apply: setMonthName },
  B: { pattern: '([A-Za-z]{3,9})', apply: setMonthName },
  a: { pattern: '([A-Za-z]{3})', apply: () => true },
  A: { pattern: '([A-Za-z]{6,9})', apply: () => true },
  z: {
    pattern: '(Z|[+-]\\d{2}:?\\d{2})',
    apply: (parts, value) => {
      const offset = value === 'Z' ? 0 : offsetMs(value[0] ?? '+', value.slice(1, 3), value.slice(-2));
      parts.offsetMs = offset;
      return offset !== undefined;
    },
  },
  Z: {
    pattern: '(UTC|GMT|Z)',
    apply: (parts) => {
      parts.offsetMs = 0;
      return true;
    },
  },
};

const shorthands: Record<string, string> = { T: '%H:%M:%S', F: '%Y-%m-%d', D: '%m/%d/%y', R: '%H:%M' };

function setMonthName(parts: TimeParts, value: string): boolean {
  const index = monthNames.indexOf(value.slice(0, 3).toLowerCase());
  if (index === -1) return false;
  parts.month = index + 1;
  return true;
}

function compileStrftime(format: string, zone: ZoneOffset): TimeParser | { error: string } {
  const expanded = format.replace(/%([TFDR])/g, (_, key: string) => shorthands[key] ?? '');
  const steps: Directive[] = [];
  let source = '^';
  let hasDate = false;
  let twelveHour = false;
  for (let i = 0; i < expanded.length; i++) {
    const char = expanded.charAt(i);
    if (char === '%') {
      const key = expanded.charAt(++i);
      if (key === '%') {
        source += '%';
        continue;
      }
      const directive = directives[key];
      if (!directive) return { error: `time format "${format}" has an unknown directive "%${key}"` };
      if (key === 'Y' || key === 'y' || key === 'd' || key === 'e') hasDate = true;
      if (key === 'I') twelveHour = true;
      steps.push(directive);
      source += directive.pattern;
    } else if (/\s/.test(char)) {
      while (/\s/.test(expanded.charAt(i + 1))) i++;
      source += '\\s+';
    } else {
      source += char.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
    }
  }
  if (!hasDate) return { error: `time format "${format}" has no date (%Y, %y or %d)` };
  const pattern = new RegExp(`${source}$`);
  return (text) => {
    const match = pattern.exec(text);
    if (!match) return { ok: false, reason: `"${clip(text)}" does not match the time format "${format}"` };
    const parts: TimeParts = {
      year: 1970,
      month: 1,
      day: 1,
      hour: 0,
      minute: 0,
      second: 0,
      millis: 0,
      offsetMs: undefined,
      pm: undefined,
    };
    for (const [s, step] of steps.entries()) {
      if (!step.apply(parts, match[s + 1] ?? '')) {
        return { ok: false, reason: `"${clip(text)}" does not match the time format "${format}"` };
      }
    }
    if (twelveHour && parts.pm !== undefined) {
      if (parts.hour < 1 || parts.hour > 12)
        return { ok: false, reason: `"${clip(text)}" has an hour out of range` };
      parts.hour = (parts.hour % 12) + (parts.pm ? 12 : 0);
    }
    return finish(parts, zone, text);
  };
}

function finish(parts: TimeParts, zone: ZoneOffset, text: string): TimeResult {
  const { year, month, day, hour, minute, second } = parts;
  // Years before 1000 are data errors, and Date.UTC would read 0-99 as 1900-1999.
  if (year < 1000 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) {
    return { ok: false, reason: `"${clip(text)}" is not a valid date and time` };
  }
  const local = Date.UTC(year, month - 1, day, hour, minute, second, parts.millis);
  // Date.UTC rolls 31 April over into May; a changed day means the date does not exist.
  if (new Date(local).getUTCDate() !== day) {
    return { ok: false, reason: `"${clip(text)}" is not a valid date and time` };
  }
  return fromUtcMs(local - (parts.offsetMs ?? zone(local)), text);
}

function fromUtcMs(ms: number, text: string): TimeResult {
  const date = new Date(ms);
  const year = date.getUTCFullYear();
  if (!Number.isFinite(ms) || year < 1 || year > 9999) {
    return { ok: false, reason: `"${clip(text)}" is out of the supported time range` };
  }
  const iso = date.toISOString();
  const millis = ms % 1000 === 0 ? '' : iso.slice(19, 23);
  return { ok: true, value: `${iso.slice(0, 19)}${millis}+00:00` };
}

function offsetMs(sign: string, hours: string, minutes: string): number | undefined {
  const h = Number(hours);
  const m = Number(minutes || '0');
  if (h > 23 || m > 59) return undefined;
  return (sign === '-' ? -1 : 1) * (h * 60 + m) * 60_000;
}

function fractionToMillis(fraction: string | undefined): number {
  if (!fraction) return 0;
  return Math.floor(Number(`0.${fraction}`) * 1000);
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
