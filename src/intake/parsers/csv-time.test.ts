import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileTimeFormat, type TimeParser } from './csv-time.ts';

function parser(format: string, zone = 'UTC'): TimeParser {
  const compiled = compileTimeFormat(format, zone);
  if (typeof compiled !== 'function') throw new Error(compiled.error);
  return compiled;
}

function parse(format: string, text: string, zone = 'UTC'): string | undefined {
  const result = parser(format, zone)(text);
  return result.ok ? result.value : undefined;
}

describe('compileTimeFormat', () => {
  it('reads ISO-8601 with T or a space, fractions and offsets, and applies the zone only without an offset', () => {
    expect(parse('iso8601', '2015-12-14 04:19:00')).toBe('2015-12-14T04:19:00+00:00');
    expect(parse('iso8601', '2015-12-14T04:19:00Z', 'Europe/Amsterdam')).toBe('2015-12-14T04:19:00+00:00');
    expect(parse('iso8601', '2024-01-01T12:00:00.5+0200')).toBe('2024-01-01T10:00:00.500+00:00');
    expect(parse('iso8601', '2024-01-01 12:00:00 UTC', '+05:00')).toBe('2024-01-01T12:00:00+00:00');
    expect(parse('iso8601', '2024-01-01')).toBe('2024-01-01T00:00:00+00:00');
    expect(parse('iso8601', '2024-02-30 00:00:00')).toBeUndefined();
    expect(parse('iso8601', '01/02/2024')).toBeUndefined();
  });

  it('applies fixed offsets and IANA zones with daylight saving', () => {
    expect(parse('iso8601', '2024-07-01 12:00:00', '+02:00')).toBe('2024-07-01T10:00:00+00:00');
    expect(parse('iso8601', '2024-07-01 12:00:00', '-0330')).toBe('2024-07-01T15:30:00+00:00');
    expect(parse('iso8601', '2024-07-01 12:00:00', 'Europe/Amsterdam')).toBe('2024-07-01T10:00:00+00:00');
    expect(parse('iso8601', '2024-01-01 12:00:00', 'Europe/Amsterdam')).toBe('2024-01-01T11:00:00+00:00');
    expect(parse('iso8601', '2024-10-27 04:00:00', 'Europe/Amsterdam')).toBe('2024-10-27T03:00:00+00:00');
  });

  it('reads epoch seconds, epoch milliseconds and Windows NT ticks', () => {
    expect(parse('epoch_seconds', '1495782036')).toBe('2017-05-26T07:00:36+00:00');
    expect(parse('epoch_seconds', '1495782036.25')).toBe('2017-05-26T07:00:36.250+00:00');
    expect(parse('epoch_millis', '1495782036123')).toBe('2017-05-26T07:00:36.123+00:00');
    expect(parse('windows_nt', '131349599830000000')).toBe('2017-03-25T23:59:43+00:00');
    expect(parse('epoch_seconds', '17e8')).toBeUndefined();
    expect(parse('epoch_millis', '99999999999999999')).toBeUndefined();
  });

  it('reads strftime patterns: month names, %z, 12-hour clocks, two-digit years, shorthands', () => {
    expect(parse('%d/%b/%Y:%H:%M:%S %z', '01/Aug/2018:09:49:41 +0200')).toBe('2018-08-01T07:49:41+00:00');
    expect(parse('%B %d, %Y %I:%M %p', 'March 5, 2024 1:07 PM', '+01:00')).toBe('2024-03-05T12:07:00+00:00');
    expect(parse('%B %d, %Y %I:%M %p', 'March 5, 2024 12:07 AM')).toBe('2024-03-05T00:07:00+00:00');
    expect(parse('%d.%m.%y %T', '05.03.24 23:59:59')).toBe('2024-03-05T23:59:59+00:00');
    expect(parse('%F %H:%M:%S.%f', '2024-03-05 10:00:00.123456')).toBe('2024-03-05T10:00:00.123+00:00');
    expect(parse('%Y-%m-%d %H:%M:%S', '2024-03-05  10:00:00')).toBe('2024-03-05T10:00:00+00:00');
    expect(parse('%Y-%m-%d %H:%M:%S', '2024-03-05T10:00:00')).toBeUndefined();
    expect(parse('%d/%b/%Y', '01/Foo/2018')).toBeUndefined();
  });

  it('explains formats and zones it does not know', () => {
    expect(compileTimeFormat('%Y-%Q', 'UTC')).toEqual({
      error: 'time format "%Y-%Q" has an unknown directive "%Q"',
    });
    expect(compileTimeFormat('%H:%M', 'UTC')).toEqual({
      error: 'time format "%H:%M" has no date (%Y, %y or %d)',
    });
    expect(compileTimeFormat('rfc2822', 'UTC')).toHaveProperty(
      'error',
      expect.stringContaining('unknown time format'),
    );
    expect(compileTimeFormat('iso8601', 'Mars/Olympus')).toHaveProperty(
      'error',
      expect.stringContaining('unknown time zone "Mars/Olympus"'),
    );
    expect(compileTimeFormat('iso8601', '+25:00')).toHaveProperty(
      'error',
      expect.stringContaining('out of range'),
    );
  });

  it('round-trips any time through ISO-8601 and strftime, and never throws on any text (property)', () => {
    const iso = parser('iso8601');
    const strftime = parser('%Y-%m-%d %H:%M:%S');
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1970-01-01'), max: new Date('9999-12-31'), noInvalidDate: true }),
        (date) => {
          const whole = new Date(Math.floor(date.getTime() / 1000) * 1000);
          const expected = `${whole.toISOString().slice(0, 19)}+00:00`;
          expect(iso(whole.toISOString())).toEqual({ ok: true, value: expected });
          expect(strftime(whole.toISOString().slice(0, 19).replace('T', ' '))).toEqual({
            ok: true,
            value: expected,
          });
        },
      ),
    );
    const parsers = ['iso8601', 'epoch_seconds', 'epoch_millis', 'windows_nt', '%d/%b/%Y:%H:%M:%S %z'].map(
      (f) => parser(f, 'Europe/Amsterdam'),
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (text) => {
        for (const parse of parsers) {
          const result = parse(text);
          if (result.ok)
            expect(result.value).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?\+00:00$/);
        }
      }),
    );
  });
});
