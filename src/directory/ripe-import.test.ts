import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { corpusPath, describeCorpus } from '../../test/corpus.ts';
import {
  createRipeContactIndex,
  formatIpv4,
  formatIpv6,
  importRipeNetObjects,
  importRipeSplitFiles,
  indexRipeContacts,
  ipv4RangeToCidrs,
  listRipeOrganisations,
  parseAsn,
  parseInet6num,
  parseInetnum,
  parseIpv4,
  parseIpv6,
  parseMailboxList,
  readRipeSplitFile,
  ripeContactAttributes,
  ripeNetObjectAttributes,
  type RipeContactIndex,
  type RipeImportItem,
  type RipeImportOptions,
  type RipeProblemRecord,
} from './ripe-import.ts';
import { readRpslObjects } from './rpsl.ts';

const fixture = (name: string): string =>
  fileURLToPath(new URL(`../../test/fixtures/rpsl/${name}`, import.meta.url));

const fixtureFiles = {
  contactFiles: [fixture('ripe.db.organisation'), fixture('ripe.db.role.gz')],
  netObjectFiles: [fixture('ripe.db.inetnum'), fixture('ripe.db.inet6num'), fixture('ripe.db.aut-num')],
};

async function importAll(options?: RipeImportOptions): Promise<RipeImportItem[]> {
  const items: RipeImportItem[] = [];
  for await (const batch of importRipeSplitFiles(fixtureFiles, options)) items.push(...batch);
  return items;
}

async function indexText(index: RipeContactIndex, text: string): Promise<RipeProblemRecord[]> {
  const problems: RipeProblemRecord[] = [];
  for await (const batch of indexRipeContacts(
    index,
    readRpslObjects([text], { attributes: ripeContactAttributes }),
  ))
    problems.push(...batch);
  return problems;
}

async function importText(
  index: RipeContactIndex,
  text: string,
  options?: RipeImportOptions,
): Promise<RipeImportItem[]> {
  const items: RipeImportItem[] = [];
  const objects = readRpslObjects([text], { attributes: ripeNetObjectAttributes });
  for await (const batch of importRipeNetObjects(index, objects, options)) items.push(...batch);
  return items;
}

/** Compact view of the network-object records: [line, value, abuse mailbox or '-', where it came from]. */
function summary(items: RipeImportItem[]): [number, string | number, string, string][] {
  return items.flatMap((item) =>
    item.kind === 'netobject'
      ? [
          [item.line, item.netobject.value, item.abuseMailbox ?? '-', item.abuseFrom ?? '-'] as [
            number,
            string | number,
            string,
            string,
          ],
        ]
      : [],
  );
}

