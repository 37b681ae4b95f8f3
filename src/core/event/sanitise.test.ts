import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eventFields, fieldSpec } from './fields.ts';
import { sanitiseField, sanitiseValue } from './sanitise.ts';
import type { FieldSpec, FieldType, SanitiseResult } from './types.ts';

/*
 * Cases marked "harmonization tests" are the concrete examples of IntelMQ's own unit tests,
 * certtools/intelmq intelmq/tests/lib/test_harmonization.py (read through the reference library); lengths and
 * patterns come from /work/shared/corpus/certtools-intelmq/develop-d5e3e41/intelmq/etc/harmonization.conf.
 * Where Tocsin deliberately goes beyond IntelMQ the case says so.
 */

type Valid = readonly [input: unknown, expected: unknown];
type Invalid = readonly [input: unknown, reason: RegExp];

function show(value: unknown): string {
  if (typeof value === 'bigint') return `${value.toString()}n`;
  if (value instanceof Uint8Array) return `bytes(${Buffer.from(value).toString('hex')})`;
  if (value instanceof Date) return `Date(${String(value.getTime())})`;
  let text: string;
  try {
    text = value === undefined ? 'undefined' : JSON.stringify(value);
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return text.length > 70 ? `${text.slice(0, 70)}…` : text;
}

function accepts(field: string, cases: readonly Valid[]): void {
  for (const [input, expected] of cases) {
    it(`${field}: ${show(input)} -> ${show(expected)}`, () => {
      expect(sanitiseField(field, input)).toEqual({ ok: true, value: expected });
    });
  }
}

function rejects(field: string, cases: readonly Invalid[]): void {
  for (const [input, reason] of cases) {
    it(`${field}: rejects ${show(input)}`, () => {
      const result = sanitiseField(field, input);
      expect(result.ok).toBe(false);
      expect(result.ok ? '' : result.reason).toMatch(reason);
    });
  }
}

/** Types that fields.ts uses, plus the two that only `extra` uses; each must have a block below. */
const testedTypes = new Set<FieldType>();

function forType(type: FieldType, field: string, body: () => void): void {
  testedTypes.add(type);
  describe(`${type} (${field})`, () => {
    it(`${field} is of type ${type}`, () => {
      expect(fieldSpec(field)?.type).toBe(type);
    });
    body();
  });
}

const jsonDictSpec: FieldSpec = { name: 'extra', type: 'JSONDict', description: 'IntelMQ extra, whole' };

forType('IPAddress', 'source.ip', () => {
  accepts('source.ip', [
    ['192.0.2.1', '192.0.2.1'], // harmonization tests
    ['::1', '::1'], // harmonization tests
    ['2001:500:88:200::8', '2001:500:88:200::8'], // harmonization tests
    [' 192.0.2.1\r\n', '192.0.2.1'], // harmonization tests: whitespace trimmed
    ['2001:DB8::1', '2001:db8::1'], // harmonization tests: upper-case hex
    [new TextEncoder().encode('2001:DB8::1'), '2001:db8::1'], // harmonization tests: bytes
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // RFC 5952 §4.2.3: the first of equal zero runs
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // RFC 5952 §4.2.2: one zero group is no "::"
    ['1:0:0:1:0:0:0:1', '1:0:0:1::1'], // the longest zero run
    ['0:0:0:0:0:0:0:0', '::'],
    ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'], // Python's ipaddress reads "::" as one group here
    ['::ffff:1.2.3.4', '::ffff:1.2.3.4'],
    ['::FFFF:0102:0304', '::ffff:1.2.3.4'], // IPv4-mapped written as a dotted quad (RFC 5952 §5)
    ['1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:102:304'],
    ['fe80::1%eth0', 'fe80::1'], // zone id stripped (DOMAIN.md §1)
    ['FE80::1%25', 'fe80::1'],
    ['fe80::1%eth0/128', 'fe80::1'],
    ['192.0.2.1/32', '192.0.2.1'], // a prefix with one address is an address (IPAddress.sanitize)
    ['192.0.2.1/255.255.255.255', '192.0.2.1'],
    ['2001:db8::1/128', '2001:db8::1'],
    ['3232235777', '192.168.1.1'], // an integer is an address, as Python's ip_address(int)
    [3232235777, '192.168.1.1'],
    [3232235777n, '192.168.1.1'],
    ['4294967296', '::1:0:0'],
    ['::', '::'],
    ['', undefined],
    ['-', undefined],
    ['N/A', undefined],
    [null, undefined],
  ]);
  rejects('source.ip', [
    ['0.0.0.0', /0\.0\.0\.0 is not the address of a system/], // IntelMQ refuses exactly this address
    ['0', /0\.0\.0\.0/],
    [0, /0\.0\.0\.0/],
    ['192.0.2.0/24', /IP address/], // harmonization tests
    [' 192.0.2.0/24\r\n', /IP address/], // harmonization tests
    ['2001:DB8::1/32', /IP address/], // harmonization tests
    ['localhost', /IP address/], // harmonization tests
    ['192.000.002.001', /IP address/], // leading zeros are ambiguous (octal); Python ≥ 3.9.5 refuses them
    ['010.0.0.1', /IP address/],
    ['0010', /IP address/],
    ['1.2.3', /IP address/],
    ['1.2.3.4.5', /IP address/],
    ['256.1.1.1', /IP address/],
    ['1.2.3.4:80', /IP address/],
    ['[::1]', /IP address/],
    ['1:2:3:4:5:6:7:8:9', /IP address/],
    ['1:2:3:4:5:6:7:1.2.3.4', /IP address/],
    ['1::2::3', /IP address/],
    ['1:::2', /IP address/],
    [':1', /IP address/],
    ['1:', /IP address/],
    ['00000::1', /IP address/],
    ['192.0.2.1%eth0', /IP address/], // Tocsin: zone ids belong to IPv6 only (RFC 4007 §11)
    ['fe80::1%', /IP address/], // an empty zone id
    ['fe80::1%/128', /IP address/],
    ['fe80::1%%', /IP address/],
    ['fe80::1%eth0/64', /IP address/], // the prefix is not part of the zone id
    ['fe80::1/128%eth0', /IP address/],
    ['192.0.2.1/32/32', /IP address/],
    ['%eth0', /IP address/],
    ['192.0.2.1/', /IP address/],
    ['1.2.3.4/+32', /IP address/],
    ['192.0.2.1\u00002', /NUL/],
    ['1 .2.3.4', /IP address/],
    [-1, /IP address/],
    [1.5, /IP address/],
    [2n ** 128n, /IP address/],
    [true, /IP address/],
    [{}, /IP address/],
  ]);
});

forType('IPAddress', 'source.local_ip', () => {
  accepts('source.local_ip', [['10.0.0.1', '10.0.0.1']]);
});

forType('IPNetwork', 'source.network', () => {
  accepts('source.network', [
    ['192.0.2.0/24', '192.0.2.0/24'], // harmonization tests
    [' 192.0.2.0/24\r\n', '192.0.2.0/24'], // harmonization tests
    ['2001:DB8::/32', '2001:db8::/32'], // harmonization tests
    [new TextEncoder().encode('2001:DB8::/32'), '2001:db8::/32'], // harmonization tests: bytes
    ['127.0.0.1/32', '127.0.0.1/32'], // harmonization tests
    ['192.0.2.1', '192.0.2.1/32'], // harmonization tests: an address is a /32
    ['::1', '::1/128'], // harmonization tests
    ['2001:500:88:200::8', '2001:500:88:200::8/128'], // harmonization tests
    ['192.0.2.77/24', '192.0.2.0/24'], // host bits cleared (ip_network(strict=False))
    ['2001:db8::1/32', '2001:db8::/32'],
    ['10.0.0.0/255.0.0.0', '10.0.0.0/8'], // a netmask
    ['10.0.0.0/0.0.0.255', '10.0.0.0/24'], // a hostmask, as Python reads it
    ['10.0.0.0/08', '10.0.0.0/8'],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['::/0', '::/0'],
    ['', undefined],
  ]);
  rejects('source.network', [
    ['192.0.2.1/37', /IP network such as/], // harmonization tests
    ['2001:DB8::/130', /IP network/], // harmonization tests
    [' 192.0.2.0/-4\r\n', /IP network/], // harmonization tests
    ['2001:DB8Z::1/7', /IP network/], // harmonization tests
    ['localhost', /IP network/], // harmonization tests
    ['10.0.0.0/255.0.255.0', /IP network/], // not a contiguous mask
    ['10.0.0.0/', /IP network/],
    ['10.0.0.0/8/8', /IP network/],
    ['10.0.0.0/ 8', /IP network/],
    ['fe80::/10%eth0', /IP network/],
    ['2001:db8::/ffff::', /IP network/],
    [123, /IP network/],
  ]);
});

forType('FQDN', 'source.fqdn', () => {
  accepts('source.fqdn', [
    ['ex-am.ple.example', 'ex-am.ple.example'], // harmonization tests
    ['sub_sub2.example.net', 'sub_sub2.example.net'], // harmonization tests
    ['xn--1-0ga.at', 'xn--1-0ga.at'], // harmonization tests
    [
      '212.156.101.43.00-ebgp-atakoy1-k.301-fra-col-1.statik.turktelekom.com.tr',
      '212.156.101.43.00-ebgp-atakoy1-k.301-fra-col-1.statik.turktelekom.com.tr',
    ], // harmonization tests
    ['example.example.', 'example.example'], // harmonization tests: trailing dot stripped
    ['exAmple.net', 'example.net'], // harmonization tests: lower case
    ['ö1.at', 'xn--1-0ga.at'], // harmonization tests: IDN to punycode
    ['.example.com', 'example.com'], // harmonization tests
    ['Example.COM.', 'example.com'],
    [new TextEncoder().encode('example.net'), 'example.net'],
    ['MÜNCHEN.de', 'xn--mnchen-3ya.de'],
    ['Xn--MNCHEN-3YA.DE', 'xn--mnchen-3ya.de'],
    ['ＥＸＡＭＰＬＥ.com', 'example.com'], // full-width letters map to ASCII (UTS #46)
    ['example。com', 'example.com'], // an ideographic full stop is a dot (UTS #46)
    ['*.example.com', '*.example.com'],
    ['_dmarc.example.com', '_dmarc.example.com'],
    ['localhost', 'localhost'],
    [`${'a'.repeat(63)}.example`, `${'a'.repeat(63)}.example`],
    ['n/a', undefined],
  ]);
  rejects('source.fqdn', [
    ['.', /domain name such as/], // harmonization tests
    ['...', /domain name/], // harmonization tests
    ['10.0.0.1:8080', /domain name/], // harmonization tests (issue 1235)
    ['{subid_3}&aff_sub4={subid_4}&aff_sub5={subid_5}&DOM=trackingmyli', /domain name/], // harmonization tests
    ['10.0.0.1', /domain name/], // FQDN.is_valid: no IP addresses
    ['1.2.3.4.', /domain name/],
    ['1.2.3.04', /domain name/], // Tocsin: an all-numeric last label is no name (RFC 3696 §2)
    ['a.b.c.123', /domain name/],
    ['2001:db8::1', /domain name/],
    ['http://example.com', /domain name/], // FQDN.is_valid: no URLs
    ['example.com/path', /domain name/],
    ['ex ample.com', /domain name/],
    ['exa%mple.com', /domain name/],
    ['a..b', /domain name/],
    ['.-', /domain name/], // found by the fixpoint property: "-" would read as "no value" next time
    ['--.example', /domain name/],
    [`${'a'.repeat(64)}.com`, /domain name/], // a label longer than 63
    [`${`${'a'.repeat(63)}.`.repeat(4)}com`, /domain name/], // longer than 253
    ['example.com\u0000', /NUL/],
    ['exa\tmple.com', /domain name/],
    [42, /domain name/],
  ]);
});

forType('FQDN', 'source.reverse_dns', () => {
  accepts('source.reverse_dns', [['Host-1.Example.NET.', 'host-1.example.net']]);
});

forType('URL', 'source.url', () => {
  accepts('source.url', [
    ['http://example.com', 'http://example.com'], // harmonization tests
    ['http://example.com/foo', 'http://example.com/foo'], // harmonization tests
    ['file://localhost/etc/hosts', 'file://localhost/etc/hosts'], // harmonization tests
    ['hxxps://example.com/foo', 'https://example.com/foo'], // harmonization tests: defanged
    ['hxxp://example.com/a', 'http://example.com/a'],
    ['HXXPS://example.com/foo', 'https://example.com/foo'],
    ['file:///etc/hosts', 'file://localhost/etc/hosts'], // harmonization tests: file without host
    ['file:etc/hosts', 'file://localhost/etc/hosts'],
    [' http://example.com', 'http://example.com'], // harmonization tests
    [new TextEncoder().encode('http://example.com'), 'http://example.com'], // harmonization tests: bytes
    ['HTTP://WWW.Example.COM/Path?Q=A#F', 'http://www.example.com/Path?Q=A#F'], // RFC 3986 §6.2.2.1
    ['http://User:PW@Example.com:8080/', 'http://User:PW@example.com:8080/'], // userinfo keeps its case
    ['http://[2001:DB8::1]:8080/', 'http://[2001:db8::1]:8080/'],
    ['http://[fe80::1%25eth0]/', 'http://[fe80::1%25eth0]/'],
    ['http://192.0.2.1/x', 'http://192.0.2.1/x'],
    ['http://example.com:80/', 'http://example.com:80/'],
    ['http://example.com?q', 'http://example.com?q'],
    ['ftp://a', 'ftp://a'],
    ['http://ö.de/', 'http://ö.de/'],
    ['http://example.com/a b', 'http://example.com/a b'], // IntelMQ keeps what urlsplit keeps
    ['http://example.com/\t', 'http://example.com/'], // surrounding whitespace trimmed
    ['-', undefined],
  ]);
  rejects('source.url', [
    ['example.com', /URL with a scheme and a host/], // harmonization tests: scheme-less is refused
    ['example.com/path', /URL with a scheme and a host/], // guessing http or https would change the fact
    ['//example.com/x', /URL with a scheme/],
    ['1.2.3.4:8080/path', /URL with a scheme/],
    ['http://', /URL with a scheme/], // harmonization tests: no host
    ['http:example.com', /URL with a scheme/],
    ['mailto:a@example.com', /URL with a scheme/],
    ['hxxp[:]//example[.]com', /URL with a scheme/],
    ['http://exa mple.com', /URL with a scheme/],
    ['http://example.com:99999/', /URL with a scheme/],
    ['http://example.com:8o/', /URL with a scheme/],
    ['http://:80/', /URL with a scheme/],
    ['http://@/', /URL with a scheme/],
    ['http://[::1/', /URL with a scheme/],
    ['http://[::g]/', /URL with a scheme/],
    ['http://a:b:c/', /URL with a scheme/],
    ['http://example.com/a\tb', /control character/],
    ['http://example.com/\u007f', /control character/],
    ['http://example.com/\u0000', /NUL/],
    [42, /URL with a scheme/],
  ]);
});

forType('DateTime', 'time.source', () => {
  accepts('time.source', [
    ['2015-08-31T08:16:10+00:00', '2015-08-31T08:16:10+00:00'], // harmonization tests: canonical form
    ['2015-08-31T08:16:10.1234+00:00', '2015-08-31T08:16:10.123400+00:00'], // harmonization tests
    ['2016-07-19 06:40:01.617719+02:00 UTC', '2016-07-19T04:40:01.617719+00:00'], // harmonization tests
    ['2016-07-19 13:08:38 UTC', '2016-07-19T13:08:38+00:00'], // harmonization tests
    ['2015-08-31T08:16:10+05:00', '2015-08-31T03:16:10+00:00'], // offsets to UTC
    ['2016-07-19T13:08:38-0130', '2016-07-19T14:38:38+00:00'],
    ['2016-07-19T13:08:38+01', '2016-07-19T12:08:38+00:00'],
    ['2016-07-19T13:08:38 +0100', '2016-07-19T12:08:38+00:00'],
    ['2016-07-19T00:30:00+01:00', '2016-07-18T23:30:00+00:00'], // across midnight
    ['2016-03-01T00:30:00+01:00', '2016-02-29T23:30:00+00:00'], // into a leap day
    ['2016-07-19T13:08:38-00:00', '2016-07-19T13:08:38+00:00'],
    ['2016-07-19T13:08:38Z', '2016-07-19T13:08:38+00:00'],
    ['2016-07-19t13:08:38z', '2016-07-19T13:08:38+00:00'],
    ['2016-07-19T13:08:38 GMT', '2016-07-19T13:08:38+00:00'],
    ['2016-07-19T13:08:38', '2016-07-19T13:08:38+00:00'], // no zone is UTC
    ['2016-07-19 13:08:38.123', '2016-07-19T13:08:38.123000+00:00'],
    ['2016-07-19T13:08', '2016-07-19T13:08:00+00:00'],
    ['2016-07-19', '2016-07-19T00:00:00+00:00'],
    ['2016-07-19T13:08:38.123456789Z', '2016-07-19T13:08:38.123456+00:00'], // cut to microseconds
    ['2016-07-19T13:08:38,5Z', '2016-07-19T13:08:38.500000+00:00'], // ISO 8601 decimal comma
    ['2016-07-19T13:08:38.000000+00:00', '2016-07-19T13:08:38+00:00'], // Python's isoformat drops zero
    ['2016-02-29T00:00:00Z', '2016-02-29T00:00:00+00:00'],
    ['Mon, 31 Aug 2015 08:16:10 +0200', '2015-08-31T06:16:10+00:00'], // RFC 2822
    ['31 Aug 2015 08:16:10 GMT', '2015-08-31T08:16:10+00:00'],
    [1441008970, '2015-08-31T08:16:10+00:00'], // harmonization tests (from_timestamp): epoch seconds
    [1441008970.5, '2015-08-31T08:16:10.500000+00:00'],
    [0, '1970-01-01T00:00:00+00:00'],
    [-62135596800, '0001-01-01T00:00:00+00:00'],
    [new Date(Date.UTC(2020, 0, 1, 0, 0, 0, 5)), '2020-01-01T00:00:00.005000+00:00'],
    [' 2016-07-19T13:08:38+00:00 ', '2016-07-19T13:08:38+00:00'],
    [new TextEncoder().encode('2016-07-19 13:08:38 UTC'), '2016-07-19T13:08:38+00:00'],
    ['', undefined],
  ]);
  rejects('time.source', [
    ['2015-08-31T36:16:10+00:00', /date and time in the years 1 to 9999 \(ISO 8601/], // harmonization tests
    ['2016-02-30T00:00:00Z', /date and time/],
    ['2015-02-29T00:00:00Z', /date and time/],
    ['2016-07-19T24:00:00Z', /date and time/],
    ['2016-07-19T23:59:60Z', /date and time/], // Python's datetime has no leap second
    ['2016-07-19T13:08:38+24:00', /date and time/],
    ['2016-07-19T13:08:38+00:00:00', /date and time/],
    ['2016-07-19T13:08:38+02:00 +03:00', /date and time/],
    ['2016-07-19T13:08:38 CEST', /date and time/], // zone abbreviations are ambiguous
    ['2016-7-19T13:08:38Z', /date and time/],
    ['20160719T130838Z', /date and time/],
    ['2016-07-19T13:08:38.Z', /date and time/],
    ['0000-01-01T00:00:00Z', /years 1 to 9999/],
    ['0001-01-01T00:30:00+01:00', /years 1 to 9999/], // year 0 in UTC
    ['9999-12-31T23:59:59-01:00', /years 1 to 9999/], // year 10000 in UTC
    ['1441008970', /epoch seconds/], // digits in text could be YYYYMMDD as well: only numbers are epochs
    [1441008970000, /epoch seconds/], // milliseconds: year 47 633
    ['yesterday', /date and time/],
    [Number.NaN, /date and time/],
    [new Date(Number.NaN), /date and time/],
    [true, /date and time/],
  ]);
});

forType('Integer', 'source.port', () => {
  accepts('source.port', [
    ['80', 80],
    [' 1337', 1337], // harmonization tests
    ['+80', 80],
    ['00080', 80],
    [80, 80],
    [-0, 0],
    [new TextEncoder().encode('1337'), 1337], // harmonization tests: bytes
    ['', undefined],
    ['n/a', undefined],
  ]);
  rejects('source.port', [
    ['b13', /whole number/], // harmonization tests
    ['80.0', /whole number/],
    [80.5, /whole number/],
    ['1e3', /whole number/],
    ['0x50', /whole number/],
    ['1_000', /whole number/],
    ['٨٠', /whole number/],
    ['NULL', /whole number/],
    [true, /whole number/], // Tocsin: a boolean here is a mapping mistake (IntelMQ takes it as 1)
    [{}, /whole number/],
    ['-1', /number from 0 to 65535/], // Tocsin: ports have a range
    ['65536', /number from 0 to 65535/],
    [123456, /number from 0 to 65535/], // harmonization.conf: source.port length 5
  ]);
  accepts('destination.port', [['443', 443]]);
  rejects('destination.port', [[70000, /number from 0 to 65535/]]);
  accepts('rtir_id', [
    ['-4532', -4532], // harmonization tests
    [9007199254740991, 9007199254740991],
  ]);
  rejects('rtir_id', [
    ['9007199254740993', /within ±9007199254740991/],
    [9007199254740992, /within ±9007199254740991/],
    [2n ** 60n, /within ±9007199254740991/],
  ]);
});

forType('Float', 'source.geolocation.latitude', () => {
  accepts('source.geolocation.latitude', [
    ['+137.23', 137.23], // harmonization tests
    [' 1337.2', 1337.2], // harmonization tests
    ['3.31e+3', 3310], // harmonization tests
    ['-31.e-2', -0.31], // harmonization tests
    [-4532.234, -4532.234], // harmonization tests
    [13.234e-4, 13.234e-4], // harmonization tests
    [new TextEncoder().encode('17.234'), 17.234], // harmonization tests: bytes
    ['.5', 0.5],
    ['5.', 5],
    ['-0', 0],
    [-4532, -4532],
  ]);
  rejects('source.geolocation.latitude', [
    ['b13.23', /number/], // harmonization tests
    ['NaN', /number/], // no JSON for NaN and infinities
    ['inf', /number/],
    ['1e400', /number/],
    [Number.NaN, /number/],
    [Number.POSITIVE_INFINITY, /number/],
    ['52,37', /number/],
    ['0x10', /number/],
    [true, /number/], // Tocsin: as Integer
  ]);
});

forType('Boolean', 'source.tor_node', () => {
  accepts('source.tor_node', [
    [true, true], // harmonization tests
    [false, false], // harmonization tests
    ['true', true], // harmonization tests
    ['false', false], // harmonization tests
    [0, false], // harmonization tests
    [1, true], // harmonization tests
    ['TRUE', true],
    [' False ', false],
    ['', undefined],
  ]);
  rejects('source.tor_node', [
    ['test', /true or false/], // harmonization tests
    [[], /true or false/], // harmonization tests
    [2, /true or false/],
    ['yes', /true or false/],
    ['1', /true or false/], // IntelMQ takes text only as "true"/"false"
  ]);
});

forType('ASN', 'source.asn', () => {
  accepts('source.asn', [
    [123, 123], // harmonization tests
    [1234567, 1234567], // harmonization tests
    ['1234', 1234], // harmonization tests
    ['AS1234', 1234], // harmonization tests
    ['as1234', 1234],
    ['AS 1234', 1234],
    [' AS1234 ', 1234],
    ['01234', 1234],
    [4294967295, 4294967295],
    ['4294967295', 4294967295],
    [1, 1],
  ]);
  rejects('source.asn', [
    [4294967296, /AS number from 1 to 4294967295/], // harmonization tests
    [0, /AS number from 1 to 4294967295/], // harmonization tests
    ['asd', /AS number/], // harmonization tests
    [-1, /AS number/], // harmonization tests
    ['-1', /AS number/],
    ['4294967296', /AS number/],
    ['99999999999', /AS number/],
    ['0', /AS number/],
    ['AS0', /AS number/],
    ['AS', /AS number/],
    ['ASN1234', /AS number/],
    ['12.5', /AS number/],
    [12.5, /AS number/],
    [true, /AS number/],
  ]);
});

forType('Accuracy', 'feed.accuracy', () => {
  accepts('feed.accuracy', [
    [50, 50],
    ['100', 100],
    ['0', 0],
    ['99.5', 99.5],
    [true, 100], // IntelMQ's Accuracy.sanitize: a boolean is 100 or 0
    [false, 0],
  ]);
  rejects('feed.accuracy', [
    [100.5, /accuracy from 0 to 100/],
    [-1, /accuracy from 0 to 100/],
    ['-0.1', /accuracy from 0 to 100/],
    ['50%', /accuracy from 0 to 100/],
    ['high', /accuracy from 0 to 100/],
    ['true', /accuracy from 0 to 100/],
  ]);
});

forType('ClassificationType', 'classification.type', () => {
  accepts('classification.type', [
    ['infected-system', 'infected-system'],
    ['scanner ', 'scanner'],
    ['Phishing', 'phishing'],
    // IntelMQ's ClassificationType.sanitize rewrites these legacy names itself
    ['botnet drone', 'infected-system'],
    ['Botnet Drone', 'infected-system'],
    ['ransomware', 'infected-system'],
    ['c&c', 'c2-server'],
    ['ids alert', 'ids-alert'],
    ['malware configuration', 'malware-configuration'],
    ['leak', 'data-leak'],
    ['vulnerable service', 'vulnerable-system'],
    ['vulnerable client', 'vulnerable-system'],
    ['unknown', 'undetermined'],
    ['Unauthorised-information-access', 'unauthorised-information-access'],
    // IntelMQ 3.0 renames (CHANGELOG 3.0.0)
    ['dga domain', 'dga-domain'],
    ['compromised', 'system-compromise'],
    ['defacement', 'unauthorised-information-modification'],
    ['Malware Distribution', 'malware-distribution'],
    ['malware_distribution', 'malware-distribution'],
    ['unauthorised-use-of-resources', 'unauthorized-use-of-resources'], // RSIT's spelling to IntelMQ's
  ]);
  rejects('classification.type', [
    ['dropzone', /RSIT classification type such as/], // removed in IntelMQ 3.0 without a successor
    ['foo', /RSIT classification type/],
    ['toString', /RSIT classification type/],
    ['constructor', /RSIT classification type/],
    [5, /RSIT classification type/],
  ]);
});

forType('ClassificationTaxonomy', 'classification.taxonomy', () => {
  accepts('classification.taxonomy', [
    ['malicious-code', 'malicious-code'],
    ['malicious code', 'malicious-code'], // IntelMQ 2 spelling
    ['Malicious-Code', 'malicious-code'],
    ['abusive content', 'abusive-content'],
    ['information gathering', 'information-gathering'],
    ['vulnerable', 'vulnerable'],
  ]);
  rejects('classification.taxonomy', [
    ['foo', /RSIT taxonomy such as/],
    ['malicious_code', /RSIT taxonomy/],
    ['toString', /RSIT taxonomy/],
    ['__proto__', /RSIT taxonomy/],
    ['x'.repeat(101), /RSIT taxonomy/],
  ]);
});

forType('TLP', 'tlp', () => {
  accepts('tlp', [
    ['WHITE', 'CLEAR'], // harmonization tests; TLP 1.0 WHITE is TLP 2.0 CLEAR
    ['TLP:RED', 'RED'], // harmonization tests
    ['red ', 'RED'], // harmonization tests
    ['green', 'GREEN'], // Tocsin reads any case (IntelMQ wants upper case unsanitised)
    ['TLP AMBER', 'AMBER'], // Tocsin reads this too; IntelMQ does not
    ['TLP:AMBER+STRICT', 'AMBER+STRICT'],
    ['tlp:clear', 'CLEAR'],
  ]);
  rejects('tlp', [
    ['purple', /TLP level \(CLEAR, GREEN, AMBER, AMBER\+STRICT, RED\)/],
    ['TLP:', /TLP level/],
    ['TLP', /TLP level/],
    ['amber strict', /TLP level/],
  ]);
});

forType('Registry', 'source.registry', () => {
  accepts('source.registry', [
    ['RIPE', 'RIPE'], // harmonization tests
    ['lacnic', 'LACNIC'], // harmonization tests
    ['RIPE-NCC', 'RIPE'], // harmonization tests
    ['RIPENCC', 'RIPE'], // harmonization tests
    ['ripe-ncc', 'RIPE'], // harmonization tests
    ['AfriNIC', 'AFRINIC'],
  ]);
  rejects('source.registry', [
    ['IANA', /regional Internet registry \(AFRINIC, APNIC, ARIN, LACNIC, RIPE\)/],
    ['ripe ncc', /regional Internet registry/],
  ]);
});

forType('Severity', 'severity', () => {
  accepts('severity', [
    ['HIGH', 'high'],
    ['info', 'info'],
  ]);
  rejects('severity', [['urgent', /severity \(critical, high, medium, low, info\)/]]);
});

forType('String', 'comment', () => {
  accepts('comment', [
    ['  hi  ', 'hi'],
    ['line1\nline2', 'line1\nline2'], // free text keeps its line breaks
    ['a\u0001b', 'a\u0001b'], // and other control characters, which PostgreSQL and JSON carry
    ['\u00a0x\u00a0', 'x'], // JavaScript's trim, like Python's strip, knows Unicode spaces
    ['\ufeffx', 'x'],
    ['😀', '😀'],
    [12, '12'],
    [true, 'true'],
    [12n, '12'],
    [new TextEncoder().encode(' bytes '), 'bytes'], // harmonization tests: bytes are UTF-8
    [new Uint8Array([0xff, 0x41]), '\ufffdA'], // broken UTF-8 is replaced, as errors='replace'
    ['x'.repeat(100_000), 'x'.repeat(100_000)], // no limit where IntelMQ sets none
    ['-', undefined],
    ['N/A', undefined],
    ['n/A', undefined],
    ['   ', undefined],
  ]);
  rejects('comment', [
    ['a\u0000b', /NUL character/], // PostgreSQL text cannot hold NUL
    ['\ud800', /unpaired surrogate/],
    ['x\udc00y', /unpaired surrogate/],
    [{}, /not text: an object/],
    [[], /not text: an array/],
    [Number.NaN, /finite number/],
  ]);
  accepts('feed.code', [
    ['x'.repeat(100), 'x'.repeat(100)], // harmonization.conf: length 100
    ['😀'.repeat(100), '😀'.repeat(100)], // length in code points, as Python's len
  ]);
  rejects('feed.code', [
    ['x'.repeat(101), /longer than 100 characters/],
    ['😀'.repeat(101), /longer than 100 characters/],
  ]);
  accepts('product.vulnerabilities', [
    ['CVE-2021-26855, CVE-2021-27065;cve-2021-26855', 'cve-2021-26855;cve-2021-27065'],
    [' ; , ', undefined],
  ]);
});

describe('hash fields (String with harmonization.conf length 200 and printable ASCII)', () => {
  accepts('malware.hash.md5', [
    ['d41d8cd98f00b204e9800998ecf8427e', 'd41d8cd98f00b204e9800998ecf8427e'],
    ['D41D8CD98F00B204E9800998ECF8427E', 'D41D8CD98F00B204E9800998ECF8427E'], // IntelMQ keeps the case
    [' d41d8cd98f00b204e9800998ecf8427e\n', 'd41d8cd98f00b204e9800998ecf8427e'],
  ]);
  accepts('malware.hash.sha1', [
    ['da39a3ee5e6b4b0d3255bfef95601890afd80709', 'da39a3ee5e6b4b0d3255bfef95601890afd80709'],
  ]);
  accepts('malware.hash.sha256', [
    [
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    ],
  ]);
  rejects('malware.hash.md5', [
    ['x'.repeat(201), /longer than 200 characters/],
    ['ä', /printable ASCII/],
    ['d41d\u0001', /printable ASCII/],
  ]);
  rejects('malware.hash.sha256', [['e3b0\tc442', /printable ASCII/]]);
});

forType('LowercaseString', 'malware.name', () => {
  accepts('malware.name', [
    ['Zeus', 'zeus'],
    ['fooBar', 'foobar'], // harmonization tests
    [new TextEncoder().encode('fooBar'), 'foobar'], // harmonization tests
    ['N/a', undefined], // an absent marker in any case, so that lower-casing cannot make one
  ]);
  rejects('malware.name', [
    ['ZEUSé', /printable ASCII/],
    ['İstanbul', /printable ASCII/],
  ]);
  accepts('protocol.transport', [['TCP', 'tcp']]);
  rejects('protocol.transport', [['foo', /IANA protocol keyword such as tcp, udp or icmp/]]);
  accepts('misp.event_uuid', [
    ['5A9F1C2B-1234-4ABC-9DEF-0123456789AB', '5a9f1c2b-1234-4abc-9def-0123456789ab'],
  ]);
  rejects('misp.event_uuid', [['not-a-uuid', /UUID/]]);
  accepts('source.abuse_contact', [['Abuse@Example.COM', 'abuse@example.com']]);
});

forType('UppercaseString', 'source.geolocation.cc', () => {
  accepts('source.geolocation.cc', [
    ['de', 'DE'],
    [' nl ', 'NL'],
    ['d1', 'D1'], // harmonization.conf's pattern allows digits (Shadowserver writes some codes that way)
    [new TextEncoder().encode('at'), 'AT'], // harmonization tests: bytes
  ]);
  rejects('source.geolocation.cc', [
    ['DEU', /longer than 2 characters/], // harmonization.conf: length 2
    ['D', /two letters or digits \(an ISO 3166-1 alpha-2 country code\)/],
    ['N L', /longer than 2/],
    ['ǆ', /country code/],
  ]);
  accepts('event_hash', [['abc', 'ABC']]);
  rejects('event_hash', [
    ['xyz', /hexadecimal digits/],
    ['A'.repeat(41), /longer than 40 characters/],
  ]);
});

forType('Base64', 'raw', () => {
  accepts('raw', [
    ['hello', 'aGVsbG8='],
    [' x ', 'IHgg'], // the original record is kept as it was, whitespace and all
    ['a\u0000b', 'YQBi'], // base64 carries any byte
    [new Uint8Array([0, 255]), 'AP8='],
    ['\ud800', '77+9'], // an unpaired surrogate becomes U+FFFD in UTF-8
    ['', undefined],
    ['-', undefined],
  ]);
  rejects('raw', [
    [5, /original text or bytes/],
    [{}, /original text or bytes/],
  ]);
});

forType('JSON', 'extra.tag', () => {
  accepts('extra.tag', [
    ['x', 'x'],
    [' x ', 'x'],
    [5, 5],
    [-0, 0],
    [true, true],
    [
      [1, 2],
      [1, 2],
    ],
    [[' a '], [' a ']], // values inside arrays and objects are kept as given
    [{ a: 1 }, { a: 1 }],
    [{ b: { c: [null] } }, { b: { c: [null] } }],
    ['{"a":1}', '{"a":1}'], // text stays text
    [[], undefined],
    [{}, undefined],
    [{ a: undefined }, undefined], // JSON drops the member: nothing is left
    [null, undefined],
    ['n/A', undefined],
  ]);
  rejects('extra.tag', [
    [{ a: '\u0000' }, /NUL character/],
    [{ a: Number.NaN }, /NaN, which JSON cannot/],
    [[undefined], /undefined in an array/],
    [{ a: 1n }, /which JSON cannot/],
    [{ a: () => 1 }, /a function, which JSON cannot/],
    [new Date(0), /JSON value \(text, number/],
    [new Map(), /JSON value/],
    [Number.NaN, /finite number/],
  ]);
  it('refuses nesting deeper than 32 levels, and so a cycle', () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    const result = sanitiseField('extra.tag', cycle);
    expect(result.ok ? '' : result.reason).toMatch(/nested deeper than 32 levels/);
  });
  it('takes any well-formed extra key and names a malformed one', () => {
    expect(sanitiseField('extra.a.b_2', 'x')).toEqual({ ok: true, value: 'x' });
    const malformed = sanitiseField('extra.Tag', 'x');
    expect(malformed.ok ? '' : malformed.reason).toMatch(/not a valid extra key \(lower-case letters/);
    const unknown = sanitiseField('source.ipaddress', 'x');
    expect(unknown.ok ? '' : unknown.reason).toMatch(/not an IDF field: "source.ipaddress"/);
  });
});

testedTypes.add('JSONDict');
describe('JSONDict (IntelMQ extra given whole)', () => {
  it.each([
    ['{"foo": "bar"}', { foo: 'bar' }], // harmonization tests
    [{ foo: 'bar' }, { foo: 'bar' }], // harmonization tests
    [new TextEncoder().encode('{"foo": "bar"}'), { foo: 'bar' }], // harmonization tests: bytes
    ['{}', undefined], // harmonization tests: empty is no value
  ])('%s', (input, expected) => {
    expect(sanitiseValue(jsonDictSpec, input)).toEqual({ ok: true, value: expected });
  });
  it.each([
    ['"example"', /JSON object/], // harmonization tests
    ['[1]', /JSON object/],
    ['{', /JSON object/],
    [5, /JSON object/],
  ])('rejects %s', (input, reason) => {
    const result = sanitiseValue(jsonDictSpec, input);
    expect(result.ok ? '' : result.reason).toMatch(reason);
  });
});

describe('every field type', () => {
  it('has a block of cases above', () => {
    const used = new Set<FieldType>([...eventFields.values()].map((spec) => spec.type));
    used.add('JSON');
    used.add('JSONDict');
    expect([...used].filter((type) => !testedTypes.has(type))).toEqual([]);
  });

  it('leaves undefined and null absent for every field', () => {
    for (const name of eventFields.keys()) {
      expect(sanitiseField(name, undefined)).toEqual({ ok: true, value: undefined });
      expect(sanitiseField(name, null)).toEqual({ ok: true, value: undefined });
    }
  });

  it('quotes a long rejected value cut short, so a reason stays readable', () => {
    const result = sanitiseField('source.ip', 'x'.repeat(10_000));
    expect(result.ok).toBe(false);
    expect(result.ok ? 0 : result.reason.length).toBeLessThan(200);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Properties

/** Text as feeds spell values: the value itself, in mixed case, with surrounding whitespace. */
function spelled(core: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc
    .tuple(fc.mixedCase(core), fc.constantFrom('', ' ', '\t', '\r\n'), fc.constantFrom('', ' ', '\n'))
    .map(([text, before, after]) => `${before}${text}${after}`);
}

const noise = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.string({
    unit: fc.constantFrom(...'0123456789abcdefABCDEF.:/%-+ TZxXsS[]@?#'.split('')),
    maxLength: 40,
  }),
);

const epochSeconds = fc.integer({ min: -62135596800, max: 253402300799 });
const isoTime = fc
  .tuple(
    fc.date({
      min: new Date('0100-01-01T00:00:00Z'),
      max: new Date('9900-01-01T00:00:00Z'),
      noInvalidDate: true,
    }),
    fc.constantFrom('Z', '+00:00', '+02:00', '-0530', ' UTC', '', '+02:00 UTC'),
    fc.constantFrom('T', ' '),
  )
  .map(([date, zone, separator]) => `${date.toISOString().slice(0, 23).replace('T', separator)}${zone}`);

/** Inputs per type that are mostly valid, mixed with noise, so properties cover both paths. */
const inputs: Record<FieldType, fc.Arbitrary<unknown>> = {
  String: fc.oneof(noise, fc.string()),
  LowercaseString: fc.oneof(noise, spelled(fc.constantFrom('tcp', 'udp', 'n/a', 'zeus', 'ß', 'ǅ', 'İ'))),
  UppercaseString: fc.oneof(noise, spelled(fc.constantFrom('nl', 'de', 'n/a', 'ß', 'ǆ', 'abc'))),
  IPAddress: fc.oneof(
    noise,
    spelled(fc.ipV4()),
    spelled(fc.ipV6()),
    spelled(fc.ipV4Extended()),
    fc.ipV6().map((ip) => `${ip}%eth0`),
    fc.ipV4().map((ip) => `${ip}/32`),
    fc.bigInt({ min: 0n, max: 2n ** 129n }),
  ),
  IPNetwork: fc.oneof(
    noise,
    fc.tuple(fc.ipV4(), fc.integer({ min: 0, max: 33 })).map(([ip, prefix]) => `${ip}/${String(prefix)}`),
    fc.tuple(fc.ipV6(), fc.integer({ min: 0, max: 129 })).map(([ip, prefix]) => `${ip}/${String(prefix)}`),
    fc.tuple(fc.ipV4(), fc.ipV4()).map(([ip, mask]) => `${ip}/${mask}`),
  ),
  Integer: fc.oneof(noise, fc.integer().map(String), fc.integer(), fc.double(), fc.bigInt()),
  Float: fc.oneof(noise, fc.double().map(String), fc.double(), fc.integer()),
  Boolean: fc.oneof(
    noise,
    spelled(fc.constantFrom('true', 'false')),
    fc.integer({ min: -1, max: 2 }),
    fc.boolean(),
  ),
  ASN: fc.oneof(
    noise,
    fc.integer({ min: -1, max: 2 ** 32 + 1 }),
    spelled(fc.nat().map((n) => `AS${String(n)}`)),
    fc.double(),
  ),
  DateTime: fc.oneof(noise, spelled(isoTime), epochSeconds, fc.double(), fc.date()),
  FQDN: fc.oneof(
    noise,
    spelled(fc.domain()),
    fc.domain().map((d) => `${d}.`),
    spelled(fc.constantFrom('münchen.de', 'ö1.at', 'faß.de')),
  ),
  URL: fc.oneof(
    noise,
    spelled(fc.webUrl({ withQueryParameters: true, withFragments: true })),
    fc.webUrl().map((url) => url.replace(/^http/, 'hxxp')),
    fc.constantFrom('file:///etc/hosts', 'file:x', 'HXXPS://A.B/C', 'http://[::1]:80/'),
  ),
  Base64: fc.oneof(noise, fc.uint8Array({ maxLength: 20 })),
  ClassificationTaxonomy: fc.oneof(noise, spelled(fc.constantFrom('malicious code', 'vulnerable', 'other'))),
  ClassificationType: fc.oneof(
    noise,
    spelled(fc.constantFrom('botnet drone', 'c&c', 'scanner', 'malware distribution')),
  ),
  TLP: fc.oneof(noise, spelled(fc.constantFrom('tlp:amber+strict', 'white', 'red', 'TLP AMBER'))),
  Registry: fc.oneof(noise, spelled(fc.constantFrom('ripe-ncc', 'arin', 'afrinic'))),
  Accuracy: fc.oneof(noise, fc.double(), fc.boolean(), fc.double({ min: 0, max: 100 }).map(String)),
  JSONDict: fc.oneof(noise, fc.dictionary(fc.string(), fc.jsonValue()), fc.json()),
  JSON: fc.oneof(noise, fc.jsonValue(), fc.anything()),
  Severity: fc.oneof(noise, spelled(fc.constantFrom('high', 'info'))),
};

/** Every registered field, an extra field, and IntelMQ's whole `extra` as JSONDict. */
const allSpecs: FieldSpec[] = [...eventFields.values(), fieldSpec('extra.tag'), jsonDictSpec].filter(
  (spec): spec is FieldSpec => spec !== undefined,
);

function expectFixpoint(spec: FieldSpec, first: SanitiseResult): void {
  if (!first.ok || first.value === undefined) return;
  expect(sanitiseValue(spec, first.value)).toEqual(first);
}

describe('properties', () => {
  it.each(allSpecs.filter((spec) => spec.type !== 'Base64').map((spec) => [spec.name, spec] as const))(
    'sanitising %s twice changes nothing',
    (_name, spec) => {
      fc.assert(
        fc.property(inputs[spec.type], (input) => {
          expectFixpoint(spec, sanitiseValue(spec, input));
        }),
        { numRuns: 150 },
      );
    },
  );

  // Base64 encodes the original record, so sanitising its output again encodes again (as IntelMQ's
  // Base64.sanitize does); what must hold is that decoding gives the record back.
  it('raw decodes back to the original record', () => {
    const raw = eventFields.get('raw');
    if (raw === undefined) throw new Error('raw is no field');
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: 'grapheme', minLength: 1 }), fc.uint8Array({ minLength: 1 })),
        (input) => {
          const result = sanitiseValue(raw, input);
          if (!result.ok) return false;
          if (typeof result.value !== 'string')
            return typeof input === 'string' && /^(?:-|n\/a)$/i.test(input);
          const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : Buffer.from(input);
          return Buffer.from(result.value, 'base64').equals(bytes);
        },
      ),
    );
  });

  it.each(allSpecs.map((spec) => [spec.name, spec] as const))('sanitising %s never throws', (_name, spec) => {
    fc.assert(
      fc.property(
        fc.oneof(fc.anything({ withBigInt: true, withDate: true, withTypedArray: true }), inputs[spec.type]),
        (input) => {
          const result = sanitiseValue(spec, input);
          expect(typeof result.ok).toBe('boolean');
          if (!result.ok) expect(result.reason.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('gives a canonical text value for IP addresses: what Node itself reads the same', () => {
    const ip = eventFields.get('source.ip');
    if (ip === undefined) throw new Error('source.ip is no field');
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV6()), (address) => {
        const result = sanitiseValue(ip, address);
        if (address === '0.0.0.0') return !result.ok;
        if (!result.ok || typeof result.value !== 'string') return false;
        // The WHATWG URL parser canonicalises IPv6 hosts by RFC 5952 too, and leaves valid IPv4 alone.
        const host = new URL(`http://${address.includes(':') ? `[${address}]` : address}/`).hostname;
        return address.includes(':') && !/^::ffff:\d/i.test(result.value)
          ? host === `[${result.value}]`
          : true;
      }),
    );
  });

  it('turns any time with an offset into the same instant in UTC', () => {
    const time = eventFields.get('time.source');
    if (time === undefined) throw new Error('time.source is no field');
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('1000-01-01T00:00:00Z'),
          max: new Date('9000-01-01T00:00:00Z'),
          noInvalidDate: true,
        }),
        fc.integer({ min: -23 * 60 - 59, max: 23 * 60 + 59 }),
        (date, offset) => {
          const local = new Date(date.getTime() + offset * 60_000).toISOString().slice(0, 23);
          const sign = offset < 0 ? '-' : '+';
          const abs = Math.abs(offset);
          const zone = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
          const result = sanitiseValue(time, `${local}${zone}`);
          if (!result.ok || typeof result.value !== 'string') return false;
          return Date.parse(result.value) === date.getTime() && result.value.endsWith('+00:00');
        },
      ),
    );
  });
});
