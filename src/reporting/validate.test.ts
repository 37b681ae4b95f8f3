import { describe, expect, it } from 'vitest';
import { parseObservedAt, parseTargets } from './validate.ts';
import { addressBucket, csrfTokenFor, createTrackingId, verifyCsrfToken } from './tokens.ts';

describe('the targets of a report', () => {
  it('reads IPs, networks, domains and URLs, one per line, refanged, duplicates once', () => {
    const { targets, error } = parseTargets(
      '198.51.100.20\r\n\n2001:db8:100::1\n198.51.100.0/26\nWWW.MinVB.example.\nhxxps://www[.]minvb.example/login\n198.51.100.20',
    );
    expect(error).toBeUndefined();
    expect(targets).toEqual([
      { line: 1, kind: 'ip', value: '198.51.100.20' },
      { line: 3, kind: 'ip', value: '2001:db8:100::1' },
      { line: 4, kind: 'network', value: '198.51.100.0/26' },
      { line: 5, kind: 'fqdn', value: 'www.minvb.example' },
      { line: 6, kind: 'url', value: 'https://www.minvb.example/login' },
    ]);
  });

  it('names the line that is wrong', () => {
    expect(parseTargets('minvb.example\nlocalhost').error?.en).toBe(
      'Line 2: "localhost" is not an IP address, network (CIDR), domain name or URL.',
    );
    expect(parseTargets('\n\n192.168.1.1').error?.nl).toMatch(/^Regel 3: "192\.168\.1\.1" is een privé-/);
    expect(parseTargets('http://127.0.0.1:8080/').error?.en).toMatch(/^Line 1: .* private or reserved/);
    expect(parseTargets('  \n').error?.en).toMatch(/^Name at least one affected system/);
  });
});

describe('the time observed', () => {
  const now = new Date('2026-12-01T12:00:00Z');
  it('reads a form time as UTC, an ISO time with its zone, and refuses the future and nonsense', () => {
    expect(parseObservedAt('2026-11-30 14:05', now).at?.toISOString()).toBe('2026-11-30T14:05:00.000Z');
    expect(parseObservedAt('2026-11-30T14:05', now).at?.toISOString()).toBe('2026-11-30T14:05:00.000Z');
    expect(parseObservedAt('2026-11-30T15:05:00+01:00', now).at?.toISOString()).toBe(
      '2026-11-30T14:05:00.000Z',
    );
    expect(parseObservedAt('', now)).toEqual({});
    expect(parseObservedAt('2026-02-30 10:00', now).error?.en).toMatch(/^Enter a date and time/);
    expect(parseObservedAt('2026-12-02 10:00', now).error?.en).toBe('This time lies in the future.');
  });
});

describe('tokens', () => {
  it('counts IPv6 clients by their /64 and IPv4 as they are', () => {
    expect(addressBucket('2001:db8:1:2:3:4:5:6')).toBe('2001:0db8:0001:0002::/64');
    expect(addressBucket('2001:db8:1:2::9')).toBe('2001:0db8:0001:0002::/64');
    expect(addressBucket('::ffff:192.0.2.7')).toBe('192.0.2.7');
  });

  it('accepts a CSRF token only for its own cookie and secret', () => {
    const token = csrfTokenFor('secret-a', 'cookie-1');
    expect(verifyCsrfToken('secret-a', 'cookie-1', token)).toBe(true);
    expect(verifyCsrfToken('secret-a', 'cookie-2', token)).toBe(false);
    expect(verifyCsrfToken('secret-b', 'cookie-1', token)).toBe(false);
    expect(verifyCsrfToken('secret-a', undefined, token)).toBe(false);
    expect(verifyCsrfToken('secret-a', 'cookie-1', '')).toBe(false);
  });

  it('makes tracking ids of the UTC day without look-alike characters', () => {
    expect(createTrackingId(new Date('2026-12-01T23:59:00Z'))).toMatch(/^R-20261201-[2-9A-HJKMNP-RT-Z]{6}$/);
  });
});