describe('importRipeSplitFiles on the fixtures (test/fixtures/rpsl)', () => {
  it('resolves every network object to its abuse mailbox the RIPE way and reports malformed values', async () => {
    const items = await importAll();
    expect(summary(items)).toEqual([
      // ripe.db.inetnum line 5: no abuse-c of its own -> org ORG-EXA1-TEST -> its abuse-c AR1-TEST -> role
      // AR1-TEST's abuse-mailbox.
      [5, '192.0.2.0/24', 'abuse@example.net', 'organisation'],
      // line 13: its own abuse-c AR2-TEST wins over the org's; 198.51.100.0-10 is /29 + /31 + /32. AR2-TEST's
      // first address is "noc@Example.COM (preferred)," with the domain lower-cased and the comment dropped.
      [13, '198.51.100.0/29', 'noc@example.com', 'object'],
      [13, '198.51.100.8/31', 'noc@example.com', 'object'],
      [13, '198.51.100.10/32', 'noc@example.com', 'object'],
      // line 24: org ORG-NOC2-TEST has no abuse-c, the object none either: no mailbox, still imported.
      [24, '203.0.113.0/25', '-', '-'],
      // line 38: handles are case-insensitive: "org-low3-test" -> ORG-LOW3-TEST -> "ar3-test" -> AR3-TEST.
      [38, '203.0.113.128/25', 'abuse@lower.example.org', 'organisation'],
      // ripe.db.inet6num line 5: 2001:DB8:0:0::/48 in RFC 5952 form; org ORG-EXA1-TEST as above.
      [5, '2001:db8::/48', 'abuse@example.net', 'organisation'],
      // line 17: abuse-c NOPE1-TEST is no role in ripe.db.role: the handle is kept, no mailbox.
      [17, '2001:db8:2::/48', '-', 'object'],
      // ripe.db.aut-num line 5: org ORG-EXA1-TEST; line 14: own abuse-c AR2-TEST.
      [5, 64496, 'abuse@example.net', 'organisation'],
      [14, 64497, 'noc@example.com', 'object'],
    ]);
    const problems = items.filter((item) => item.kind === 'problem');
    expect(
      problems.map((problem) => [problem.file?.replace(/.*\//, ''), problem.line, problem.field]),
    ).toEqual([
      ['ripe.db.role.gz', 29, 'abuse-mailbox'], // role BAD5-TEST: "not-an-address"
      ['ripe.db.inetnum', 33, 'inetnum'], // 203.0.113.200 - 203.0.113.100 runs backwards
      ['ripe.db.inet6num', 12, 'inet6num'], // 2001:db8:1::1/48 has host bits set
      ['ripe.db.aut-num', 21, 'aut-num'], // ASX
    ]);
    expect(problems[1]?.reason).toMatch(/ends before it starts/);
    expect(problems[2]?.reason).toMatch(/host bits/);
  });

  it('carries org, country, name, mnt-by and status; the country comment and case are cleaned', async () => {
    const items = await importAll();
    const ownAbuseC = items.find((item) => item.kind === 'netobject' && item.line === 13);
    expect(ownAbuseC).toEqual({
      kind: 'netobject',
      line: 13,
      objectClass: 'inetnum',
      // "country: DE # DE NL": the comment is not a second country.
      netobject: {
        kind: 'cidr',
        value: '198.51.100.0/29',
        orgId: 'ORG-EXA1-TEST',
        country: 'DE',
        name: 'OWN-ABUSE-C',
      },
      abuseMailbox: 'noc@example.com',
      // The continuation line of AR2-TEST's abuse-mailbox carries the second address.
      abuseMailboxes: ['noc@example.com', 'second@example.com'],
      abuseC: 'AR2-TEST',
      abuseFrom: 'object',
      mntBy: ['EXA-MNT', 'OTHER-MNT'],
      status: 'ASSIGNED PA',
    });
    // aut-num objects have no country: the organisation's (ORG-NOC2-TEST: "de") stands in.
    const asn = items.find((item) => item.kind === 'netobject' && item.netobject.value === 64497);
    expect(asn).toMatchObject({
      netobject: { kind: 'asn', value: 64497, country: 'DE', name: 'DE-AS', orgId: 'ORG-NOC2-TEST' },
    });
  });

  it('ends with the referenced organisations and their abuse mailboxes', async () => {
    const organisations = (await importAll()).filter((item) => item.kind === 'organisation');
    expect(organisations).toEqual([
      {
        kind: 'organisation',
        line: 6,
        orgId: 'ORG-EXA1-TEST',
        name: 'Example Hosting B.V.',
        country: 'NL',
        abuseC: 'AR1-TEST',
        abuseMailbox: 'abuse@example.net',
        abuseMailboxes: ['abuse@example.net'],
      },
      // "org-name: No Contact" continued by "+ Organisation"; "country: de" upper-cased.
      {
        kind: 'organisation',
        line: 14,
        orgId: 'ORG-NOC2-TEST',
        name: 'No Contact Organisation',
        country: 'DE',
        abuseMailboxes: [],
      },
      {
        kind: 'organisation',
        line: 21,
        orgId: 'ORG-LOW3-TEST',
        name: 'Lower Case Handles Ltd',
        abuseC: 'AR3-TEST',
        abuseMailbox: 'abuse@lower.example.org',
        abuseMailboxes: ['abuse@lower.example.org'],
      },
    ]);
  });

  it('restricts to a country: objects whose country (or, for aut-num, whose organisation country) matches', async () => {
    const items = await importAll({ country: 'nl' });
    expect(summary(items).map(([line, value]) => [line, value])).toEqual([
      [5, '192.0.2.0/24'],
      [38, '203.0.113.128/25'], // "country: nl"
      [5, '2001:db8::/48'],
      [17, '2001:db8:2::/48'],
      [5, 64496], // ORG-EXA1-TEST is NL; AS64497's ORG-NOC2-TEST is DE
    ]);
    // Only the organisations the kept objects reference: not ORG-NOC2-TEST.
    expect(items.flatMap((item) => (item.kind === 'organisation' ? [item.orgId] : []))).toEqual([
      'ORG-EXA1-TEST',
      'ORG-LOW3-TEST',
    ]);
    // A list of ASNs (delegated-ripencc-latest) decides for aut-num objects instead of the country.
    const listed = await importAll({ country: 'NL', asns: new Set([64497]) });
    expect(summary(listed).filter(([, value]) => typeof value === 'number')).toEqual([
      [14, 64497, 'noc@example.com', 'object'],
    ]);
  });

  it('reads the gzipped role file like the plain one', async () => {
    const plain = createRipeContactIndex();
    const gzipped = createRipeContactIndex();
    for await (const _ of indexRipeContacts(
      plain,
      readRpslObjects(readRipeSplitFile(fixture('ripe.db.role'))),
    ));
    for await (const _ of indexRipeContacts(
      gzipped,
      readRpslObjects(readRipeSplitFile(fixture('ripe.db.role.gz'))),
    ));
    expect([...gzipped.roles.keys()]).toEqual(['AR1-TEST', 'AR2-TEST', 'AR3-TEST']);
    expect(gzipped.roles).toEqual(plain.roles);
  });
});

describe('the two passes', () => {
  it('imports the rest of a file around a malformed object, with its line', async () => {
    const index = createRipeContactIndex();
    expect(await indexText(index, 'role: R\nnic-hdl: r1-test\nabuse-mailbox: a@example.com\n')).toEqual([]);
    const text = [
      'inetnum: 192.0.2.0 - 192.0.2.3', // line 1
      'abuse-c: R1-TEST',
      '',
      'inetnum: 192.0.2.4 - 192.0.2.7', // line 4
      'this is not an attribute', // line 5
      '',
      'inetnum: 192.0.2.8 - 192.0.2.300', // line 7
      '',
      'inetnum: 192.0.2.8 - 192.0.2.15', // line 9
      'abuse-c: R1-TEST',
    ].join('\n');
    const items = await importText(index, text);
    expect(items).toEqual([
      expect.objectContaining({
        kind: 'netobject',
        line: 1,
        netobject: { kind: 'cidr', value: '192.0.2.0/30' },
        abuseMailbox: 'a@example.com',
      }),
      {
        kind: 'problem',
        line: 5,
        reason: 'line 5 is neither "name: value" nor a continuation line (object at line 4 skipped)',
      },
      {
        kind: 'problem',
        line: 7,
        field: 'inetnum',
        reason: '"192.0.2.8 - 192.0.2.300" is not an IPv4 range "first - last"',
      },
      expect.objectContaining({
        kind: 'netobject',
        line: 9,
        netobject: { kind: 'cidr', value: '192.0.2.8/29' },
        abuseMailbox: 'a@example.com',
      }),
    ]);
  });

  it('reports duplicate handles, roles without nic-hdl and bad country codes', async () => {
    const index = createRipeContactIndex();
    const problems = await indexText(
      index,
      [
        'organisation: ORG-A1-TEST\norg-name: A\ncountry: Netherlands',
        'organisation: org-a1-test\norg-name: A again',
        'role: no handle\nabuse-mailbox: x@example.com',
        'role: R\nnic-hdl: R1-TEST\nabuse-mailbox: r@example.com',
        'role: R again\nnic-hdl: r1-test\nabuse-mailbox: other@example.com',
      ].join('\n\n'),
    );
    expect(problems.map((problem) => [problem.line, problem.field])).toEqual([
      [1, 'country'],
      [5, 'organisation'],
      [8, 'nic-hdl'],
      [15, 'nic-hdl'],
    ]);
    // The first of a duplicate stays.
    expect(index.organisations.get('ORG-A1-TEST')).toEqual({ line: 1, orgId: 'ORG-A1-TEST', name: 'A' });
    expect(index.roles.get('R1-TEST')?.abuseMailboxes).toEqual(['r@example.com']);
  });

  it('lists every organisation, or only the referenced ones', async () => {
    const index = createRipeContactIndex();
    await indexText(index, 'organisation: ORG-A1-TEST\n\norganisation: ORG-B2-TEST\n');
    await importText(index, 'aut-num: AS64500\norg: org-b2-test\n');
    expect([...listRipeOrganisations(index)].map((org) => org.orgId)).toEqual(['ORG-A1-TEST', 'ORG-B2-TEST']);
    expect([...listRipeOrganisations(index, { referencedOnly: true })].map((org) => org.orgId)).toEqual([
      'ORG-B2-TEST',
    ]);
  });

  it('never throws on arbitrary input', async () => {
    const pieces = fc.constantFrom(
      'inetnum:',
      'inet6num:',
      'aut-num:',
      'organisation:',
      'role:',
      'nic-hdl:',
      'abuse-c:',
      'abuse-mailbox:',
      'org:',
      'country:',
      ' 192.0.2.0 - 192.0.2.9',
      ' 2001:db8::/32',
      ' AS1',
      ' X1',
      ' "a b"@example.com <x@y.z> (c)',
      '\n',
      '\n\n',
      ' ',
      '+',
      '#',
      ':',
      '-',
      '/',
      '<',
      '"',
      '(',
    );
    const text = fc
      .array(fc.oneof(pieces, fc.string({ maxLength: 4 })), { maxLength: 60 })
      .map((parts) => parts.join(''));
    await fc.assert(
      fc.asyncProperty(text, text, async (contacts, netobjects) => {
        const index = createRipeContactIndex();
        await indexText(index, contacts);
        for (const item of await importText(index, netobjects, { country: 'NL' })) {
          expect(item.line).toBeGreaterThanOrEqual(1);
          if (item.kind === 'netobject') expect(item.netobject.country).toBe('NL');
        }
        for (const organisation of listRipeOrganisations(index)) expect(organisation.orgId).toMatch(/^\S+$/);
      }),
      { numRuns: 300 },
    );
  });
});

describe('values', () => {
  /** Brute force: the fewest aligned blocks covering first..last, by trying every block at every start. */
  function minimalCidrCount(first: number, last: number): number {
    const best = new Map<number, number>();
    for (let start = last; start >= first; start -= 1) {
      let fewest = Infinity;
      for (let bits = 0; bits <= 32; bits += 1) {
        const size = 2 ** bits;
        if (start % size !== 0 || start + size - 1 > last) break;
        fewest = Math.min(fewest, 1 + (start + size > last ? 0 : (best.get(start + size) ?? Infinity)));
      }
      best.set(start, fewest);
    }
    return best.get(first) ?? 0;
  }

  function cidrBounds(cidr: string): [number, number] {
    const [address, length] = cidr.split('/');
    const start = parseIpv4(address!)!;
    return [start, start + 2 ** (32 - Number(length)) - 1];
  }

  it('converts an IPv4 range to the fewest CIDRs that cover exactly it (brute-force reference)', () => {
    const address = fc.oneof(
      fc.integer({ min: 0, max: 2 ** 32 - 1 }),
      // Near block boundaries, where off-by-one mistakes live.
      fc
        .tuple(fc.integer({ min: 0, max: 32 }), fc.integer({ min: -3, max: 3 }))
        .map(([bits, delta]) => Math.min(2 ** 32 - 1, Math.max(0, 2 ** bits + delta))),
    );
    fc.assert(
      fc.property(address, fc.integer({ min: 0, max: 3000 }), (start, width) => {
        const first = start;
        const last = Math.min(2 ** 32 - 1, start + width);
        const cidrs = ipv4RangeToCidrs(first, last);
        // Exact cover: contiguous aligned blocks from first to last.
        let next = first;
        for (const cidr of cidrs) {
          const [low, high] = cidrBounds(cidr);
          expect(low).toBe(next);
          expect(low % (high - low + 1)).toBe(0);
          next = high + 1;
        }
        expect(next).toBe(last + 1);
        expect(cidrs).toHaveLength(minimalCidrCount(first, last));
      }),
      { numRuns: 300 },
    );
  });

  it('converts large IPv4 ranges to contiguous, aligned, unmergeable blocks', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        (a, b) => {
          const [first, last] = a <= b ? [a, b] : [b, a];
          const cidrs = ipv4RangeToCidrs(first, last);
          expect(cidrs.length).toBeLessThanOrEqual(62);
          const blocks = cidrs.map(cidrBounds);
          expect(blocks[0]?.[0]).toBe(first);
          expect(blocks.at(-1)?.[1]).toBe(last);
          for (let i = 1; i < blocks.length; i += 1) {
            const [low, high] = blocks[i]!;
            const [prevLow, prevHigh] = blocks[i - 1]!;
            expect(low).toBe(prevHigh + 1);
            // Two equal neighbours that together form an aligned block would be one CIDR.
            const size = high - low + 1;
            if (prevHigh - prevLow + 1 === size) expect(prevLow % (2 * size)).not.toBe(0);
          }
        },
      ),
    );
    expect(ipv4RangeToCidrs(0, 2 ** 32 - 1)).toEqual(['0.0.0.0/0']);
    expect(ipv4RangeToCidrs(parseIpv4('255.255.255.255')!, 2 ** 32 - 1)).toEqual(['255.255.255.255/32']);
    expect(parseInetnum('10.0.0.1 - 10.0.0.6')).toEqual([
      '10.0.0.1/32',
      '10.0.0.2/31',
      '10.0.0.4/31',
      '10.0.0.6/32',
    ]);
    expect(parseInetnum('192.0.2.0/24')).toEqual(['192.0.2.0/24']);
    expect(parseInetnum('192.0.2.1/24')).toMatch(/not an IPv4 range/);
    expect(parseInetnum('010.0.0.0 - 10.0.0.255')).toMatch(/not an IPv4 range/);
    expect(parseInetnum('1.2.3 - 1.2.3.4')).toMatch(/not an IPv4 range/);
  });

  it('formats IPv4 addresses', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), (value) => {
        expect(parseIpv4(formatIpv4(value))).toBe(value);
      }),
    );
  });

  it('parses IPv6 and formats it as RFC 5952 (the WHATWG URL serialiser as reference)', () => {
    const words = fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff })), {
      minLength: 8,
      maxLength: 8,
    });
    fc.assert(
      fc.property(words, fc.boolean(), (parts, padded) => {
        const value = parts.reduce((acc, word) => (acc << 16n) | BigInt(word), 0n);
        const long = parts
          .map((word) => (padded ? word.toString(16).padStart(4, '0').toUpperCase() : word.toString(16)))
          .join(':');
        expect(parseIpv6(long)).toBe(value);
        const text = formatIpv6(value);
        expect(text).toBe(new URL(`http://[${long}]/`).hostname.slice(1, -1));
        expect(parseIpv6(text)).toBe(value);
      }),
      { numRuns: 500 },
    );
    // RFC 5952 §4.2.2: one zero group is not shortened; §4.2.3: the first of equal runs is.
    expect(formatIpv6(parseIpv6('2001:db8:0:1:1:1:1:1')!)).toBe('2001:db8:0:1:1:1:1:1');
    expect(formatIpv6(parseIpv6('2001:db8:0:0:1:0:0:1')!)).toBe('2001:db8::1:0:0:1');
    expect(formatIpv6(parseIpv6('::ffff:192.0.2.1')!)).toBe('::ffff:c000:201');
    for (const text of ['::', '::1', '1::', '1:2:3:4:5:6::8']) expect(parseIpv6(text)).toBeDefined();
    for (const text of [
      ':::',
      '1::2::3',
      '12345::',
      '1:2:3:4:5:6:7:8:9',
      '1:2:3:4:5:6:7::8',
      ':1:2:3:4:5:6:7',
      '1:2:3:4:5:6:7:',
      'fe80::1%eth0',
      '::1.2.3',
    ])
      expect(parseIpv6(text), text).toBeUndefined();
    expect(parseInet6num('2001:DB8::/32')).toEqual(['2001:db8::/32']);
    expect(parseInet6num('::/0')).toEqual(['::/0']);
    expect(parseInet6num('2001:db8::/129')).toMatch(/not an IPv6 CIDR/);
    expect(parseInet6num('2001:db8::')).toMatch(/not an IPv6 CIDR/);
    expect(parseInet6num('2001:db8::8000/112')).toMatch(/host bits/);
  });

  it('parses AS numbers (asplain, 32 bits)', () => {
    expect(parseAsn('AS64496')).toBe(64496);
    expect(parseAsn('as64496')).toBe(64496);
    expect(parseAsn('AS4294967295')).toBe(4294967295);
    for (const text of ['AS4294967296', 'AS064496', '64496', 'AS1.5', 'AS', 'AS-1', 'AS 1', ''])
      expect(parseAsn(text), text).toBeUndefined();
  });

  it('splits abuse-mailbox values into addresses', () => {
    expect(parseMailboxList('Abuse Team <abuse@Example.ORG>')).toEqual({
      addresses: ['abuse@example.org'],
      invalid: [],
    });
    expect(parseMailboxList('a@example.com; b@example.com,,c@example.com')).toEqual({
      addresses: ['a@example.com', 'b@example.com', 'c@example.com'],
      invalid: [],
    });
    expect(parseMailboxList('abuse at example dot com')).toEqual({
      addresses: [],
      invalid: ['abuse', 'at', 'example', 'dot', 'com'],
    });
    expect(parseMailboxList('a@b@example.com x@localhost y@-bad.example z@example.com')).toEqual({
      addresses: ['z@example.com'],
      invalid: ['a@b@example.com', 'x@localhost', 'y@-bad.example'],
    });
    expect(parseMailboxList('"quoted \\" inside"@example.com (a (nested) comment)')).toEqual({
      addresses: ['"quoted \\" inside"@example.com'],
      invalid: [],
    });
    expect(parseMailboxList('')).toEqual({ addresses: [], invalid: [] });
  });
});

