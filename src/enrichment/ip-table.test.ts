/**
 * The IP table against a plain reference built here from the packages' address-text CSV files (the table
 * itself reads the `-num` files): one sweep over each file's rows in order, BigInt arithmetic, no index.
 */
import { mkdtemp, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeIpTable } from './ip-table-cache.ts';
import { ipTableOfBytes, loadIpTable, sharedIpTableBytes, type IpInfo, type IpTable } from './ip-table.ts';

// ---------------------------------------------------------------------------------------------------------
// Reference: naive text parsing and formatting

function v4FromText(text: string): bigint {
  const parts = text.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new Error(`not IPv4: ${text}`);
  }
  return parts.reduce((n, p) => n * 256n + BigInt(p), 0n);
}

function v6FromText(text: string): bigint {
  const expand = (part: string): number[] => {
    if (part === '') return [];
    return part.split(':').flatMap((g) => {
      if (g.includes('.')) {
        const v4 = v4FromText(g);
        return [Number(v4 >> 16n), Number(v4 & 0xffffn)];
      }
      return [parseInt(g, 16)];
    });
  };
  const [head = '', tail, ...more] = text.split('::');
  if (more.length > 0) throw new Error(`not IPv6: ${text}`);
  const left = expand(head);
  const right = tail === undefined ? [] : expand(tail);
  const groups =
    tail === undefined ? left : [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
  if (groups.length !== 8) throw new Error(`not IPv6: ${text}`);
  return groups.reduce((n, g) => n * 65536n + BigInt(g), 0n);
}

function v4ToText(n: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((n >> s) & 255n)).join('.');
}

function v6Groups(n: bigint): number[] {
  return Array.from({ length: 8 }, (_, k) => Number((n >> BigInt(16 * (7 - k))) & 0xffffn));
}

/** RFC 5952: lower case, no leading zeros, the first longest run (two or more) of zero groups as "::". */
function v6ToText(n: bigint): string {
  const groups = v6Groups(n);
  let best = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; i++) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      best = i;
      bestLength = j - i;
    }
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLength).join(':')}`;
}

/** The same address written the long way: every group four upper-case digits. */
function v6ToLongText(n: bigint): string {
  return v6Groups(n)
    .map((g) => g.toString(16).toUpperCase().padStart(4, '0'))
    .join(':');
}

interface Row {
  start: bigint;
  end: bigint;
  value: string;
  index: number;
}

const require = createRequire(import.meta.url);
const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`));

async function readRows(pkg: string, file: string, family: 4 | 6): Promise<Row[]> {
  const text = await readFile(join(packageDir(pkg), file), 'utf8');
  const parse = family === 4 ? v4FromText : v6FromText;
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line, index) => {
      const [start = '', end = '', ...rest] = line.split(',');
      return { start: parse(start), end: parse(end), value: rest.join(','), index };
    });
}

/** Whether `a` wins over `b` where both hold an address: the narrower range; on a tie, the later row. */
function beats(a: Row, b: Row): boolean {
  const sizeA = a.end - a.start;
  const sizeB = b.end - b.start;
  return sizeA < sizeB || (sizeA === sizeB && a.index > b.index);
}

interface Answer {
  row: Row;
  /** The part of the row's range around the address that no better row takes. */
  low: bigint;
  high: bigint;
}

/** For each address (sorted, distinct), the winning row, by one sweep over the rows in file order. */
function sweep(rows: Row[], addresses: bigint[], bounds: boolean): Map<bigint, Answer | undefined> {
  const reach: bigint[] = [];
  for (const [i, r] of rows.entries())
    reach.push(i === 0 ? r.end : r.end > (reach[i - 1] ?? 0n) ? r.end : (reach[i - 1] ?? 0n));
  const answers = new Map<bigint, Answer | undefined>();
  let next = 0;
  let active: Row[] = [];
  for (const q of addresses) {
    while (next < rows.length && rows[next]!.start <= q) active.push(rows[next++]!);
    active = active.filter((r) => r.end >= q);
    let row: Row | undefined;
    for (const r of active) if (row === undefined || beats(r, row)) row = r;
    if (row === undefined) {
      answers.set(q, undefined);
      continue;
    }
    let low = row.start;
    let high = row.end;
    if (bounds) {
      const cut = (r: Row) => {
        if (r === row || !beats(r, row) || r.end < row.start || r.start > row.end) return;
        if (r.end < q && r.end + 1n > low) low = r.end + 1n;
        if (r.start > q && r.start - 1n < high) high = r.start - 1n;
      };
      for (let k = next; k < rows.length && rows[k]!.start <= row.end; k++) cut(rows[k]!);
      for (let k = next - 1; k >= 0 && reach[k]! >= row.start; k--) cut(rows[k]!);
    }
    answers.set(q, { row, low, high });
  }
  return answers;
}

