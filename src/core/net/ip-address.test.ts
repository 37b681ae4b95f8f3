import { isIPv6 } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIPv6, parseIPv4, parseIPv6 } from './ip-address.ts';

/** The eight groups of an address as four 32-bit lanes, computed without the parser. */
function lanesOf(groups: readonly number[]): number[] {
  return [0, 1, 2, 3].map((k) => (groups[2 * k] ?? 0) * 65536 + (groups[2 * k + 1] ?? 0));
}

function parsed(text: string): number[] | undefined {
  const lanes = new Uint32Array(4);
  return parseIPv6(text, lanes) ? [...lanes] : undefined;
}

const groupsArb = fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 });

describe('parseIPv6', () => {
  it('reads every text form of an address to the same lanes: full, padded, upper case, compressed', () => {
    fc.assert(
      fc.property(groupsArb, fc.boolean(), fc.boolean(), (groups, pad, upper) => {
        const expected = lanesOf(groups);
        let full = groups.map((g) => (pad ? g.toString(16).padStart(4, '0') : g.toString(16))).join(':');
        if (upper) full = full.toUpperCase();
        expect(parsed(full)).toEqual(expected);
        const [l0, l1, l2, l3] = expected;
        expect(parsed(formatIPv6(l0 ?? 0, l1 ?? 0, l2 ?? 0, l3 ?? 0))).toEqual(expected);
      }),
    );
  });

  it('reads a trailing dotted quad and a "::" at the start, middle or end', () => {
    expect(parsed('::ffff:192.0.2.1')).toEqual([0, 0, 0xffff, 0xc0000201]);
    expect(parsed('64:ff9b::198.51.100.7')).toEqual([0x0064ff9b, 0, 0, 0xc6336407]);
    expect(parsed('::')).toEqual([0, 0, 0, 0]);
    expect(parsed('2001:db8::')).toEqual([0x20010db8, 0, 0, 0]);
    expect(parsed('::1')).toEqual([0, 0, 0, 1]);
    expect(parsed('1:2:3:4:5:6:7::')).toEqual([0x10002, 0x30004, 0x50006, 0x70000]);
  });

  it('refuses what is no address: two gaps, five digits, a zone id, a prefix, stray characters', () => {
    for (const text of [
      '',
      ':',
      ':1',
      '1:',
      '1::2::3',
      '00000::1',
      '1:2:3:4:5:6:7:8:9',
      '1:2:3:4:5:6:7',
      'fe80::1%eth0',
      '2001:db8::/32',
      '2001:db8::g',
      '::ffff:01.2.3.4',
      '::ffff:1.2.3',
      '1:2:3:4:5:6:7:1.2.3.4',
      '２００１::1',
    ]) {
      expect(parsed(text), text).toBeUndefined();
    }
  });

  it('agrees with node:net on which strings of address characters are IPv6 addresses', () => {
    const chars = fc.constantFrom(...'0123456789abcdefABCDEF:.'.split(''));
    fc.assert(
      fc.property(fc.string({ unit: chars, maxLength: 45 }), (text) => {
        expect(parsed(text) !== undefined, text).toBe(isIPv6(text));
      }),
      { numRuns: 20_000 },
    );
  });

  it('parses a slice of a longer text into the lanes at an offset', () => {
    const lanes = new Uint32Array(8);
    expect(parseIPv6('[2001:db8::1]:443', lanes, 4, 1, 12)).toBe(true);
    expect([...lanes.slice(4)]).toEqual([0x20010db8, 0, 0, 1]);
  });
});

describe('parseIPv4', () => {
  it('reads dotted quads and refuses leading zeros, short forms and big octets', () => {
    expect(parseIPv4('192.0.2.1')).toBe(0xc0000201);
    expect(parseIPv4('255.255.255.255')).toBe(0xffffffff);
    for (const text of ['010.1.1.1', '1.2.3', '1.2.3.256', '1.2.3.4.5', '1..2.3', ' 1.2.3.4']) {
      expect(parseIPv4(text), text).toBe(-1);
    }
  });
});