describeCorpus(
  'the certbund-contact RIPE role samples',
  ['intevation-intelmq-certbund-contact', 'tests', 'ripe', 'role_simple.txt.gz'],
  () => {
    const sample = (name: string): string =>
      corpusPath('intevation-intelmq-certbund-contact', 'tests', 'ripe', `${name}.txt.gz`);

    async function rolesOf(
      name: string,
    ): Promise<{ roles: Record<string, string[]>; problems: RipeProblemRecord[] }> {
      const index = createRipeContactIndex();
      const problems: RipeProblemRecord[] = [];
      const objects = readRpslObjects(readRipeSplitFile(sample(name)), { attributes: ripeContactAttributes });
      for await (const batch of indexRipeContacts(index, objects)) problems.push(...batch);
      const roles: Record<string, string[]> = {};
      for (const [handle, role] of index.roles) roles[handle] = role.abuseMailboxes;
      return { roles, problems };
    }

    // Each expectation read off the sample's abuse-mailbox line, nic-hdl beside it.
    it.each([
      // "abuse-mailbox: null@example.com"
      ['role_simple', { 'ACRO6281-RIPE': ['null@example.com'] }],
      // "abuse-mailbox: NULL@eXamplE.coM": the domain is case-insensitive, the local part is kept
      // (RFC 5321 §2.4).
      ['role_simple_uppercase', { 'ACRO6281-RIPE': ['NULL@example.com'] }],
      // "abuse@novaposhta.ua  <abuse@novaposhta.ua>" and "abuse@icloudhosting.com <abuse@icloudhosting.com>":
      // the same address twice, once in angle brackets, is one address.
      [
        'role_display_name',
        { 'NN2241-RIPE': ['abuse@novaposhta.ua'], 'BBSA1-RIPE': ['abuse@icloudhosting.com'] },
      ],
      // Separated by a space, by ", ", and a quoted local part with a space followed by a second address.
      [
        'role_multiple_addresses',
        {
          'DUMY1-RIPE': ['abuse@example.com', 'abuse@example.net'],
          'DUMY2-RIPE': ['abuse@example.com', 'abuse@example.net'],
          'DUMY3-RIPE': ['"abuse contact"@example.com', 'abuse@example.com'],
        },
      ],
      // A quoted local part with ':[/]*;\'&' and one with a space are valid addresses (RFC 5322 §3.4.1).
      [
        'role_special_characters',
        {
          'AR19875-RIPE': ['"r:[/r/]*4;e\'*&m\'"@fenix.international'],
          'DUMY1-RIPE': ['"abuse contact"@example.com'],
        },
      ],
      // "abuse@crimeainfo.com," (a trailing comma) and "abuse@cxl.zone (preferred)" (a comment).
      [
        'role_trailing_comment',
        { 'AR20626-RIPE': ['abuse@crimeainfo.com'], 'CC22562-RIPE': ['abuse@cxl.zone'] },
      ],
    ])('%s', async (name, expected) => {
      const { roles, problems } = await rolesOf(name);
      expect(problems).toEqual([]);
      expect(roles).toEqual(expected);
    });

    it('resolves network objects to the sample roles', async () => {
      const index = createRipeContactIndex();
      for (const name of ['role_special_characters', 'role_trailing_comment']) {
        const objects = readRpslObjects(readRipeSplitFile(sample(name)), {
          attributes: ripeContactAttributes,
        });
        for await (const batch of indexRipeContacts(index, objects)) expect(batch).toEqual([]);
      }
      // An organisation of our own whose abuse-c is CC22562-RIPE (role_trailing_comment's second role).
      await indexText(index, 'organisation: ORG-CXL1-TEST\norg-name: CXL\nabuse-c: CC22562-RIPE\n');
      const items = await importText(
        index,
        [
          // Own abuse-c AR19875-RIPE (role_special_characters' first role).
          'inetnum: 192.0.2.0 - 192.0.2.255\nnetname: A\ncountry: UA\nabuse-c: ar19875-ripe',
          // No abuse-c: org ORG-CXL1-TEST -> CC22562-RIPE -> "abuse@cxl.zone (preferred)".
          'inet6num: 2001:db8::/32\nnetname: B\ncountry: NL\norg: ORG-CXL1-TEST',
          // Own abuse-c AR20626-RIPE beats the org's CC22562-RIPE.
          'aut-num: AS64496\nas-name: C\norg: ORG-CXL1-TEST\nabuse-c: AR20626-RIPE',
        ].join('\n\n'),
      );
      expect(summary(items)).toEqual([
        [1, '192.0.2.0/24', '"r:[/r/]*4;e\'*&m\'"@fenix.international', 'object'],
        [6, '2001:db8::/32', 'abuse@cxl.zone', 'organisation'],
        [11, 64496, 'abuse@crimeainfo.com', 'object'],
      ]);
    });
  },
);