/** The largest CIDR block holding `q` inside [low, high], found by trying every prefix length. */
function network(q: bigint, low: bigint, high: bigint, bits: number): string {
  for (let p = 0; p <= bits; p++) {
    const size = 1n << BigInt(bits - p);
    const start = q - (q % size);
    if (start >= low && start + size - 1n <= high)
      return `${bits === 32 ? v4ToText(start) : v6ToText(start)}/${p}`;
  }
  throw new Error('unreachable: a single address always fits');
}

function holderName(field: string): string {
  return field.startsWith('"') ? field.slice(1, -1).replaceAll('""', '"') : field;
}

interface Reference {
  asn: Row[];
  country: Row[];
  bits: number;
}

function expected(ref: Reference, addresses: bigint[]): Map<bigint, IpInfo | undefined> {
  const sorted = [...new Set(addresses)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const asn = sweep(ref.asn, sorted, true);
  const country = sweep(ref.country, sorted, false);
  const result = new Map<bigint, IpInfo | undefined>();
  for (const q of sorted) {
    const a = asn.get(q);
    const c = country.get(q);
    if (a === undefined && c === undefined) {
      result.set(q, undefined);
      continue;
    }
    const comma = a?.row.value.indexOf(',') ?? -1;
    result.set(q, {
      asn: a === undefined ? undefined : Number(a.row.value.slice(0, comma)),
      asName: a === undefined ? undefined : holderName(a.row.value.slice(comma + 1)),
      network: a === undefined ? undefined : network(q, a.low, a.high, ref.bits),
      cc: c?.row.value,
    });
  }
  return result;
}

// ---------------------------------------------------------------------------------------------------------
// Sample addresses: mostly inside ranges, plus range edges, gaps and the ends of the address space

/** A seeded generator (mulberry32), so a failure can be replayed. */
function random32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

function sampleAddresses(ref: Reference, count: number, seed: number): bigint[] {
  const next = random32(seed);
  const max = (1n << BigInt(ref.bits)) - 1n;
  const big = () => {
    let n = 0n;
    for (let k = 0; k < ref.bits / 32; k++) n = (n << 32n) | BigInt(next());
    return n;
  };
  const pick = (rows: Row[]) => rows[next() % rows.length]!;
  // The ends of the address space (0.0.0.0, 255.255.255.255, ::, ::1, all ones) and of the files.
  const out: bigint[] = [0n, 1n, max, ref.asn[0]!.start, ref.asn.at(-1)!.end, ref.country[0]!.start];
  while (out.length < count) {
    const kind = next() % 10;
    if (kind <= 5) {
      const r = pick(kind < 5 ? ref.asn : ref.country);
      out.push(r.start + (big() % (r.end - r.start + 1n)));
    } else if (kind < 9) {
      const r = pick(next() % 2 === 0 ? ref.asn : ref.country);
      const edges = [r.start, r.end, r.start - 1n, r.end + 1n];
      const edge = edges[next() % 4]!;
      out.push(edge < 0n ? 0n : edge > max ? max : edge);
    } else out.push(big());
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------

const asnPackage = '@ip-location-db/asn';
const countryPackage = '@ip-location-db/geo-whois-asn-country';

let table: IpTable;
let v4: Reference;
let v6: Reference;

beforeAll(async () => {
  const [loaded, asn4, asn6, cc4, cc6] = await Promise.all([
    loadIpTable(),
    readRows(asnPackage, 'asn-ipv4.csv', 4),
    readRows(asnPackage, 'asn-ipv6.csv', 6),
    readRows(countryPackage, 'geo-whois-asn-country-ipv4.csv', 4),
    readRows(countryPackage, 'geo-whois-asn-country-ipv6.csv', 6),
  ]);
  table = loaded;
  v4 = { asn: asn4, country: cc4, bits: 32 };
  v6 = { asn: asn6, country: cc6, bits: 128 };
});

/** Runs `check` for each address; returns the first few disagreements, as text. */
function disagreements(
  addresses: bigint[],
  want: Map<bigint, IpInfo | undefined>,
  check: (
    q: bigint,
    want: IpInfo | undefined,
  ) => [label: string, got: IpInfo | undefined, want: IpInfo | undefined][],
): string[] {
  const found: string[] = [];
  for (const q of addresses) {
    for (const [label, got, wanted] of check(q, want.get(q))) {
      if (JSON.stringify(got) !== JSON.stringify(wanted) && found.length < 10) {
        found.push(`${label}: got ${JSON.stringify(got)}, want ${JSON.stringify(wanted)}`);
      }
    }
  }
  return found;
}

describe('IP table against a sweep of the CSV files', () => {
  it('answers 100,000 IPv4 addresses as the reference does, as text and as numbers', () => {
    const addresses = sampleAddresses(v4, 100_000, 4);
    const want = expected(v4, addresses);
    const answered = [...want.values()].filter((w) => w?.asn !== undefined).length;
    // The sample must mostly exercise hits, or agreement proves little.
    expect(answered / want.size).toBeGreaterThan(0.6);
    const found = disagreements(addresses, want, (q, w) => [
      [v4ToText(q), table.lookup(v4ToText(q)), w],
      [`number ${q}`, table.lookupIPv4(Number(q)), w],
    ]);
    expect(found).toEqual([]);
  });

  it('answers 20,000 IPv6 addresses as the reference does, in short and long text forms', () => {
    const addresses = sampleAddresses(v6, 20_000, 6);
    const want = expected(v6, addresses);
    const answered = [...want.values()].filter((w) => w?.asn !== undefined).length;
    expect(answered / want.size).toBeGreaterThan(0.6);
    const found = disagreements(addresses, want, (q, w) => [
      [v6ToText(q), table.lookup(v6ToText(q)), w],
      [v6ToLongText(q), table.lookup(v6ToLongText(q)), w],
    ]);
    expect(found).toEqual([]);
  });

  it('looks up an IPv4-mapped IPv6 address as its IPv4 address, with the network in mapped form', () => {
    const addresses = sampleAddresses(v4, 5_000, 46);
    const want = expected(v4, addresses);
    const mapped = (w: IpInfo | undefined): IpInfo | undefined => {
      if (w?.network === undefined) return w;
      const [address, prefix] = w.network.split('/');
      return { ...w, network: `::ffff:${address}/${Number(prefix) + 96}` };
    };
    const found = disagreements(addresses, want, (q, w) => {
      const hex = `::ffff:${(q >> 16n).toString(16)}:${(q & 0xffffn).toString(16)}`;
      return [
        [`::ffff:${v4ToText(q)}`, table.lookup(`::ffff:${v4ToText(q)}`), mapped(w)],
        [hex, table.lookup(hex), mapped(w)],
      ];
    });
    expect(found).toEqual([]);
    expect(table.lookup('::ffff:1.1.1.1')?.network).toMatch(/^::ffff:1\.1\.1\.0\/1[0-2]\d$/);
  });

  it('gives undefined for text that is no address and numbers that are no IPv4 address', () => {
    const invalid = [
      '',
      ' 1.1.1.1',
      '1.1.1.1 ',
      '1.1.1',
      '1.1.1.1.1',
      '256.1.1.1',
      '01.1.1.1',
      '1.1.1.1/32',
      '1.1.1.1:80',
      '1..1.1',
      'example.org',
      ':',
      ':::',
      '2001:db8::1::1',
      '2001:db8:0:0:0:0:0:0:1',
      '2001:db8::g',
      '2001:db8::12345',
      '2001:db8::1%eth0',
      '2001:db8::/32',
      '::ffff:1.1.1',
      '::ffff:1.1.1.1.1',
      '1:2:3:4:5:6:7:1.1.1.1',
    ];
    for (const text of invalid) expect(table.lookup(text), JSON.stringify(text)).toBeUndefined();
    for (const n of [-1, 2 ** 32, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(table.lookupIPv4(n), String(n)).toBeUndefined();
    }
    // The valid forms do answer: the refusals above are not a table that answers nothing.
    expect(table.lookup('1.1.1.1')).toBeDefined();
    expect(table.lookup('1.1.1.1')).toEqual(table.lookupIPv4(0x01010101));
  });

  it('shares one frozen answer between the addresses of a block', () => {
    const first = table.lookup('1.1.1.1');
    expect(first).toBeDefined();
    expect(Object.isFrozen(first)).toBe(true);
    expect(table.lookupIPv4(0x01010101)).toBe(first);
    // A mapped address gets its own answer: its network is written in the mapped form.
    expect(table.lookup('::ffff:1.1.1.1')).not.toBe(first);
    expect(table.lookup('1.1.1.1')).toEqual(first);
  });
});

describe('IP table cache file', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tocsin-ip-table-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const binFiles = async () => (await readdir(dir)).filter((f) => f.endsWith('.bin'));

  function sameAnswers(a: IpTable, b: IpTable): string[] {
    const found: string[] = [];
    const texts = [
      ...sampleAddresses(v4, 20_000, 7).map(v4ToText),
      ...sampleAddresses(v6, 5_000, 8).map(v6ToText),
    ];
    for (const ip of texts) {
      const x = JSON.stringify(a.lookup(ip));
      const y = JSON.stringify(b.lookup(ip));
      if (x !== y && found.length < 10) found.push(`${ip}: ${x} vs ${y}`);
    }
    return found;
  }

  it('is written on the first load, used on the second, and rebuilt when damaged', async () => {
    await writeFile(join(dir, 'ip-table-v1-asn-0.0.1-cc-0.0.1.bin'), 'an older version');
    const built = await loadIpTable({ cacheDir: dir });
    expect(built.stats.loadedFrom).toBe('csv');
    expect(built.stats.cacheWriteError).toBeUndefined();
    const files = await binFiles();
    // One file, named after both package versions; the older version's file is gone.
    expect(files).toHaveLength(1);
    const file = join(dir, files[0]!);
    expect(files[0]).toContain(built.stats.packages[0]!.version);
    const size = (await stat(file)).size;

    const cached = await loadIpTable({ cacheDir: dir });
    expect(cached.stats.loadedFrom).toBe('cache');
    expect(cached.stats.ranges).toEqual(built.stats.ranges);
    expect(sameAnswers(built, cached)).toEqual([]);
    expect(sameAnswers(table, cached)).toEqual([]);

    await truncate(file, Math.floor(size / 2));
    const afterTruncation = await loadIpTable({ cacheDir: dir });
    expect(afterTruncation.stats.loadedFrom).toBe('csv');
    expect((await stat(file)).size).toBe(size);
    expect(sameAnswers(built, afterTruncation)).toEqual([]);

    // Damage anywhere in the file is caught by its checks and the file is not used.
    const bytes = await readFile(file);
    for (const at of [0, 9, 20, 100, Math.floor(size / 3), size - 1]) {
      const damaged = Buffer.from(bytes);
      damaged[at] = (damaged[at] ?? 0) ^ 0x40;
      expect(decodeIpTable(damaged), `byte ${at} flipped`).toBeUndefined();
    }
    expect(decodeIpTable(bytes.subarray(0, size - 4))).toBeUndefined();
    expect(decodeIpTable(Buffer.concat([bytes, Buffer.alloc(4)]))).toBeUndefined();
    expect(decodeIpTable(bytes)).toBeDefined();
    expect(decodeIpTable(Buffer.from('not a table'))).toBeUndefined();
    expect((await loadIpTable({ cacheDir: dir })).stats.loadedFrom).toBe('cache');
  });

  it('is shared between threads as bytes: made when missing or damaged, read when there', async () => {
    const fresh = await mkdtemp(join(tmpdir(), 'tocsin-ip-shared-'));
    try {
      const made = await sharedIpTableBytes(fresh);
      expect(made).toBeInstanceOf(SharedArrayBuffer);
      const [file] = (await readdir(fresh)).filter((f) => f.endsWith('.bin'));
      expect(Buffer.from(made).equals(await readFile(join(fresh, file!)))).toBe(true);
      expect(sameAnswers(table, await ipTableOfBytes(made))).toEqual([]);
      const read = await sharedIpTableBytes(fresh);
      expect(Buffer.from(read).equals(Buffer.from(made))).toBe(true);
      await truncate(join(fresh, file!), 100);
      expect(Buffer.from(await sharedIpTableBytes(fresh)).equals(Buffer.from(made))).toBe(true);
      await expect(ipTableOfBytes(new SharedArrayBuffer(64))).rejects.toThrow(/not a valid cache file/);
    } finally {
      await rm(fresh, { recursive: true, force: true });
    }
  });
});
